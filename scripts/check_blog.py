#!/usr/bin/env python3
"""Check the exported blog: every post and the index.

Per post: front matter, figures present with real alt text, no error output or evcxr markers,
every code cell kept, no double-spaced text blocks, no pipe tables inside code blocks, no machine
paths, no Rust debug formatting (`Some(`) or bare `()` outputs, an HTML page titled from the
front matter with no external scripts, styles or fonts, and previous/next links that resolve.
The index must list every post. Prints each problem and 'N passed, N failed'.

Usage: check_blog.py [BLOG_DIR]
"""
import glob
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|home|tmp|usr|var)/[\w./-]+")


def blocks(text, lang):
    return re.findall(rf"```{lang}\n(.*?)\n```", text, re.S)


def front_matter(text):
    m = re.match(r"---\n(.*?)\n---\n", text, re.S)
    return dict(re.findall(r"^(\w+): (.+)$", m.group(1), re.M)) if m else None


def link_targets(post_dir, text):
    """Relative links of a markdown page that must resolve inside the blog."""
    out = []
    for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://", "#", "mailto:")):
            continue
        path = os.path.normpath(os.path.join(post_dir, target.split("#")[0]))
        if os.path.isdir(path):
            path = os.path.join(path, "index.md")
        out.append((target, path))
    return out


def problems(post_dir, root):
    out = []
    md_path = os.path.join(post_dir, "index.md")
    if not os.path.isfile(md_path):
        return ["index.md missing"]
    text = open(md_path).read()
    fm = front_matter(text)
    if fm is None:
        out.append("no front matter")
        fm = {}
    for key in ("title", "date", "tags", "summary", "reading_time"):
        if key not in fm:
            out.append(f"front matter lacks {key}")
    for alt, img in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", text):
        if not img.startswith(("http://", "https://", "data:")) and not os.path.isfile(os.path.join(post_dir, img)):
            out.append(f"image {img} referenced but missing")
        if alt.strip().lower() in ("", "png", "svg", "jpeg", "figure", "image"):
            out.append(f"image {img} has no alt text (alt '{alt}')")
    if "EVCXR" in text:
        out.append("EVCXR marker left in the post")
    if "Traceback" in text or re.search(r"^\s*Error: ", text, re.M):
        out.append("error output in the post")
    outputs = blocks(text, "text")
    for b in outputs:
        lines = b.split("\n")
        if len(lines) >= 4 and all(l == "" for l in lines[1::2]):
            out.append(f"double-spaced output block: {lines[0][:60]!r}")
        if sum(1 for l in lines if re.match(r"^\|.*\|$", l.strip())) >= 2:
            out.append(f"pipe table inside a code block: {lines[0][:60]!r} (display it as a table)")
        if "Some(" in b or "None)" in b and "(None," not in b:
            out.append(f"Rust debug formatting in an output: {next(l for l in lines if 'Some(' in l or 'None)' in l)[:80]!r}")
        if b.strip() == "()":
            out.append("bare () output")
    for p in sorted(set(MACHINE_PATH.findall(text))):
        out.append(f"machine path in the post: {p}")
    for target, path in link_targets(post_dir, text):
        if not os.path.exists(path):
            out.append(f"broken link {target}")
    if not re.search(r"\[All posts\]\(\.\./\)", text):
        out.append("no link back to the index at the foot")
    nb_path = os.path.join(ROOT, "notebooks", os.path.basename(post_dir) + ".ipynb")
    if os.path.isfile(nb_path):
        nb = nbformat.read(nb_path, as_version=4)
        want = sum(1 for c in nb.cells if c.cell_type == "code" and c.source.strip())
        got = len(blocks(text, "rust"))
        if got != want:
            out.append(f"{got} code blocks but the notebook has {want} code cells")
    html_path = os.path.join(post_dir, "index.html")
    if not os.path.isfile(html_path):
        out.append("index.html missing")
    else:
        page = open(html_path).read()
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        want_title = fm.get("title", "").strip('"')
        if not title or title.group(1).strip() in ("", "Notebook"):
            out.append(f"HTML title is {title.group(1) if title else 'missing'!r}")
        elif want_title and title.group(1).replace("&#x27;", "'").replace("&amp;", "&") != want_title:
            out.append(f"HTML title {title.group(1)!r} differs from the front matter {want_title!r}")
        for tag in re.findall(r"<(?:script|link|img|iframe)[^>]*(?:src|href)=\"(https?:)?//[^\"]+\"", page):
            out.append("external script/style/font in the HTML page")
            break
        if "@import" in page or "fonts.googleapis" in page:
            out.append("external font or stylesheet import in the HTML page")
        if fm.get("date") and fm["date"] not in page:
            out.append("HTML page does not show the date")
        if len(page) > 400_000:
            out.append(f"HTML page is {len(page) // 1000} kB (figures should be files, not inline)")
    return out


def index_problems(root, posts):
    out = []
    md = os.path.join(root, "index.md")
    if not os.path.isfile(md) or not os.path.isfile(os.path.join(root, "index.html")):
        return ["blog index (index.md and index.html) missing"]
    text = open(md).read()
    for d in posts:
        s = os.path.basename(d)
        if f"]({s}/)" not in text:
            out.append(f"index does not list {s}")
    for target, path in link_targets(root, text):
        if not os.path.exists(path):
            out.append(f"index: broken link {target}")
    for img in re.findall(r"!\[[^\]]+\]\(([^)\s]+)\)", text):
        if not os.path.isfile(os.path.join(root, img)):
            out.append(f"index: thumbnail {img} missing")
    return out


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "blog"))
    posts = sorted(d for d in glob.glob(os.path.join(root, "*")) if os.path.isdir(d) and os.path.isfile(os.path.join(d, "index.md")))
    failed = 0
    for d in posts:
        found = problems(d, root)
        for msg in found:
            print(f"{os.path.basename(d)}: {msg}")
        failed += bool(found)
    idx = index_problems(root, posts)
    for msg in idx:
        print(f"index: {msg}")
    print(f"blog check: {len(posts) - failed} passed, {failed} failed" + (", index has problems" if idx else ", index ok"))
    sys.exit(1 if failed or idx or not posts else 0)


if __name__ == "__main__":
    main()
