#!/usr/bin/env python3
"""Export executed notebooks to blog/<slug>/index.md (+ images beside it) and index.html.

Setup cells (the shared first code cell), error outputs and evcxr's timing/marker noise are
left out. Front matter: title (first heading), date, tags and summary (notebook metadata
`blog`, else the first paragraph).
"""
import datetime
import glob
import os
import re
import sys

import nbformat
from nbconvert import HTMLExporter, MarkdownExporter
from nbconvert.preprocessors import Preprocessor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP = open(os.path.join(ROOT, "notebooks", "setup_cell.rs")).read().strip()
NOISE = re.compile(r"^(EVCXR_.*|Took \d+(\.\d+)?m?s)$")


class CleanPost(Preprocessor):
    """Drop the setup cell, error outputs, and evcxr noise in text outputs; merge consecutive
    text outputs of a cell."""

    def preprocess(self, nb, resources):
        cells = []
        for c in nb.cells:
            if c.cell_type == "code" and c.source.strip() == SETUP:
                continue
            if c.cell_type == "code":
                outs = []
                for o in c.get("outputs", []):
                    if o.get("output_type") == "error":
                        continue
                    if o.get("output_type") == "stream":
                        text = "\n".join(l for l in o.get("text", "").splitlines() if not NOISE.match(l.strip()))
                        if not text.strip():
                            continue
                        o["text"] = text + "\n"
                    if "data" in o:
                        o["data"].pop("text/html", None) if "image/png" in o["data"] else None
                    # evcxr sends each printed line as its own stream output: merge runs of them
                    # into one block, or every line would become its own paragraph.
                    prev = outs[-1] if outs else None
                    if (o.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                            and prev.get("name") == o.get("name")):
                        prev["text"] += o["text"]
                        continue
                    outs.append(o)
                c.outputs = outs
            cells.append(c)
        nb.cells = cells
        return nb, resources


def post_meta(nb, path):
    meta = nb.metadata.get("blog", {})
    title = next((l[2:].strip() for c in nb.cells if c.cell_type == "markdown"
                  for l in c.source.splitlines() if l.startswith("# ")), os.path.basename(path))
    paras = [p.strip() for c in nb.cells[1:] if c.cell_type == "markdown" for p in c.source.split("\n\n")
             if p.strip() and not p.strip().startswith("#")]
    summary = meta.get("summary") or (paras[0] if paras else title)
    summary = re.sub(r"\s+", " ", summary).replace('"', "'")[:280]
    return {
        "title": title.replace('"', "'"),
        "date": meta.get("date", datetime.date.today().isoformat()),
        "tags": meta.get("tags", ["rust", "cnn"]),
        "summary": summary,
    }


def slug(path):
    return re.sub(r"[^a-z0-9-]+", "-", os.path.splitext(os.path.basename(path))[0].lower()).strip("-")


def export(path, out_root):
    nb = nbformat.read(path, as_version=4)
    s = slug(path)
    out = os.path.join(out_root, s)
    os.makedirs(out, exist_ok=True)
    resources = {"post": post_meta(nb, path), "output_files_dir": ".", "unique_key": s}
    md = MarkdownExporter(template_file="index.md.j2", extra_template_basedirs=[os.path.join(ROOT, "scripts", "templates")],
                          template_name="post")
    md.register_preprocessor(CleanPost(), enabled=True)
    body, res = md.from_notebook_node(nb, resources=resources)
    for name, data in res.get("outputs", {}).items():
        with open(os.path.join(out, os.path.basename(name)), "wb") as f:
            f.write(data)
    body = re.sub(r"\]\(\./", "](", body)
    with open(os.path.join(out, "index.md"), "w") as f:
        f.write(body)
    html = HTMLExporter(template_name="lab")
    html.register_preprocessor(CleanPost(), enabled=True)
    page, _ = html.from_notebook_node(nbformat.read(path, as_version=4))
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(page)
    return out


def main():
    out_root = os.environ.get("CNN_LAB_BLOG", os.path.join(ROOT, "blog"))
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    for p in paths:
        print("exported", os.path.relpath(export(p, out_root), ROOT))


if __name__ == "__main__":
    main()
