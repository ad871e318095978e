#!/usr/bin/env python3
"""Where a fuzz target's edges are, crate by crate: runs the built target once over each corpus
folder given (libFuzzer's -runs=0 -print_coverage=1) and counts covered edges per crate, so two
corpora (before and after a run) show which code the new edges are in.

    scripts/fuzz_coverage.py image OLD_CORPUS_DIR [NEW_CORPUS_DIR]

Build the target first (scripts/fuzz.sh does). Needs llvm-symbolizer (Debian's llvm package).
"""
import collections
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINE = re.compile(r"(UN)?COVERED_FUNC: hits: \d+ edges: (\d+)/\d+ .* (\S+):\d+$")


def crate(path):
    """The crate a source path belongs to: cnn_lab, std, or the registry crate's name."""
    if path.startswith("/rustc/"):
        return "std"
    if path.startswith(ROOT + "/"):
        return "cnn_lab"
    m = re.search(r"/registry/src/[^/]+/([^/]+)/", path)
    return re.sub(r"-[0-9][0-9.]*(\+.*)?$", "", m.group(1)) if m else "other"


def edges(target, corpus):
    """Covered edges per crate after running every input in `corpus` once."""
    binary = os.path.join(ROOT, "fuzz/target/x86_64-unknown-linux-gnu/release", target)
    if not os.path.exists(binary):
        sys.exit(f"{binary}: not built (run scripts/fuzz.sh {target} first)")
    if not os.path.isdir(corpus):
        sys.exit(f"{corpus}: not a folder of inputs")
    symbolizer = shutil.which("llvm-symbolizer") or sys.exit("llvm-symbolizer not found (apt install llvm)")
    env = dict(os.environ, ASAN_OPTIONS="symbolize=1", ASAN_SYMBOLIZER_PATH=symbolizer)
    out = subprocess.run([binary, "-runs=0", "-print_coverage=1", "-timeout=60", "-rss_limit_mb=2048",
                          "-malloc_limit_mb=1024", "-close_fd_mask=3", corpus],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace").stdout
    counts = collections.Counter()
    for line in out.splitlines():
        m = LINE.match(line.strip())
        if m and not m.group(1):
            counts[crate(m.group(3))] += int(m.group(2))
    if not counts:
        sys.exit(f"{target}: no coverage printed; the run's last lines:\n" + "\n".join(out.splitlines()[-10:]))
    return counts


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    target, corpora = sys.argv[1], sys.argv[2:]
    runs = [edges(target, c) for c in corpora]
    names = sorted(set().union(*runs), key=lambda c: (-(runs[-1][c] - runs[0][c]), -runs[-1][c]))
    print(f"{'crate':16s}" + "".join(f"{os.path.basename(c.rstrip('/')):>10.10s}" for c in corpora)
          + ("     added" if len(runs) == 2 else ""))
    for c in names + ["total"]:
        n = [sum(r.values()) if c == "total" else r[c] for r in runs]
        print(f"{c:16s}" + "".join(f"{v:10d}" for v in n) + (f"{n[1] - n[0]:+10d}" if len(n) == 2 else ""))


if __name__ == "__main__":
    main()
