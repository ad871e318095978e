#!/usr/bin/env bash
# Build post 05's browser demo into blog/05-what-the-network-sees/demo/: the crate's inference
# compiled to WebAssembly (web/), its JavaScript glue, the GAP network (recipe `gap`, from the
# run cache; trained first if it is not there, ~15 min, and said so) and the demo's test images,
# with a manifest of what it was built from (scripts/web_manifest.py; `make test` fails when the
# sources no longer match it). See web/README.md.
#
# Toolchain: rustup's compiler here has no wasm32 standard library and cannot download one.
# Debian bookworm's security archive has rustc 1.96 ("rustc-web") with the wasm32 target and its
# library sources; `-Zbuild-std` (allowed on a stable compiler by RUSTC_BOOTSTRAP=1) builds std
# for wasm32 from them. Debian's rustc has no `rust-lld`; it links with LLVM 22's wasm-ld, the
# LLVM it was built with (lld-22).
set -euo pipefail
main() {
cd "$(dirname "$0")/.."
out=blog/05-what-the-network-sees/demo
linker=/usr/lib/llvm-22/bin/wasm-ld
if ! /usr/bin/rustc --print target-list 2>/dev/null | grep -qx wasm32-unknown-unknown \
    || [ ! -d /usr/lib/rustlib/src/rust/library ] || [ ! -x "$linker" ]; then
  echo "build_web: needs Debian's rustc-web, cargo-web, rust-web-src and lld-22 (bookworm-security):"
  echo "  sudo apt-get install rustc-web cargo-web rust-web-src lld-22"
  exit 1
fi
bindgen_version=$(grep -A1 '^name = "wasm-bindgen"$' web/Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
echo "== WebAssembly build (Debian $(/usr/bin/rustc --version | cut -d' ' -f1-2), wasm-bindgen $bindgen_version)"
(cd web && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$linker" \
  RUSTFLAGS='--cfg getrandom_backend="wasm_js" -C target-feature=+simd128' \
  /usr/bin/cargo build --release --locked --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$bindgen_version" ]; then
  # Not --locked: its lock file pins a webpki-roots release that crates.io no longer serves.
  cargo install wasm-bindgen-cli --version "$bindgen_version"
fi
rm -rf target/web-bindgen
wasm-bindgen --target no-modules --no-typescript --out-dir target/web-bindgen \
  web/target/wasm32-unknown-unknown/release/cnn_lab_web.wasm
mkdir -p "$out"
cp target/web-bindgen/cnn_lab_web.js "$out/cnn_lab_web.js"
# The module as a script, not a file to fetch (pages opened from disk may not fetch), gzipped:
# 5.1 MB of WebAssembly is 1.1 MB compressed; the page inflates it with DecompressionStream.
python3 - "$out/wasm.js" target/web-bindgen/cnn_lab_web_bg.wasm <<'PY'
import base64, gzip, sys
data = base64.b64encode(gzip.compress(open(sys.argv[2], "rb").read(), 9, mtime=0)).decode()
open(sys.argv[1], "w").write(f'// cnn_lab_web_bg.wasm, gzipped (scripts/build_web.sh); do not edit.\nwindow.CNN_LAB_WASM_GZ = "{data}";\n')
PY
cp web/page/demo.js "$out/demo.js"
echo "== the network and the test images"
info=$(./target/release/cnn-lab web-demo assets "$out" --recipe gap | tail -1)
python3 scripts/web_manifest.py write "$out" "$info" "$(/usr/bin/rustc --version)" "$bindgen_version"
du -ch "$out"/* | tail -1
}
main "$@"
