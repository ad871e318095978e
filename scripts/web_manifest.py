#!/usr/bin/env python3
"""The record of what post 05's browser demo was built from, and the check that it still is.

  web_manifest.py write DEMO_DIR INFO_JSON RUSTC_VERSION WASM_BINDGEN_VERSION   (scripts/build_web.sh)
  web_manifest.py check [DEMO_DIR]                                             (make test)

The manifest holds a hash of every source the WebAssembly build compiles (the crate's library,
the web crate, their lock files, the page script), the model's recipe and weights hash, and each
built file's hash. `check` fails when a source changed since the build (run scripts/build_web.sh),
when a built file was edited, when the model is not the committed `gap` run
(results/reproduce.txt), or when the page loads more than 5 MB.
"""
import glob
import hashlib
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(ROOT, "blog", "05-what-the-network-sees", "demo")
LIMIT = 5 * 1024 * 1024
BUILT = ["cnn_lab_web.js", "wasm.js", "demo.js", "model.js", "test-images.js"]


def sources():
    files = ["Cargo.toml", "Cargo.lock", "web/Cargo.toml", "web/Cargo.lock", "web/page/demo.js"]
    files += [p for p in glob.glob("src/**/*.rs", root_dir=ROOT, recursive=True) if not p.startswith("src/bin/")]
    files += glob.glob("web/src/**/*.rs", root_dir=ROOT, recursive=True)
    return sorted(files)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def sources_hash():
    lines = "".join(f"{p}\t{sha256(os.path.join(ROOT, p))}\n" for p in sources())
    return hashlib.sha256(lines.encode()).hexdigest()


def committed_gap_hash():
    for line in open(os.path.join(ROOT, "results", "reproduce.txt")):
        if line.startswith("== gap:"):
            return line.rsplit(" ", 1)[1].strip()
    sys.exit("results/reproduce.txt has no line for the gap recipe")


def write(demo, info, rustc, bindgen):
    manifest = {
        "what": "post 05's browser demo, built by scripts/build_web.sh",
        "crate": "cnn_lab " + next(l.split('"')[1] for l in open(os.path.join(ROOT, "Cargo.toml")) if l.startswith("version")),
        "toolchain": rustc,
        "wasm_bindgen": bindgen,
        "sources": len(sources()),
        "sources_sha256": sources_hash(),
        "model": json.loads(info),
        "files": {f: sha256(os.path.join(demo, f)) for f in BUILT},
        "bytes": sum(os.path.getsize(os.path.join(demo, f)) for f in BUILT),
    }
    with open(os.path.join(demo, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"manifest: {manifest['sources']} sources, model {manifest['model']['weights_sha256']}, {manifest['bytes'] / 1e6:.2f} MB")


def check(demo):
    path = os.path.join(demo, "manifest.json")
    if not os.path.exists(path):
        sys.exit(f"{os.path.relpath(path, ROOT)} is missing: run make web")
    m = json.load(open(path))
    problems = []
    if m["sources_sha256"] != sources_hash():
        problems.append("the crate's or the web crate's sources changed since the demo was built: run make web")
    for f, h in m["files"].items():
        p = os.path.join(demo, f)
        if not os.path.exists(p) or sha256(p) != h:
            problems.append(f"{f} is missing or differs from the build's: run make web")
    if m["model"]["weights_sha256"] != committed_gap_hash():
        problems.append(f"the demo's model ({m['model']['weights_sha256']}) is not the committed gap run ({committed_gap_hash()})")
    size = sum(os.path.getsize(os.path.join(demo, f)) for f in m["files"])
    if size > LIMIT:
        problems.append(f"the page loads {size / 1e6:.2f} MB, over the 5 MB budget")
    if problems:
        sys.exit("web demo: " + "\n  ".join(["stale or broken:"] + problems))
    print(f"web demo: built from the current sources, model {m['model']['weights_sha256']}, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "write":
        write(*sys.argv[2:])
    elif len(sys.argv) in (2, 3) and sys.argv[1] == "check":
        check(sys.argv[2] if len(sys.argv) == 3 else DEMO)
    else:
        sys.exit(__doc__)
