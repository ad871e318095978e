#!/usr/bin/env python3
"""Execute notebooks top to bottom, headless, saving outputs in place.

Usage: run_notebooks.py [--cwd DIR] [NOTEBOOK ...]   (default: notebooks/*.ipynb in name order)
A failing cell stops the run and prints the notebook, the cell number and the error text.
"""
import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIMEOUT = int(os.environ.get("CNN_LAB_CELL_TIMEOUT", "3600"))


def run(path: str, cwd: str = None) -> float:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=TIMEOUT,
        # nbclient waits only 4 s (by default) for a cell's output after its reply and then drops
        # whatever comes later without a word; on two busy cores that can lose a printed line.
        iopub_timeout=120,
        raise_on_iopub_timeout=True,
        kernel_name="rust",
        resources={"metadata": {"path": cwd or os.path.dirname(os.path.abspath(path))}},
    )
    t0 = time.time()
    try:
        client.execute()
    except CellExecutionError as e:
        # Find the failing cell to name it; save what ran so far for inspection.
        code_cells = [c for c in nb.cells if c.cell_type == "code"]
        failing = next(
            (i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        where = f"cell {failing + 1}" if failing is not None else "a cell"
        if failing is not None:  # evcxr's compile errors are in the output, not in the exception
            err = next(o for o in nb.cells[failing].outputs if o.get("output_type") == "error")
            e = f"{''.join(nb.cells[failing].source)}\n-> {err.get('ename', '')}: {err.get('evalue', '')}"
        nbformat.write(nb, path + ".failed")
        print(f"\nFAILED: {os.path.relpath(path, ROOT)}, {where} (of {len(nb.cells)}; {len(code_cells)} code cells)\n{e}",
              file=sys.stderr)
        sys.exit(1)
    nbformat.write(nb, path)
    return time.time() - t0


def main() -> None:
    args = sys.argv[1:]
    cwd = None
    if args[:1] == ["--cwd"]:
        # Run copies elsewhere while the kernel works in the real notebooks folder.
        cwd, args = os.path.abspath(args[1]), args[2:]
    paths = args or sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    mode = "quick" if os.environ.get("CNN_LAB_QUICK", "0") not in ("", "0") else "full"
    total = 0.0
    for p in paths:
        print(f"running {os.path.relpath(p, ROOT)} ({mode} mode) ...", flush=True)
        dt = run(p, cwd)
        total += dt
        print(f"  done in {dt:.0f} s", flush=True)
    print(f"{len(paths)} notebooks in {total:.0f} s")


if __name__ == "__main__":
    main()
