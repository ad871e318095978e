#!/usr/bin/env python3
"""Adapt the registered evcxr kernel (kernel.json) for these notebooks.

- "env": evcxr builds dependencies in a dev profile with debug assertions and overflow checks
  on, which slows burn's CPU kernels; Cargo's CARGO_PROFILE_DEV_* variables override that
  profile.
- "argv": the kernel starts through evcxr_kernel.sh (copied into the kernel's folder), which
  gives each running kernel a kept build directory, so a restart does not recompile cnn_lab.

CNN_LAB_EVCXR_DEFAULT=1 restores evcxr's own kernel.json (to measure the "before" case)."""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
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
evcxr = shutil.which("evcxr_jupyter") or os.path.expanduser("~/.cargo/bin/evcxr_jupyter")
if os.environ.get("CNN_LAB_EVCXR_DEFAULT"):
    spec.pop("env", None)
    spec["argv"] = [evcxr, "--control_file", "{connection_file}"]
else:
    wrapper = os.path.join(os.path.dirname(path), "cnn-lab-kernel.sh")
    shutil.copyfile(os.path.join(HERE, "evcxr_kernel.sh"), wrapper)
    os.chmod(wrapper, 0o755)
    spec["argv"] = ["bash", wrapper, "--control_file", "{connection_file}"]
    spec.setdefault("env", {}).update(ENV, EVCXR_JUPYTER=evcxr)
json.dump(spec, open(path, "w"), indent=1)
print(f"patched {path}: argv={spec['argv']} env={spec.get('env', {})}")
