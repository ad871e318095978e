#!/usr/bin/env python3
"""Export executed notebooks as a small static blog: blog/<slug>/index.md (+ figures beside it)
and index.html per post, and blog/index.md + index.html listing the series.

- Front matter: title (first heading), date, tags and summary (notebook metadata `blog`, else
  the first paragraph), reading time.
- Code cells are kept, the setup cell included (its prose describes it); error outputs and
  evcxr's timing/marker noise are left out; consecutive text outputs of a cell become one block.
- Figures get their title as alt text (cnn_lab figures send it as text/plain beside the PNG),
  else the caption before the cell.
- Links between notebooks (`03-regularisation.ipynb`) become links between posts; each post
  ends with previous/next links.
- The HTML is rendered here (mistune + pygments, inline CSS): no scripts, no fonts or styles from
  a CDN, so a page renders offline.
- Post 05 has an interactive page beside it, demo.html: web/page/demo.html in the site's style,
  running the crate's WebAssembly build from the post's demo/ folder (scripts/build_web.sh).
"""
import datetime
import glob
import html
import math
import os
import re
import shutil
import sys

import mistune
import nbformat
from nbconvert import MarkdownExporter
from nbconvert.preprocessors import Preprocessor
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# evcxr's markers and timings, and the progress lines a live training prints mid-epoch (the
# notebook shows them as it runs; in a post the epoch lines say it all).
NOISE = re.compile(r"^(EVCXR_.*|Took \d+(\.\d+)?m?s|epoch \d+/\d+ batch \d+/\d+ .*)$")
NB_LINK = re.compile(r"\]\((\d\d-[a-z0-9-]+)\.ipynb(#[^)\s]*)?\)")
# A notebook's link into the blog folder (a post's demo page) becomes a link beside the post.
BLOG_LINK = re.compile(r"\]\(\.\./blog/(\d\d-[a-z0-9-]+)/([^)\s]+)\)")
WORDS_PER_MINUTE = 220


def plain_sentence(markdown_text, limit=140):
    """The first sentence of the last paragraph of a markdown cell, without markup."""
    paras = [p.strip() for p in markdown_text.split("\n\n") if p.strip() and not p.strip().startswith("#")]
    if not paras:
        heads = [l.lstrip("#").strip() for l in markdown_text.splitlines() if l.startswith("#")]
        return heads[-1] if heads else ""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", paras[-1])
    text = re.sub(r"[`*_]", "", re.sub(r"\s+", " ", text))
    first = re.split(r"(?<=[.:!?])\s", text, maxsplit=1)[0].rstrip(":")
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def figure_alt(output, caption):
    plain = output.get("data", {}).get("text/plain", "")
    if isinstance(plain, list):
        plain = "".join(plain)
    if plain.startswith("Figure: "):
        alt = plain[len("Figure: "):].strip()
    else:
        alt = caption or "figure"
    return re.sub(r"[\[\]\n]", " ", alt).strip()


class CleanPost(Preprocessor):
    """Drop error outputs and evcxr noise, merge consecutive text outputs of a cell, give
    figures alt text, and turn notebook links into post links."""

    def preprocess(self, nb, resources):
        caption = ""
        for c in nb.cells:
            if c.cell_type == "markdown":
                c.source = NB_LINK.sub(lambda m: f"](../{m.group(1)}/{m.group(2) or ''})", c.source)
                c.source = BLOG_LINK.sub(lambda m: f"](../{m.group(1)}/{m.group(2)})", c.source)
                caption = plain_sentence(c.source)
                continue
            if c.cell_type != "code":
                continue
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
                    data = o["data"]
                    if "image/png" in data:
                        data.pop("text/html", None)
                        o.setdefault("metadata", {})["alt"] = figure_alt(o, caption)
                    plain = data.get("text/plain", "")
                    if "text/html" in data and isinstance(plain, str) and NOISE.match(plain.strip()):
                        continue
                    if set(data) == {"text/html"} and re.search(r"Took \d+", data["text/html"]):
                        continue
                # evcxr sends each printed line as its own stream output: merge runs of them
                # into one block, or every line would become its own paragraph.
                prev = outs[-1] if outs else None
                if (o.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                        and prev.get("name") == o.get("name")):
                    prev["text"] += o["text"]
                    continue
                outs.append(o)
            c.outputs = outs
        return nb, resources


def slug(path):
    return re.sub(r"[^a-z0-9-]+", "-", os.path.splitext(os.path.basename(path))[0].lower()).strip("-")


