#!/usr/bin/env bash
# Fuzz every reader of outside files (fuzz/fuzz_targets) for FUZZ_SECONDS each (default 600),
# starting from the seeds the crate writes and the committed corpus, then minimise the corpus.
#   scripts/fuzz.sh [TARGET...]        (default: idx csv model image)
# libFuzzer stops at the first crash, hang (>FUZZ_TIMEOUT s, default 10) or allocation over 1 GiB and leaves the input
# in fuzz/artifacts/TARGET/; fix it, then copy the input to fuzz/regressions/TARGET/ so that
# `cargo test` (tests/fuzz_replay.rs) replays it from then on.
# The corpus is committed packed (fuzz/corpus/TARGET.tar.gz, thousands of small files): it is
# unpacked into fuzz/corpus/TARGET/ (git-ignored) before fuzzing and packed again after.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable compiler take them.
set -euo pipefail
# Read whole before it runs (editing it during a long run cannot change the running one).
main() {
cd "$(dirname "$0")/.."
secs="${FUZZ_SECONDS:-600}"
# A hang is an input still running after FUZZ_TIMEOUT s of wall time (libFuzzer counts wall time, so
# raise it when the fuzzer shares a busy CPU at low priority).
timeout="${FUZZ_TIMEOUT:-10}"
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(idx csv model image)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  [ ! -f "fuzz/corpus/$t.tar.gz" ] || tar -xzf "fuzz/corpus/$t.tar.gz" -C "fuzz/corpus/$t"
done
./target/release/cnn-lab fuzz-seeds fuzz/corpus
cargo fuzz build
# Reproducible packs: sorted names, no owners or dates.
pack() {
  (cd "fuzz/corpus/$1" && find . -type f -printf '%P\n' | LC_ALL=C sort \
    | tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - -T - | gzip -n -9 > "../$1.tar.gz")
}
for t in "${targets[@]}"; do
  echo "== fuzzing $t for $secs s"
  log="fuzz/artifacts/$t.log"; mkdir -p "fuzz/artifacts/$t"
  cargo fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb=2048 \
      -malloc_limit_mb=1024 -max_len=16384 -print_final_stats=1 -close_fd_mask=3 2>&1 | tee "$log" | grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|ERROR|SUMMARY' || true
  grep -E 'stat::number_of_executed_units' "$log" | tail -2
  cargo fuzz cmin "$t" "fuzz/corpus/$t" >/dev/null 2>&1
  pack "$t"
  echo "corpus: $(ls "fuzz/corpus/$t" | wc -l) inputs after minimising, packed in fuzz/corpus/$t.tar.gz"
  if ls "fuzz/artifacts/$t"/{crash,oom,timeout,leak}-* >/dev/null 2>&1; then
    echo "$t: FOUND PROBLEMS, inputs in fuzz/artifacts/$t/"; exit 1
  fi
done
}
main "$@"
