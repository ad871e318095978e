#!/usr/bin/env python3
"""Check every exported post: front matter, images present, no error output, no EVCXR
markers, code cells kept. Prints 'N passed, N failed'."""
import glob
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP = open(os.path.join(ROOT, "notebooks", "setup_cell.rs")).read().strip()


def problems(post_dir):
    out = []
    md_path = os.path.join(post_dir, "index.md")
    if not os.path.isfile(md_path):
        return ["index.md missing"]
    text = open(md_path).read()
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    if not m:
        out.append("no front matter")
    else:
        for key in ("title", "date", "tags", "summary"):
            if not re.search(rf"^{key}: .+", m.group(1), re.M):
                out.append(f"front matter lacks {key}")
    for img in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text):
        if not img.startswith(("http://", "https://", "data:")) and not os.path.isfile(os.path.join(post_dir, img)):
            out.append(f"image {img} referenced but missing")
    if "EVCXR" in text:
        out.append("EVCXR marker left in the post")
    if "Traceback" in text or re.search(r"^\s*Error: ", text, re.M):
        out.append("error output in the post")
    nb_path = os.path.join(ROOT, "notebooks", os.path.basename(post_dir) + ".ipynb")
    if os.path.isfile(nb_path):
        nb = nbformat.read(nb_path, as_version=4)
        want = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip() and c.source.strip() != SETUP)
        got = text.count("```rust")
        if got != want:
            out.append(f"{got} code blocks but the notebook has {want} code cells (setup excluded)")
        if SETUP.splitlines()[0] in text:
            out.append("setup cell left in the post")
    if not os.path.isfile(os.path.join(post_dir, "index.html")):
        out.append("index.html missing")
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "blog")
    posts = sorted(d for d in glob.glob(os.path.join(root, "*")) if os.path.isdir(d) and not d.endswith("templates"))
    failed = 0
    for d in posts:
        for msg in problems(d):
            print(f"{os.path.relpath(d, ROOT)}: {msg}")
        failed += bool(problems(d))
    print(f"blog check: {len(posts) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not posts else 0)


if __name__ == "__main__":
    main()
