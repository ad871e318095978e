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
# Eight kernels already running: fall back to evcxr's own temporary directory.
exec "${EVCXR_JUPYTER:-evcxr_jupyter}" "$@"
