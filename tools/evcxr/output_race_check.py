#!/usr/bin/env python3
"""Count cells whose printed output never reaches the notebook (tools/evcxr/04-*.patch).

Runs N cells that each print a number of lines through a Jupyter kernel with nbclient, as
scripts/run_notebooks.py does, and reports the cells that came back without all of them. Before
patch 04 the kernel could send a cell's "idle" before its last line, and nbclient drops output
that arrives after "idle"; the loss is rare (about one cell in a few hundred, more under CPU load).

Usage: output_race_check.py [--kernel rust] [--cells 300] [--lines 100]
Exits 1 when any line is missing.
"""
import argparse
import sys
import time

import nbformat
from nbclient import NotebookClient


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", default="rust")
    ap.add_argument("--cells", type=int, default=300)
    ap.add_argument("--lines", type=int, default=100, help="lines each cell prints")
    args = ap.parse_args()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f'fn say(i: u32) {{ for k in 0..{args.lines} {{ println!("line {{i}}.{{k}}"); }} }}')]
    nb.cells += [nbformat.v4.new_code_cell(f"say({i});") for i in range(args.cells)]
    t0 = time.time()
    NotebookClient(nb, timeout=120, kernel_name=args.kernel).execute()
    missing = []
    for i, cell in enumerate(nb.cells[1:]):
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        if text.splitlines() != [f"line {i}.{k}" for k in range(args.lines)]:
            missing.append((i, text))
    print(f"{args.kernel}: {args.cells} cells in {time.time() - t0:.0f} s, "
          f"{args.lines} lines each, {len(missing)} without all of their lines")
    for i, text in missing[:10]:
        print(f"  cell {i}: {len(text.splitlines())} lines, ending {text[-40:]!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
