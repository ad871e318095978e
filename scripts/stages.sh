#!/usr/bin/env bash
# Run make targets one after another, print each one's wall time as it ends and a table at the
# end, so a slow stage shows in CI's log. Usage: scripts/stages.sh TARGET...
set -uo pipefail
declare -a names times
total_start=$(date +%s)
for target in "$@"; do
  start=$(date +%s)
  echo "=== stage $target: started $(date -u +%H:%M:%S)"
  if ! ${MAKE:-make} --no-print-directory "$target"; then
    echo "=== stage $target: FAILED after $(( $(date +%s) - start )) s"
    exit 1
  fi
  dt=$(( $(date +%s) - start ))
  names+=("$target"); times+=("$dt")
  echo "=== stage $target: ${dt} s"
done
echo "=== stage times"
for i in "${!names[@]}"; do printf '%-16s %6d s  (%d min %02d s)\n' "${names[$i]}" "${times[$i]}" $(( times[i] / 60 )) $(( times[i] % 60 )); done
t=$(( $(date +%s) - total_start ))
printf '%-16s %6d s  (%d min %02d s)\n' total "$t" $(( t / 60 )) $(( t % 60 ))