def reading_minutes(markdown_body):
    prose = re.sub(r"```.*?```", " ", markdown_body, flags=re.S)
    prose = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", prose)
    return max(1, math.ceil(len(re.findall(r"\w+", prose)) / WORDS_PER_MINUTE))


MAX_SUMMARY = 280


def post_meta(nb, path):
    meta = nb.metadata.get("blog", {})
    title = next((l[2:].strip() for c in nb.cells if c.cell_type == "markdown"
                  for l in c.source.splitlines() if l.startswith("# ")), os.path.basename(path))
    paras = [p.strip() for c in nb.cells[1:] if c.cell_type == "markdown" for p in c.source.split("\n\n")
             if p.strip() and not p.strip().startswith("#")]
    summary = re.sub(r"\s+", " ", meta.get("summary") or (paras[0] if paras else title)).replace('"', "'")
    if meta.get("summary") and len(summary) > MAX_SUMMARY:
        # A summary cut mid-sentence reads as a mistake on the index page: refuse it.
        sys.exit(f"{path}: blog summary is {len(summary)} characters, more than {MAX_SUMMARY}; shorten it")
    summary = summary[:MAX_SUMMARY]
    words = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return {
        "slug": slug(path),
        "title": title.replace('"', "'"),
        "date": meta.get("date", datetime.date.today().isoformat()),
        "tags": meta.get("tags", ["rust", "cnn"]),
        "summary": summary,
        "reading_time": f"{reading_minutes(words)} min",
        # The post's number is the notebook's (00-...), so the index and the folder agree.
        "number": slug(path).split("-", 1)[0],
        # Words of the alt text (the figure's title) of the figure the index shows for the post.
        "thumbnail": meta.get("thumbnail"),
    }


# ------------------------------------------------------------------ HTML

class PostRenderer(mistune.HTMLRenderer):
    def block_code(self, code, info=None):
        lang = (info or "").split()[0] if info else ""
        try:
            lexer = get_lexer_by_name(lang or "text")
        except ClassNotFound:
            lexer = get_lexer_by_name("text")
        return highlight(code, lexer, HtmlFormatter(cssclass=f"code {lang or 'text'}"))


RENDER = mistune.create_markdown(renderer=PostRenderer(escape=False), plugins=["table", "strikethrough"])

CSS = """
body { margin: 0; background: #fff; color: #1f2328; font: 17px/1.6 "DejaVu Sans", system-ui, sans-serif; }
main, nav.site, footer { max-width: 760px; margin: 0 auto; padding: 0 16px; }
nav.site { padding-top: 16px; font-size: 15px; }
h1 { font-size: 32px; line-height: 1.25; margin: 24px 0 8px; }
h2 { font-size: 24px; margin-top: 36px; }
h3 { font-size: 19px; }
.meta { color: #57606a; font-size: 15px; margin-bottom: 24px; }
.tag { display: inline-block; background: #eef1f4; border-radius: 4px; padding: 0 6px; margin-right: 4px; }
img { max-width: 100%; height: auto; display: block; margin: 12px auto; }
a { color: #0969da; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 14px; background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
div.code { background: #f6f8fa; border-radius: 6px; padding: 10px 14px; overflow-x: auto; margin: 12px 0; }
div.code pre { margin: 0; font: 13.5px/1.45 "DejaVu Sans Mono", monospace; }
div.code.text { background: #fff; border: 1px solid #d0d7de; }
table { border-collapse: collapse; margin: 12px 0; font-size: 15px; display: block; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: 4px 10px; }
th { background: #f6f8fa; }
td[style*="right"], th[style*="right"] { font-variant-numeric: tabular-nums; }
footer { border-top: 1px solid #d0d7de; margin-top: 48px; padding: 16px; font-size: 15px; display: flex; justify-content: space-between; gap: 16px; }
footer > a { white-space: nowrap; }
ol.posts { list-style: none; padding: 0; }
ol.posts li { display: flex; gap: 16px; margin: 20px 0; align-items: flex-start; }
ol.posts li > a { flex: 0 0 160px; }
ol.posts img { width: 160px; margin: 0; border: 1px solid #d0d7de; }
ol.posts h2 { margin: 0 0 4px; font-size: 20px; }
ol.posts .num { color: #57606a; font-variant-numeric: tabular-nums; margin-right: 6px; }
"""


