#!/usr/bin/env python3
"""Check that the notebook kernel compiled the same dependency versions as `cargo build`.

Compares the lock file of the kernel's most recently used build folder
(~/.cache/cnn_lab/evcxr/slot-N/Cargo.lock, or under CNN_LAB_EVCXR_DIR) with the project's
Cargo.lock: every package in both must have the same version(s). The patched kernel seeds its
lock file from the project's (tools/evcxr/03-lock-file-from-path-dependency.patch).
Usage: check_kernel_lock.py [PROJECT_CARGO_LOCK]
"""
import glob
import os
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def versions(path: str) -> dict:
    with open(path, "rb") as f:
        lock = tomllib.load(f)
    out = {}
    for package in lock.get("package", []):
        out.setdefault(package["name"], set()).add(package["version"])
    return out


def main() -> None:
    project_lock = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "Cargo.lock")
    base = os.environ.get("CNN_LAB_EVCXR_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "cnn_lab", "evcxr")
    locks = glob.glob(os.path.join(base, "slot-*", "Cargo.lock"))
    if not locks:
        sys.exit(f"kernel lock check: no kernel build folder with a Cargo.lock under {base}")
    kernel_lock = max(locks, key=os.path.getmtime)
    project, kernel = versions(project_lock), versions(kernel_lock)
    differ = sorted((name, sorted(project[name]), sorted(kernel[name])) for name in project.keys() & kernel.keys()
                    if project[name] != kernel[name])
    for name, p, k in differ:
        print(f"  {name}: Cargo.lock {', '.join(p)}, kernel {', '.join(k)}")
    shared = len(project.keys() & kernel.keys())
    if differ:
        sys.exit(f"kernel lock check: {len(differ)} of {shared} packages differ between {project_lock} and {kernel_lock}")
    print(f"kernel lock check: the kernel ({kernel_lock}) uses Cargo.lock's versions of all {shared} shared packages")


if __name__ == "__main__":
    main()
