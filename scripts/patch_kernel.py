#!/usr/bin/env python3
"""Register the Rust kernel these notebooks run on (kernel.json), after `evcxr_jupyter --install`.

- "argv": the kernel starts through evcxr_kernel.sh (copied into the kernel's folder). It gives
  each running kernel a kept build folder, so a restart does not recompile cnn_lab, and a Cargo
  config above those folders that builds every dependency optimised (burn at opt-level 3) while
  each cell's own code compiles at the level its notebook asks for (notebooks/evcxr.toml).
- "env": none. (Before 2026-12 the kernel set CARGO_PROFILE_DEV_OPT_LEVEL=3, which also compiled
  every cell at opt-level 3.)

Usage: patch_kernel.py [--name NAME --evcxr PATH --stock]
  --name/--evcxr register a second kernel (say "rust-stock") beside "rust", to compare two builds
  of evcxr in one `scripts/bench_notebook.py --kernel rust --kernel rust-stock` run.
  --stock (or CNN_LAB_EVCXR_DEFAULT=1) registers the configuration used before 2026-12: the same
  wrapper, with every crate (cells included) at opt-level 3 through the environment. Give it a
  stock evcxr_jupyter (tools/evcxr/build.sh with CNN_LAB_EVCXR_STOCK=1). Dependencies build with
  the same settings either way, so both kernels share the kept build folders.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# What the kernel used before 2026-12 (all code at opt-level 3), for the --stock comparison.
STOCK_ENV = {
    "CARGO_PROFILE_DEV_OPT_LEVEL": "3",
    "CARGO_PROFILE_DEV_DEBUG_ASSERTIONS": "false",
    "CARGO_PROFILE_DEV_OVERFLOW_CHECKS": "false",
}

ap = argparse.ArgumentParser()
ap.add_argument("--name", default="rust")
ap.add_argument("--evcxr", default=shutil.which("evcxr_jupyter") or os.path.expanduser("~/.cargo/bin/evcxr_jupyter"))
ap.add_argument("--stock", action="store_true", default=bool(os.environ.get("CNN_LAB_EVCXR_DEFAULT")))
args = ap.parse_args()

data_dir = subprocess.check_output([sys.executable, "-m", "jupyter", "--data-dir"], text=True).strip()
candidates = [os.path.join(data_dir, "kernels", "rust", "kernel.json"),
              os.path.expanduser("~/.local/share/jupyter/kernels/rust/kernel.json")]
source = next((p for p in candidates if os.path.isfile(p)), None)
if source is None:
    sys.exit("evcxr kernel not registered: run `evcxr_jupyter --install` first")
spec = json.load(open(source))
folder = os.path.join(os.path.dirname(os.path.dirname(source)), args.name)
if folder != os.path.dirname(source):
    shutil.copytree(os.path.dirname(source), folder, dirs_exist_ok=True)
    spec["display_name"] = f"Rust ({args.name})"
path = os.path.join(folder, "kernel.json")
evcxr = os.path.abspath(args.evcxr)
spec.pop("env", None)
wrapper = os.path.join(folder, "cnn-lab-kernel.sh")
shutil.copyfile(os.path.join(HERE, "evcxr_kernel.sh"), wrapper)
os.chmod(wrapper, 0o755)
spec["argv"] = ["bash", wrapper, "--control_file", "{connection_file}"]
spec["env"] = {"EVCXR_JUPYTER": evcxr}
if args.stock:
    spec["env"].update(STOCK_ENV, CNN_LAB_KERNEL_STOCK="1")
json.dump(spec, open(path, "w"), indent=1)
print(f"registered {path}: argv={spec['argv']} env={spec.get('env', {})}")
