#!/usr/bin/env bash
# From an empty run cache in a scratch folder: retrain every recipe (`cnn-lab reproduce`), run
# every notebook on copies, and compare with what is committed: each recipe's test figures and
# weights hash (results/reproduce.txt), every number the notebooks print (timings masked) and
# results/results.json. Prints what differs; exits 1 if anything does.
#   scripts/reproduce_check.sh [SCRATCH]              everything (default target/reproduce-check; ~4 h on two cores)
#   scripts/reproduce_check.sh SCRATCH --part 00-03   one part from its own empty cache: its
#                                                     notebooks and the recipes they use (~1.5 h)
#   scripts/reproduce_check.sh SCRATCH --part 04-07   (~1.5 h); parts fit where the whole does not
#   scripts/reproduce_check.sh SCRATCH NAME...        retrain and compare only these recipes (no notebooks)
#   REPRO_KEEP_RUNS=1 ...                             reuse the scratch folder's runs: resume after an
#                                                     interruption; the wall time printed at the end
#                                                     adds up every invocation's
set -uo pipefail
# The whole script is read before it runs (a function called on the last line), so editing it
# during a multi-hour check cannot change the running one.
main() {
cd "$(dirname "$0")/.."
dir="${1:-target/reproduce-check}"
shift || true
# A part is a set of notebooks with every recipe they train; each is checked from its own empty
# cache, so the parts can run on different days or machines and still each prove their numbers.
part="" notebooks=(notebooks/*.ipynb) recipes=()
if [ "${1:-}" = "--part" ]; then
  part="${2:?--part needs 00-03 or 04-07}"
  case "$part" in
    00-03) notebooks=(notebooks/0[0-3]-*.ipynb)
           recipes=(model1 model1-1k tfds-1k mlp model2 model3 model3-keras gap
                    model1/seed=1 model1/seed=2 model1-dropout model1-dropout/seed=1 model1-dropout/seed=2
                    model1-l2 model1-l2/seed=1 model1-l2/seed=2
                    model1-cosine model1-cosine/seed=1 model1-cosine/seed=2) ;;
    04-07) notebooks=(notebooks/0[4-7]-*.ipynb)
           recipes=(gap gap-aug gap-mirror model4 vgg digits) ;;
    *) echo "unknown part $part (00-03 or 04-07)"; exit 2 ;;
  esac
  dir="$dir/$part"
fi
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
if [ -z "$part" ] && [ $# -gt 0 ]; then
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
if [ -n "$part" ]; then
  # A notebook's results table shows the rows of the notebooks before it: start from the committed
  # rows of the notebooks before this part (the part that holds them checks them).
  first="$(basename "${notebooks[0]}" .ipynb)"
  python3 -c 'import json, sys
rows = [r for r in json.load(open("results/results.json")) if r["notebook"] < sys.argv[1]]
json.dump(rows, open(sys.argv[2], "w"), indent=2)' "$first" "$CNN_LAB_RESULTS" || exit 1
fi
echo "== retraining ${part:+the recipes of part $part }into $CNN_LAB_RUNS"
./target/release/cnn-lab reproduce "${recipes[@]}" 2>&1 | tee "$dir/reproduce.log" || exit 1
grep '^== .*test accuracy' "$dir/reproduce.log" | sed 's/, [0-9.]* s\/epoch//' > "$dir/reproduce.txt"
echo "== running ${#notebooks[@]} notebooks on copies in $dir/notebooks"
cp "${notebooks[@]}" "$dir/notebooks/"
.venv/bin/python scripts/run_notebooks.py --cwd notebooks "$dir"/notebooks/*.ipynb || exit 1
echo "== comparing with the committed results"
bad=0
if [ -n "$part" ]; then
  # Every line of this part must be one of the committed lines, and every recipe must have run.
  if grep -Fxv -f results/reproduce.txt "$dir/reproduce.txt"; then
    echo "recipes: the lines above differ from results/reproduce.txt"; bad=1
  elif [ "$(wc -l < "$dir/reproduce.txt")" -ne "${#recipes[@]}" ]; then
    echo "recipes: $(wc -l < "$dir/reproduce.txt") results for ${#recipes[@]} recipes"; bad=1
  else
    echo "recipes: ${#recipes[@]} recipes, test figures and weights hashes identical"
  fi
elif ! diff results/reproduce.txt "$dir/reproduce.txt"; then
  echo "recipes: the lines above differ (< committed, > this run)"; bad=1
else
  echo "recipes: $(wc -l < "$dir/reproduce.txt") recipes, test figures and weights hashes identical"
fi
.venv/bin/python scripts/compare_outputs.py ${part:+--subset} notebooks "$dir/notebooks" \
  --results results/results.json "$dir/results.json" || bad=1
now=$(( $(date +%s) - start )); t=$(( prior + now ))
printf 'wall time %d min %02d s (this invocation %d min)\n' $((t / 60)) $((t % 60)) $((now / 60))
exit $bad
}
main "$@"
