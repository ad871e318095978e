#!/usr/bin/env python3
"""Notebook lint: a title, an introduction and a conclusion in Markdown; the shared setup cell
first among code cells; no code cell longer than MAX_LINES lines; every variable a cell keeps
written with its type. Prints 'N passed, N failed'."""
import glob
import os
import re
import sys

import nbformat

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_LINES = 20
SETUP = open(os.path.join(ROOT, "notebooks", "setup_cell.rs")).read().strip()


# A top-level `let` that binds names, and whether a type follows them. Kept variables need their
# types; the patched kernel reads them from the annotation (tools/evcxr/README.md), where an
# unannotated `let` makes it run rust-analyzer on the whole crate graph (~25 s on the first one).
LET = re.compile(r"^let\s+(?:mut\s+)?(?P<pat>[A-Za-z_]\w*|\([^=:]*\))\s*(?::(?P<ty>[^=]*))?")


def untyped_lets(source: str) -> list:
    """Names bound by top-level `let`s without a type (`let _ = ...` keeps nothing)."""
    out = []
    for line in source.splitlines():
        m = LET.match(line)
        typed = m and m.group("ty") and not re.search(r"\b_\b", m.group("ty"))
        if m and not typed and m.group("pat") != "_":
            out.append(m.group("pat"))
    return out


def problems(path: str) -> list:
    nb = nbformat.read(path, as_version=4)
    out = []
    cells = nb.cells
    md = [c for c in cells if c.cell_type == "markdown"]
    code = [c for c in cells if c.cell_type == "code"]
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.lstrip().startswith("# "):
        out.append("first cell must be a Markdown title ('# ...')")
    if len(md) < 3 or len(cells[0].source.split("\n", 1)) < 2 and (len(cells) < 2 or cells[1].cell_type != "markdown"):
        out.append("needs an introduction paragraph after the title")
    # A references cell may follow the conclusion.
    tail = cells[:-1] if cells and cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## References") else cells
    if not tail or tail[-1].cell_type != "markdown" or "conclusion" not in tail[-1].source.lower() and "what we learned" not in tail[-1].source.lower():
        out.append("last cell must be a Markdown conclusion ('## Conclusion' or '## What we learned'), optionally followed by '## References'")
    if not code or code[0].source.strip() != SETUP:
        out.append("first code cell must be the shared setup cell (notebooks/setup_cell.rs)")
    for i, c in enumerate(code[1:], start=2):
        if c.source.strip() == SETUP:
            out.append(f"code cell {i} repeats the setup cell")
        for name in untyped_lets(c.source):
            out.append(f"code cell {i}: `let {name}` needs its type written (`let {name}: Type = ...`)")
        n = len(c.source.strip().splitlines())
        if n > MAX_LINES:
            out.append(f"code cell {i} has {n} lines (max {MAX_LINES}): move the logic into the crate")
    return out


def main() -> None:
    paths = sys.argv[1:] or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    failed = 0
    for p in paths:
        probs = problems(p)
        for msg in probs:
            print(f"{os.path.relpath(p, ROOT)}: {msg}")
        failed += bool(probs)
    print(f"lint: {len(paths) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not paths else 0)


if __name__ == "__main__":
    main()
