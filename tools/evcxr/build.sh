#!/usr/bin/env bash
# Build evcxr_jupyter 0.22.0 from crates.io's sources plus the patches in this folder, and install
# it as ~/.cargo/bin/evcxr_jupyter. Skips the build when the installed kernel was built from the
# same sources and patches (a stamp beside the binary records their hash).
#
#   tools/evcxr/build.sh          build if needed
#   CNN_LAB_EVCXR_STOCK=1 CNN_LAB_EVCXR_BIN=target/evcxr-stock/evcxr_jupyter tools/evcxr/build.sh
#                                 the same kernel without the patches, elsewhere (to compare)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VERSION=0.22.0
# The .crate files the patches were written against (sha256, as in crates.io's index).
SHA_EVCXR=ee69caeeefc311959b85962458e370d8eccb165123edbc5270134aaee6d7ed80
SHA_JUPYTER=3ce0d7b3058f68a9673df4f1266b641942fea0ec131881d095306e509a382764
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
BIN="${CNN_LAB_EVCXR_BIN:-$CARGO_HOME/bin/evcxr_jupyter}"
WORK="$ROOT/target/evcxr-src"
PATCHES=()
[ -n "${CNN_LAB_EVCXR_STOCK:-}" ] || PATCHES=("$HERE"/*.patch)

stamp="$(cat "$0" ${PATCHES[@]+"${PATCHES[@]}"} | sha256sum | cut -c1-16)"
if [ -x "$BIN" ] && [ "$(cat "$BIN.cnn-lab-stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "evcxr_jupyter $VERSION (${#PATCHES[@]} patches) already installed"; exit 0
fi

# Download the two crates with cargo (its registry settings and proxy), then check them.
rm -rf "$WORK" && mkdir -p "$WORK/fetch/src"
printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nevcxr_jupyter = "=%s"\n' \
  "$VERSION" > "$WORK/fetch/Cargo.toml"
touch "$WORK/fetch/src/lib.rs"
cargo fetch --quiet --manifest-path "$WORK/fetch/Cargo.toml"
extract() {  # name sha256
  local crate; crate="$(ls "$CARGO_HOME"/registry/cache/*/"$1-$VERSION.crate" | head -1)"
  echo "$2  $crate" | sha256sum --check --quiet
  tar xzf "$crate" -C "$WORK"
}
extract evcxr "$SHA_EVCXR"
extract evcxr_jupyter "$SHA_JUPYTER"
# A patch named *-jupyter-* changes the kernel crate (evcxr_jupyter), the others the library.
for p in ${PATCHES[@]+"${PATCHES[@]}"}; do
  echo "applying $(basename "$p")"
  case "$(basename "$p")" in
    *-jupyter-*) patch --quiet -p1 -d "$WORK/evcxr_jupyter-$VERSION" < "$p" ;;
    *) patch --quiet -p1 -d "$WORK/evcxr-$VERSION" < "$p" ;;
  esac
done
# Build the kernel against the patched library, keeping every other version as evcxr_jupyter's
# own Cargo.lock pins it (cargo only rewrites the evcxr entry to the path source).
printf '\n[patch.crates-io]\nevcxr = { path = "../evcxr-%s" }\n' "$VERSION" >> "$WORK/evcxr_jupyter-$VERSION/Cargo.toml"
cargo build --release --quiet --manifest-path "$WORK/evcxr_jupyter-$VERSION/Cargo.toml" \
  --target-dir "$ROOT/target/evcxr-build"
mkdir -p "$(dirname "$BIN")"
install -m 755 "$ROOT/target/evcxr-build/release/evcxr_jupyter" "$BIN"
echo "$stamp" > "$BIN.cnn-lab-stamp"
echo "installed $BIN (evcxr $VERSION, ${#PATCHES[@]} patches)"
