#!/usr/bin/env bash
# Start evcxr_jupyter with a build directory that outlives the kernel.
#
# evcxr builds each kernel's code in a fresh temporary directory, so every kernel start
# recompiled the cnn_lab path crate (~35 s: evcxr's :cache skips crates Cargo builds
# incrementally, i.e. path crates). With EVCXR_TMPDIR pointing at a kept directory, Cargo sees
# the crate unchanged and only links. Two kernels must not share a directory (each rewrites
# src/lib.rs), so each takes the first free slot and holds its lock for its whole life: the
# lock is on fd 9, which evcxr_jupyter inherits through exec.
set -euo pipefail
base="${CNN_LAB_EVCXR_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/cnn_lab/evcxr}"
mkdir -p "$base"
for slot in 0 1 2 3 4 5 6 7; do
  exec 9>"$base/slot-$slot.lock"
  if flock -n 9; then
    export EVCXR_TMPDIR="$base/slot-$slot"
    mkdir -p "$EVCXR_TMPDIR"
    break
  fi
  exec 9>&-
done
# The code libraries evcxr builds find Rust's libstd through a relative RUNPATH that rustc
# computes for deps/ while evcxr loads them from the folder above: from a folder under /tmp the
# extra "../" is absorbed at "/", from one under $HOME it is not ("dlopen failed"). Name the
# toolchain's library folder explicitly.
if sysroot="$(rustc --print sysroot 2>/dev/null)"; then
  for lib in "$sysroot"/lib/rustlib/*/lib; do
    export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  done
fi
# Dependencies (burn, cnn_lab) always build optimised, whatever a cell's `:opt` says, so that
# training in a notebook runs as fast as the release binary while each cell's own small crate
# compiles at evcxr's cheap default. Cargo reads this file because it lies above every slot.
mkdir -p "$base/.cargo"
cat > "$base/.cargo/config.toml" <<'TOML'
# Written by cnn-lab-kernel.sh at every kernel start.
[profile.dev.package."*"]
opt-level = 3
debug-assertions = false
overflow-checks = false
TOML
# evcxr's own settings: offline_mode resolves `:dep`s from the crates already on this machine
# instead of updating the crates.io index at every kernel start (1.7 s of a 4 s setup cell, and
# a network access; `:offline 0` in a cell turns it back on for a crate not downloaded yet).
# init.evcxr turns on evcxr's artefact cache, so that a kernel in a new slot (two notebooks open
# at once) reuses the dependencies another slot compiled instead of compiling burn again. A
# user's own evcxr.toml wins; their init.evcxr and prelude.rs are kept. (CNN_LAB_KERNEL_STOCK=1:
# the configuration before 2026-12, for comparisons.)
user_config="${EVCXR_CONFIG_DIR:-${XDG_CONFIG_HOME:-$HOME/.config}/evcxr}"
if [ ! -e "$user_config/evcxr.toml" ] && [ -z "${CNN_LAB_KERNEL_STOCK:-}" ]; then
  mkdir -p "$base/config"
  printf '[evcxr]\noffline_mode = true\n' > "$base/config/evcxr.toml"
  { echo ":cache 4096"; if [ -e "$user_config/init.evcxr" ]; then cat "$user_config/init.evcxr"; fi; } > "$base/config/init.evcxr"
  if [ -e "$user_config/prelude.rs" ]; then cp "$user_config/prelude.rs" "$base/config/"; else rm -f "$base/config/prelude.rs"; fi
  export EVCXR_CONFIG_DIR="$base/config"
fi
# Eight kernels already running: fall back to evcxr's own temporary directory.
exec "${EVCXR_JUPYTER:-evcxr_jupyter}" "$@"
