#!/usr/bin/env bash
# From an empty run cache in a scratch folder: retrain every recipe (`cnn-lab reproduce`), run
# every notebook on copies, and compare with what is committed: each recipe's test figures and
# weights hash (results/reproduce.txt), every number the notebooks print (timings masked) and
# results/results.json. Prints what differs; exits 1 if anything does.
#   scripts/reproduce_check.sh [SCRATCH]       (default target/reproduce-check; ~4 h on two cores)
#   scripts/reproduce_check.sh SCRATCH NAME...  retrain and compare only these recipes (no notebooks)
#   REPRO_KEEP_RUNS=1 ...                      reuse SCRATCH/runs: resume after an interruption or
#                                              after checking some recipes first; the wall time
#                                              printed at the end adds up every invocation's
set -uo pipefail
# The whole script is read before it runs (a function called on the last line), so editing it
# during a multi-hour check cannot change the running one.
main() {
cd "$(dirname "$0")/.."
dir="${1:-target/reproduce-check}"
shift || true
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
prior=0
if [ -n "${REPRO_KEEP_RUNS:-}" ]; then
  prior=$(cat "$dir/seconds" 2>/dev/null || echo 0)
else
  rm -rf "$dir/runs"
fi
start=$(date +%s)
# Keep the running total even when interrupted (every minute, and on exit), so a resumed check
# reports the whole cost.
save_seconds() { echo $(( prior + $(date +%s) - start )) > "$dir/seconds"; }
( while sleep 60; do save_seconds; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null; save_seconds' EXIT
export CNN_LAB_RUNS="$dir/runs"
if [ $# -gt 0 ]; then
  export CNN_LAB_RESULTS="$dir/results-some.json"
  echo "== retraining $* into $CNN_LAB_RUNS"
  ./target/release/cnn-lab reproduce "$@" 2>&1 | tee "$dir/reproduce-some.log" || exit 1
  grep '^== .*test accuracy' "$dir/reproduce-some.log" | sed 's/, [0-9.]* s\/epoch//' > "$dir/some.txt"
  if grep -Fxv -f results/reproduce.txt "$dir/some.txt"; then
    echo "recipes: the lines above differ from results/reproduce.txt"; exit 1
  fi
  echo "recipes: $(wc -l < "$dir/some.txt") of them identical to results/reproduce.txt"
  exit 0
fi
rm -rf "$dir/notebooks" "$dir/results.json"
mkdir -p "$dir/notebooks"
export CNN_LAB_RESULTS="$dir/results.json"
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
now=$(( $(date +%s) - start )); t=$(( prior + now ))
printf 'wall time %d min %02d s (this invocation %d min)\n' $((t / 60)) $((t % 60)) $((now / 60))
exit $bad
}
main "$@"
