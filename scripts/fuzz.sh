#!/usr/bin/env bash
# Fuzz every reader of outside files (fuzz/fuzz_targets) for FUZZ_SECONDS each (default 600),
# starting from the seeds the crate writes and the committed corpus, then minimise the corpus.
#   scripts/fuzz.sh [TARGET...]        (default: idx csv model image)
# libFuzzer stops at the first crash, hang (>10 s) or allocation over 1 GiB and leaves the input
# in fuzz/artifacts/TARGET/; fix it, then copy the input to fuzz/regressions/TARGET/ so that
# `cargo test` (tests/fuzz_replay.rs) replays it from then on.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable compiler take them.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-600}"
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(idx csv model image)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
./target/release/cnn-lab fuzz-seeds fuzz/corpus
cargo fuzz build
for t in "${targets[@]}"; do
  echo "== fuzzing $t for $secs s"
  log="fuzz/artifacts/$t.log"; mkdir -p "fuzz/artifacts/$t"
  cargo fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -max_len=16384 -print_final_stats=1 -close_fd_mask=3 2>&1 | tee "$log" | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|SUMMARY' || true
  grep -E 'stat::number_of_executed_units' "$log" | tail -2
  cargo fuzz cmin "$t" "fuzz/corpus/$t" >/dev/null 2>&1
  echo "corpus: $(ls "fuzz/corpus/$t" | wc -l) inputs after minimising"
  if ls "fuzz/artifacts/$t"/{crash,oom,timeout,leak}-* >/dev/null 2>&1; then
    echo "$t: FOUND PROBLEMS, inputs in fuzz/artifacts/$t/"; exit 1
  fi
done