def page(title, body, description=""):
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<meta name="description" content="{html.escape(description)}">
<style>{CSS}{HtmlFormatter(style="friendly").get_style_defs(".code")}</style>
</head>
<body>
{body}
</body>
</html>
"""


def html_links(fragment):
    """Directory links (../03-x/, ../) become explicit index.html links, so files open offline."""
    fragment = re.sub(r'href="\.\./(\d\d-[a-z0-9-]+)/(#[^"]*)?"', lambda m: f'href="../{m.group(1)}/index.html{m.group(2) or ""}"', fragment)
    return fragment.replace('href="../"', 'href="../index.html"')


def post_html(meta, body_md):
    body = RENDER(body_md)
    tags = "".join(f'<span class="tag">{html.escape(t)}</span>' for t in meta["tags"])
    info = f'<p class="meta"><time datetime="{meta["date"]}">{meta["date"]}</time> · {meta["reading_time"]} read · {tags}</p>'
    body = re.sub(r"(</h1>)", r"\1\n" + info.replace("\\", "\\\\"), body, count=1)
    nav = '<nav class="site"><a href="../">CNNs in Rust, explained and visualised</a></nav>'
    return page(meta["title"], html_links(nav + "\n<main>\n" + body + "\n</main>"), meta["summary"])


# ------------------------------------------------------------------ export

def split_front_matter(md):
    m = re.match(r"---\n.*?\n---\n", md, re.S)
    return (md[: m.end()], md[m.end():]) if m else ("", md)


def footer_md(prev, nxt):
    left = f"[← {prev['title']}](../{prev['slug']}/)" if prev else ""
    right = f"[{nxt['title']} →](../{nxt['slug']}/)" if nxt else ""
    return f"\n\n---\n\n{left}{' · ' if left and right else ''}[All posts](../){' · ' if right else ''}{right}\n"


def export(path, out_root, prev, nxt):
    nb = nbformat.read(path, as_version=4)
    meta = post_meta(nb, path)
    out = os.path.join(out_root, meta["slug"])
    os.makedirs(out, exist_ok=True)
    for old in glob.glob(os.path.join(out, "*.png")):
        os.remove(old)
    resources = {"post": meta, "output_files_dir": ".", "unique_key": meta["slug"]}
    md = MarkdownExporter(template_file="index.md.j2", extra_template_basedirs=[os.path.join(ROOT, "scripts", "templates")],
                          template_name="post")
    md.register_preprocessor(CleanPost(), enabled=True)
    text, res = md.from_notebook_node(nb, resources=resources)
    for name, data in res.get("outputs", {}).items():
        with open(os.path.join(out, os.path.basename(name)), "wb") as f:
            f.write(data)
    text = re.sub(r"\]\(\./", "](", text)
    text = re.sub(r"\n{3,}", "\n\n", text).rstrip() + footer_md(prev, nxt)
    with open(os.path.join(out, "index.md"), "w") as f:
        f.write(text)
    front, body = split_front_matter(text)
    foot_at = body.rfind("\n---\n")
    main_md, foot = body[:foot_at], body[foot_at + 5:]
    page_html = post_html(meta, main_md)
    foot_html = RENDER(foot).replace("<p>", "").replace("</p>", "")
    page_html = page_html.replace("\n</main>", "\n</main>\n<footer>" + html_links(foot_html) + "</footer>")
    with open(os.path.join(out, "index.html"), "w") as f:
        f.write(page_html)
    meta["thumb"] = thumbnail(path, main_md, meta["thumbnail"])
    return meta


def thumbnail(path, body, wanted):
    """(file, alt) of the figure whose alt text contains `wanted` (the first figure without it),
    looking only outside code blocks (Rust's `vec![...]` looks like an image)."""
    prose = re.sub(r"```.*?```", "", body, flags=re.S)
    images = [(m.group(2), m.group(1)) for m in re.finditer(r"!\[([^\]]*)\]\(([^)\s]+)\)", prose)]
    if wanted is None:
        return images[0] if images else None
    for img in images:
        if wanted in img[1]:
            return img
    sys.exit(f"{path}: blog thumbnail {wanted!r} matches no figure's title; titles: {[a for _, a in images]}")


def write_index(out_root, metas):
    intro = ("A series of Rust notebooks (evcxr + burn) that train convolutional networks on "
             "Fashion-MNIST and MNIST digits and look inside them. Each post is a notebook, "
             "exported with its real outputs.")
    lines = ["---", 'title: "CNNs in Rust, explained and visualised"', "---", "", "# CNNs in Rust, explained and visualised", "", intro, ""]
    items = []
    for m in metas:
        lines.append(f"- **{m['number']} · [{m['title']}]({m['slug']}/)** · {m['date']} · {m['reading_time']} read")
        if m["thumb"]:
            lines += ["", f"   [![{m['thumb'][1]}]({m['slug']}/{m['thumb'][0]})]({m['slug']}/)"]
        lines += ["", f"   {m['summary']}", ""]
        img = (f'<a href="{m["slug"]}/index.html"><img src="{m["slug"]}/{m["thumb"][0]}" alt="{html.escape(m["thumb"][1])}"></a>'
               if m["thumb"] else "")
        items.append(f'<li>{img}<div><h2><span class="num">{m["number"]}</span><a href="{m["slug"]}/index.html">{html.escape(m["title"])}</a></h2>'
                     f'<p class="meta">{m["date"]} · {m["reading_time"]} read</p><p>{html.escape(m["summary"])}</p></div></li>')
    with open(os.path.join(out_root, "index.md"), "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")
    body = (f'<main><h1>CNNs in Rust, explained and visualised</h1><p>{html.escape(intro)}</p>'
            f'<ol class="posts">{"".join(items)}</ol></main>'
            f'<footer><span>Each post is a notebook in the repository\'s <code>notebooks/</code> folder, '
            f'exported with the outputs of its last run; <code>make run</code> runs them all again.</span>'
            f'<a href="{metas[0]["slug"]}/index.html">Start with {metas[0]["number"]} →</a></footer>')
    with open(os.path.join(out_root, "index.html"), "w") as f:
        f.write(page("CNNs in Rust, explained and visualised", body, intro))


DEMO_SLUG = "05-what-the-network-sees"
DEMO_CSS = """
.demo { display: flex; flex-wrap: wrap; gap: 24px; margin: 20px 0; padding: 12px; border: 2px dashed transparent; border-radius: 8px; }
.demo.over { border-color: #0969da; }
.demo figure { margin: 0; flex: 1 1 300px; }
.demo canvas { width: 280px; height: 280px; image-rendering: pixelated; border: 1px solid #d0d7de; touch-action: none; display: block; }
#draw { cursor: crosshair; }
figcaption { font-size: 15px; color: #57606a; margin: 6px 0; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.controls button, .controls .file { font: inherit; font-size: 15px; padding: 4px 12px; border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; cursor: pointer; }
.controls .file input { display: none; }
#bars { margin-top: 8px; font-size: 15px; }
.bar { display: grid; grid-template-columns: 190px 1fr 64px; gap: 8px; align-items: center; }
.bar .track { background: #eef1f4; height: 14px; border-radius: 2px; overflow: hidden; }
.bar .track span { display: block; height: 100%; }
.bar .num { text-align: right; font-variant-numeric: tabular-nums; }
#steps { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-end; }
#steps figure { margin: 0; }
#steps canvas { border: 1px solid #d0d7de; max-width: 140px; display: block; }
"""
DEMO_SCRIPTS = ["cnn_lab_web.js", "wasm.js", "model.js", "test-images.js", "demo.js"]


def write_demo(out_root):
    """Post 05's interactive page (web/page/demo.html) in the site's style, beside the post; its
    demo/ folder (built by scripts/build_web.sh) is copied along when exporting elsewhere."""
    body = open(os.path.join(ROOT, "web", "page", "demo.html")).read()
    assets = os.path.join(ROOT, "blog", DEMO_SLUG, "demo")
    dest = os.path.join(out_root, DEMO_SLUG)
    if os.path.abspath(out_root) != os.path.join(ROOT, "blog") and os.path.isdir(assets):
        shutil.copytree(assets, os.path.join(dest, "demo"), dirs_exist_ok=True)
    scripts = "".join(f'<script src="demo/{s}"></script>\n' for s in DEMO_SCRIPTS)
    text = page("Draw a garment and watch the network decide", body + "\n" + scripts,
                "The GAP network of post 05, running in the browser: draw, and see its probabilities and class activation map.")
    text = text.replace("</style>", DEMO_CSS + "</style>", 1)
    with open(os.path.join(dest, "demo.html"), "w") as f:
        f.write(text)


def main():
    out_root = os.environ.get("CNN_LAB_BLOG", os.path.join(ROOT, "blog"))
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    paths = sorted(paths, key=os.path.basename)
    nbs = [post_meta(nbformat.read(p, as_version=4), p) for p in paths]
    os.makedirs(out_root, exist_ok=True)
    metas = []
    for i, p in enumerate(paths):
        prev = nbs[i - 1] if i > 0 else None
        nxt = nbs[i + 1] if i + 1 < len(nbs) else None
        metas.append(export(p, out_root, prev, nxt))
        print("exported", os.path.relpath(os.path.join(out_root, metas[-1]["slug"]), ROOT))
    write_index(out_root, metas)
    if any(m["slug"] == DEMO_SLUG for m in metas):
        write_demo(out_root)
    print("index", os.path.relpath(os.path.join(out_root, "index.md"), ROOT))


if __name__ == "__main__":
    main()
