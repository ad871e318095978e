#!/usr/bin/env python3
"""Add environment settings to the registered evcxr kernel (kernel.json "env").

evcxr builds dependencies in a dev profile with debug assertions and overflow checks on,
which slows burn's CPU kernels; Cargo's CARGO_PROFILE_DEV_* variables override that profile.
Also points CNN_LAB_* defaults through unchanged (the kernel inherits the caller's env)."""
import json
import os
import subprocess
import sys

ENV = {
    "CARGO_PROFILE_DEV_OPT_LEVEL": "3",
    "CARGO_PROFILE_DEV_DEBUG_ASSERTIONS": "false",
    "CARGO_PROFILE_DEV_OVERFLOW_CHECKS": "false",
}

data_dir = subprocess.check_output([sys.executable, "-m", "jupyter", "--data-dir"], text=True).strip()
candidates = [os.path.join(data_dir, "kernels", "rust", "kernel.json"),
              os.path.expanduser("~/.local/share/jupyter/kernels/rust/kernel.json")]
path = next((p for p in candidates if os.path.isfile(p)), None)
if path is None:
    sys.exit("evcxr kernel not registered: run `evcxr_jupyter --install` first")
spec = json.load(open(path))
if os.environ.get("CNN_LAB_EVCXR_DEFAULT_PROFILE"):
    spec.pop("env", None)  # measure the "before" case
else:
    spec.setdefault("env", {}).update(ENV)
json.dump(spec, open(path, "w"), indent=1)
print(f"patched {path}: env={spec.get('env', {})}")
