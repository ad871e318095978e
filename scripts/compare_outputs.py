#!/usr/bin/env python3
"""Compare the numbers two runs of the notebooks printed, cell by cell, ignoring timings.

Usage: compare_outputs.py [--subset] DIR_A DIR_B [--results A.json B.json]
  DIR_A, DIR_B: folders holding the same notebooks (*.ipynb), executed twice.
  --subset: compare only the notebooks DIR_B holds (and only their rows of the results tables).
  --results: two results tables (results/results.json format) compared row by row, timings left out.
Prints every cell whose numbers differ (notebook, cell, the first differing line of each run) and
exits 1 if any do; 0 with a one-line count otherwise.

Timings (seconds, img/s, speed ratios) differ from run to run by nature and are masked before the
comparison; so are kernel-specific paths. Everything else a cell prints (losses, accuracies,
counts, probabilities, table cells) must match exactly: on CPU training is deterministic.
"""
import glob
import json
import os
import re
import sys

NUMBER = re.compile(r"[-+]?\d[\d,]*\.?\d*(?:[eE][-+]?\d+)?")
# A number followed by a unit of time or speed, or after a word that introduces a speed ratio.
TIMING = re.compile(
    r"[-+]?\d[\d,]*\.?\d*\s*(?:s/epoch|img/s|images/s|ms|µs|s|sec|seconds|min|minutes|h)\b"
    r"|[-+]?\d[\d,]*\.?\d*\s*×"
    r"|\b(?:ratio|speed-?up|slower|faster)\b[^\n\d]{0,20}[-+]?\d[\d,]*\.?\d*"
    r"|\b(?:here|native)\s+\d+",  # the rounds of a speed comparison (img/s columns)
    re.IGNORECASE,
)
# A progress line ("epoch 3/10 batch 262/375 loss ... acc ...") is a snapshot taken when a timer
# fires, so the batch it shows varies from run to run; the epoch lines that follow it do not.
PROGRESS = re.compile(r"^\s*epoch \d+/\d+ batch \d+/\d+")


def cell_text(cell) -> str:
    """The text a code cell shows: streams and text/plain or text/markdown results."""
    parts = []
    for o in cell.get("outputs", []):
        if "text" in o:
            parts.append("".join(o["text"]))
        data = o.get("data", {})
        for kind in ("text/markdown", "text/plain"):
            if kind in data:
                parts.append("".join(data[kind]))
                break
    return "".join(parts)


def numbers(text: str):
    """(line, numbers) for every line that has numbers once timings are masked."""
    out = []
    for line in text.splitlines():
        if PROGRESS.match(line):
            continue
        masked = TIMING.sub("<t>", line)
        found = NUMBER.findall(masked)
        if found:
            out.append((line.strip(), found))
    return out


def compare_notebook(a_path: str, b_path: str):
    """Differences as (cell number, line from A, line from B); and how many numbers matched."""
    a = json.load(open(a_path))["cells"]
    b = json.load(open(b_path))["cells"]
    diffs, count = [], 0
    if len(a) != len(b):
        return [(0, f"{len(a)} cells", f"{len(b)} cells")], 0
    for i, (ca, cb) in enumerate(zip(a, b)):
        if ca.get("cell_type") != "code":
            continue
        na, nb = numbers(cell_text(ca)), numbers(cell_text(cb))
        flat_a = [x for _, ns in na for x in ns]
        flat_b = [x for _, ns in nb for x in ns]
        if flat_a == flat_b:
            count += len(flat_a)
            continue
        # The first line whose numbers differ, for the report.
        k = next((j for j, (x, y) in enumerate(zip(na, nb)) if x[1] != y[1]), min(len(na), len(nb)))
        la = na[k][0] if k < len(na) else "(no more numbers)"
        lb = nb[k][0] if k < len(nb) else "(no more numbers)"
        diffs.append((i + 1, la, lb))
    return diffs, count


def compare_results(a_path: str, b_path: str, notebooks=None):
    def rows(p):
        return {(r["notebook"], r["model"]): r for r in json.load(open(p))
                if notebooks is None or r["notebook"] in notebooks}
    a, b = rows(a_path), rows(b_path)
    diffs = []
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            diffs.append(f"{key[0]} / {key[1]}: only in {'B' if key not in a else 'A'}")
            continue
        for field in ("params", "epochs", "test_loss", "test_accuracy"):
            if a[key][field] != b[key][field]:
                diffs.append(f"{key[0]} / {key[1]}: {field} {a[key][field]} vs {b[key][field]}")
    return diffs, len(a)


def main() -> None:
    args = sys.argv[1:]
    results = None
    subset = "--subset" in args
    args = [a for a in args if a != "--subset"]
    if "--results" in args:
        i = args.index("--results")
        results, args = args[i + 1:i + 3], args[:i] + args[i + 3:]
    if len(args) != 2:
        sys.exit(__doc__)
    dir_a, dir_b = args
    names = sorted(os.path.basename(p) for p in glob.glob(os.path.join(dir_b if subset else dir_a, "*.ipynb")))
    if not names:
        sys.exit(f"no notebooks in {dir_a}")
    bad, total = 0, 0
    for name in names:
        other = os.path.join(dir_b, name)
        if not os.path.exists(other):
            print(f"{name}: missing in {dir_b}")
            bad += 1
            continue
        diffs, count = compare_notebook(os.path.join(dir_a, name), other)
        total += count
        for cell, la, lb in diffs:
            bad += 1
            print(f"{name}, cell {cell}:\n  A: {la}\n  B: {lb}")
    if results:
        stems = {n[:-len(".ipynb")] for n in names} if subset else None
        diffs, rows = compare_results(*results, notebooks=stems)
        for d in diffs:
            bad += 1
            print(f"results: {d}")
        print(f"results: {rows} rows compared")
    if bad:
        print(f"{bad} difference(s) between {dir_a} (A) and {dir_b} (B)")
        sys.exit(1)
    print(f"no difference: {total} numbers in {len(names)} notebooks (timings masked)")


if __name__ == "__main__":
    main()
