#!/usr/bin/env bash
# From an empty run cache in a scratch folder: retrain every recipe (`cnn-lab reproduce`), run
# every notebook on copies, and compare with what is committed: each recipe's test figures and
# weights hash (results/reproduce.txt), every number the notebooks print (timings masked) and
# results/results.json. Prints what differs; exits 1 if anything does.
#   scripts/reproduce_check.sh [SCRATCH]       (default target/reproduce-check; ~4 h on two cores)
#   REPRO_KEEP_RUNS=1 ...                      reuse SCRATCH/runs (to re-check after an interruption)
set -uo pipefail
cd "$(dirname "$0")/.."
dir="${1:-target/reproduce-check}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
[ -n "${REPRO_KEEP_RUNS:-}" ] || rm -rf "$dir/runs"
rm -rf "$dir/notebooks" "$dir/results.json"
mkdir -p "$dir/notebooks"
export CNN_LAB_RUNS="$dir/runs" CNN_LAB_RESULTS="$dir/results.json"
start=$(date +%s)
echo "== retraining every recipe into $CNN_LAB_RUNS"
./target/release/cnn-lab reproduce 2>&1 | tee "$dir/reproduce.log" || exit 1
grep '^== .*test accuracy' "$dir/reproduce.log" | sed 's/, [0-9.]* s\/epoch//' > "$dir/reproduce.txt"
echo "== running the notebooks on copies in $dir/notebooks"
cp notebooks/*.ipynb "$dir/notebooks/"
.venv/bin/python scripts/run_notebooks.py --cwd notebooks "$dir"/notebooks/*.ipynb || exit 1
echo "== comparing with the committed results"
bad=0
if ! diff results/reproduce.txt "$dir/reproduce.txt"; then
  echo "recipes: the lines above differ (< committed, > this run)"; bad=1
else
  echo "recipes: $(wc -l < "$dir/reproduce.txt") recipes, test figures and weights hashes identical"
fi
.venv/bin/python scripts/compare_outputs.py notebooks "$dir/notebooks" --results results/results.json "$dir/results.json" || bad=1
t=$(( $(date +%s) - start ))
printf 'wall time %d min %02d s\n' $((t / 60)) $((t % 60))
exit $bad
