#!/usr/bin/env python3
"""Every number a notebook's prose states must come from one of its outputs.

Usage: check_truth.py [NOTEBOOK ...]        (default: notebooks/*.ipynb)

The numbers checked are the ones a re-run can change: decimals (0.216, 92.39), percentages
(92 %, 0.9 %) and counts written with a thousands separator (242,250). Each must match a number
that an output of the *same* notebook shows (printed text, tables, figure descriptions), after
rounding to the decimals the prose uses; a percentage also matches a fraction (92.39 % ← 0.9239).
Numbers in links, inline code and the references section are not claims about outputs. Constants
that no output prints (a paper's figure, a source notebook's accuracy, a setting explained in the
text) are listed per notebook in notebooks/truth-allow.txt, one `NOTEBOOK NUMBER  # why` per line.
Exits 1 listing every number it could not find.
"""
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALLOW = os.path.join(ROOT, "notebooks", "truth-allow.txt")
# A number as prose writes it: optional sign, thousands separators, decimals, then maybe a %.
PROSE_NUMBER = re.compile(r"(?<![\w.])[-−+]?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%)?(?![\w])")
OUTPUT_NUMBER = re.compile(r"[-−+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def prose(cell_source: str) -> str:
    """Markdown without what is not a claim: code, links' targets, the references section."""
    text = cell_source.split("## References")[0]
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)          # link targets
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\[([^\]]*\d{4}[^\]]*)\]", " ", text)  # citations such as [Zhou et al., 2016]
    return text


def output_text(cell) -> str:
    parts = []
    for o in cell.get("outputs", []):
        if "text" in o:
            parts.append("".join(o["text"]))
        for kind in ("text/markdown", "text/plain"):
            if kind in o.get("data", {}):
                parts.append("".join(o["data"][kind]))
    return "\n".join(parts)


def output_values(nb) -> set:
    """Every number the outputs show, as floats."""
    vals = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        for m in OUTPUT_NUMBER.findall(output_text(cell)):
            try:
                vals.add(float(m.replace(",", "").replace("−", "-")))
            except ValueError:
                pass
    return vals


def numbers(text):
    """(text as written, value, decimals, is_percent) of every checked number in prose."""
    out = []
    for m in PROSE_NUMBER.finditer(prose(text)):
        whole, frac, pct = m.group(1), m.group(2), m.group(3)
        if not (frac or pct or "," in whole):
            continue
        value = float((whole + (frac or "")).replace(",", ""))
        out.append((m.group(0).strip(), value, len(frac) - 1 if frac else 0, bool(pct)))
    return out


def claims(nb):
    """(where, text as written, value, decimals, is_percent) of every checked number: the
    markdown cells, and the post's summary on the blog's index (notebook metadata)."""
    out = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            out += [(f"cell {i + 1}", *n) for n in numbers("".join(cell["source"]))]
    summary = nb.get("metadata", {}).get("blog", {}).get("summary", "")
    out += [("blog summary", *n) for n in numbers(summary)]
    return out


def readme_claims():
    """Accuracies the README's prose states (outside its generated results table) must be rows
    of results/results.json."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    text = re.sub(r"<!-- results:begin -->.*?<!-- results:end -->", " ", text, flags=re.S)
    rows = json.load(open(os.path.join(ROOT, "results", "results.json"), encoding="utf-8"))
    values = {round(100 * r["test_accuracy"], 2) for r in rows}
    bad = []
    for text_, value, decimals, percent in numbers(text):
        if percent and decimals > 0 and not any(abs(v - value) <= 0.5 * 10 ** -decimals + 1e-9 for v in values):
            bad.append(text_)
    return bad


def found(value: float, decimals: int, percent: bool, outputs: set) -> bool:
    tol = 0.5 * 10 ** -decimals + 1e-9
    for v in outputs:
        if abs(abs(v) - value) <= tol:
            return True
        if percent and abs(abs(v) * 100 - value) <= tol:
            return True
    return False


def allowed() -> dict:
    table = {}
    if os.path.exists(ALLOW):
        for line in open(ALLOW, encoding="utf-8"):
            line = line.split("#")[0].strip()
            if line:
                nb, number = line.split(None, 1)
                table.setdefault(nb, set()).add(number.strip())
    return table


def main() -> None:
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    allow = allowed()
    bad = 0
    total = 0
    for path in paths:
        nb = json.load(open(path, encoding="utf-8"))
        name = os.path.splitext(os.path.basename(path))[0]
        outputs = output_values(nb)
        ok_here = allow.get(name, set()) | allow.get("*", set())
        for where, text, value, decimals, percent in claims(nb):
            total += 1
            if found(value, decimals, percent, outputs) or text.replace(" ", "") in {a.replace(" ", "") for a in ok_here}:
                continue
            bad += 1
            print(f"{name}, {where}: {text!r} is in no output of the notebook")
    if not sys.argv[1:]:
        for text in readme_claims():
            bad += 1
            print(f"README.md: {text!r} is no test accuracy in results/results.json")
    if bad:
        print(f"{bad} of {total} numbers in the prose are not in an output (fix the prose, or list a constant in {os.path.relpath(ALLOW, ROOT)})")
        sys.exit(1)
    print(f"truth check: all {total} numbers in the prose of {len(paths)} notebooks come from their outputs")


if __name__ == "__main__":
    main()
