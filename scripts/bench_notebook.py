#!/usr/bin/env python3
"""How long a reader waits on the kernel: the same short cell sequence on the Rust kernel (evcxr,
as `make evcxr` configured it) and on the venv's Python kernel, in one run, with the ratios; then
the per-cell times that the committed notebooks recorded.

Usage: bench_notebook.py [--kernel NAME ...] [--repeats N] [--skip-committed]

Each time is the wall time from sending a cell to the kernel going idle, as Jupyter shows it. The
kernel's start is timed to its first answer (kernel_info), before the setup cell.
"""
import argparse
import glob
import json
import os
import statistics
import sys
import time
from datetime import datetime

import nbformat
from jupyter_client.manager import KernelManager

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP_RS = open(os.path.join(ROOT, "notebooks", "setup_cell.rs")).read().strip()

# (what the cell does, Rust source, Python source). The Python "setup" imports the libraries a
# Python notebook of this series would start with.
CELLS = [
    ("setup cell", SETUP_RS, "import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
    ("println", 'println!("hello");', 'print("hello")'),
    ("first let", "let x = 3;", "x = 3"),
    ("println", 'println!("{x}");', "print(x)"),
    ("let with a type", "let v: Vec<u32> = (1..=10).collect();", "v = list(range(1, 11))"),
    ("println", 'println!("{}", v.iter().sum::<u32>());', "print(sum(v))"),
    ("figure", 'cnn_lab::plot::bar_chart("bench", &["a", "b", "c"], &[1.0, 3.0, 2.0])?',
     'plt.bar(["a", "b", "c"], [1.0, 3.0, 2.0]); plt.title("bench"); plt.show()'),
    # Last, because it loads rust-analyzer for the rest of the session: the price of a `let`
    # whose type the kernel has to infer.
    ("let, type inferred", "let w = v.iter().map(|x| x * 2).collect::<Vec<u32>>();", "w = [x * 2 for x in v]"),
]
TRIVIAL = ('println!("hello");', 'print("hello")')


def ratio(a: float, b: float) -> str:
    r = a / b
    return f"{r:.1f}x" if r < 10 else f"{r:.0f}x"


def run_cell(kc, code: str, timeout: float = 1800.0) -> float:
    """Executes `code`, returns seconds until the kernel is idle; raises on an error output."""
    t0 = time.perf_counter()
    msg_id = kc.execute(code, store_history=False)
    error = None
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "error":
            error = "\n".join(msg["content"].get("traceback", [])) or msg["content"].get("evalue")
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
    dt = time.perf_counter() - t0
    if error:
        raise RuntimeError(f"cell failed: {code!r}\n{error}")
    return dt


def bench_kernel(name: str, lang: int, repeats: int) -> dict:
    km = KernelManager(kernel_name=name)
    t0 = time.perf_counter()
    km.start_kernel(cwd=os.path.join(ROOT, "notebooks"))
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=600)
        times = {"kernel start": time.perf_counter() - t0}
        for i, cell in enumerate(CELLS[:-1]):
            times[f"{i}:{cell[0]}"] = run_cell(kc, cell[lang])
        times["trivial cell (median)"] = statistics.median(run_cell(kc, TRIVIAL[lang - 1]) for _ in range(repeats))
        times[f"{len(CELLS) - 1}:{CELLS[-1][0]}"] = run_cell(kc, CELLS[-1][lang])
        return times
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def committed_cell_times() -> list:
    """(notebook, run date, cell index, seconds) of every code cell, from nbclient's timestamps."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb"))):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            ex = cell.metadata.get("execution", {})
            if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
                t = [datetime.fromisoformat(ex[k].replace("Z", "+00:00")) for k in ("iopub.execute_input", "shell.execute_reply")]
                out.append((os.path.basename(path), t[0].date().isoformat(), i, (t[1] - t[0]).total_seconds()))
    return out


def print_committed(cells: list) -> None:
    print(f"\ncommitted notebooks (cell times recorded by nbclient):")
    print(f"  {'notebook':<34}{'run on':<12}{'cells':>6}{'setup':>9}{'median':>9}")
    for name in sorted({n for n, _, _, _ in cells}):
        mine = [c for c in cells if c[0] == name]
        secs = [s for _, _, _, s in mine]
        setup = next(s for _, _, i, s in mine if i == 0)
        print(f"  {name:<34}{mine[0][1]:<12}{len(secs):>6}{setup:>7.1f} s{statistics.median(secs):>7.2f} s")
    for date in sorted({d for _, d, _, _ in cells}):
        secs = [s for _, d, _, s in cells if d == date]
        print(f"  all cells of the notebooks run on {date}: {len(secs)}, median {statistics.median(secs):.2f} s (goal <= 1.5 s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", action="append", help="Rust kernel name(s) to time (default: rust)")
    ap.add_argument("--python-kernel", default="python3")
    ap.add_argument("--repeats", type=int, default=5, help="runs of the trivial cell for its median")
    ap.add_argument("--skip-committed", action="store_true")
    args = ap.parse_args()
    kernels = args.kernel or ["rust"]

    results = {k: bench_kernel(k, 1, args.repeats) for k in kernels}
    python = bench_kernel(args.python_kernel, 2, args.repeats)
    rows = list(python)
    width = max(12, *(len(k) + 2 for k in kernels))
    head = "".join(f"{k:>{width + 2}}" for k in kernels)
    ratio_head = "".join(f"{k + '/python':>{width + 10}}" for k in kernels)
    print(f"\n{'cell':<24}{head}{'python':>10}{ratio_head}")
    for row in rows:
        label = row.split(":", 1)[-1]
        rust = "".join(f"{results[k][row]:>{width}.2f} s" for k in kernels)
        ratios = "".join(f"{ratio(results[k][row], python[row]):>{width + 10}}" for k in kernels)
        print(f"{label:<24}{rust}{python[row]:>8.2f} s{ratios}")
    for k in kernels:
        r = results[k]
        start_setup = r["kernel start"] + r["0:setup cell"]
        first_let = r["2:first let"]
        print(f"\n{k}: kernel start + setup cell {start_setup:.1f} s (goal <= 5 s), first let {first_let:.2f} s "
              f"(goal <= 3 s), trivial cell {r['trivial cell (median)']:.2f} s (goal <= 1 s)")
    json.dump({"rust": results, "python": python}, open(os.path.join(ROOT, "target", "bench-notebook.json"), "w"), indent=1)

    if not args.skip_committed:
        cells = committed_cell_times()
        if cells:
            print_committed(cells)
    sys.exit(0)


if __name__ == "__main__":
    main()
