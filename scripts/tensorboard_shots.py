#!/usr/bin/env python3
"""Photograph TensorBoard's pages over a log folder: start TensorBoard on a loopback port, check
through its HTTP API that the page has data, load it in headless Chromium and save a PNG.

Usage: tensorboard_shots.py LOGDIR PAGE OUT.png [--filter REGEX] [--width 800] [--height 640]
  PAGE: scalars, histograms or projector. --filter fills the page's tag filter (e.g. "loss").
Exits 1 with a message naming the problem when TensorBoard or Chromium is missing, the log has
no data for PAGE, or the screenshot comes out blank. The notebooks call it through
`cnn_lab::integrations::tensorboard::screenshot`.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# What each page needs from TensorBoard's API before it is worth photographing.
PLUGIN = {"scalars": "scalars", "histograms": "histograms", "projector": "projector"}


def fail(msg: str) -> None:
    sys.exit(f"tensorboard_shots: {msg}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.read()


def wait_until_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(120):
        if proc.poll() is not None:
            fail(f"TensorBoard exited ({proc.returncode}): {proc.stderr.read().decode()[-400:]}")
        try:
            get(base + "/data/environment")
            return
        except OSError:
            time.sleep(0.5)
    fail("TensorBoard did not answer within 60 s")


def check_data(base: str, page: str) -> None:
    """The page's plugin is active and has a run with data (TensorBoard loads logs lazily)."""
    for _ in range(60):
        plugins = json.loads(get(base + "/data/plugins_listing"))
        if plugins.get(PLUGIN[page], {}).get("enabled"):
            if page == "projector":
                runs = json.loads(get(base + "/data/plugin/projector/runs"))
                if runs:
                    return
            else:
                tags = json.loads(get(base + f"/data/plugin/{PLUGIN[page]}/tags"))
                if any(tags.values()):
                    return
        time.sleep(0.5)
    fail(f"TensorBoard shows no {page} data for this log folder")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    fail("chromium not found (Debian: apt-get install chromium; make system installs it)")


def not_blank(png: str) -> bool:
    try:
        from PIL import Image
    except ImportError:  # Pillow is optional: a size check then has to do
        return os.path.getsize(png) > 20_000
    with Image.open(png) as im:
        colours = im.convert("RGB").resize((100, 80)).getcolors(8000) or []
    return len(colours) > 50


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("logdir")
    ap.add_argument("page", choices=sorted(PLUGIN))
    ap.add_argument("out")
    ap.add_argument("--filter", default="")
    ap.add_argument("--width", type=int, default=800)
    ap.add_argument("--height", type=int, default=640)
    args = ap.parse_args()
    if not os.path.isdir(args.logdir):
        fail(f"no log folder {args.logdir}")
    tb = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    if not os.path.exists(tb):
        fail(f"no TensorBoard beside {sys.executable} (make venv installs it)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([tb, "--logdir", args.logdir, "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(base, proc)
        check_data(base, args.page)
        fragment = args.page + (f"&tagFilter={urllib.parse.quote(args.filter)}" if args.filter else "")
        out = os.path.abspath(args.out)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with tempfile.TemporaryDirectory() as profile:
            # TensorBoard draws its charts with WebGL: SwiftShader renders them without a GPU.
            cmd = [chromium(), "--headless", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
                   "--hide-scrollbars", f"--user-data-dir={profile}", "--virtual-time-budget=20000",
                   f"--window-size={args.width},{args.height}", f"--screenshot={out}.tmp.png",
                   f"{base}/?darkMode=false#{fragment}"]
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if res.returncode != 0 or not os.path.exists(out + ".tmp.png"):
            fail(f"chromium failed ({res.returncode}): {res.stderr.strip()[-400:]}")
        if not not_blank(out + ".tmp.png"):
            os.remove(out + ".tmp.png")
            fail(f"the {args.page} page came out blank")
        os.replace(out + ".tmp.png", out)
        print(f"{args.page} page of {args.logdir}: {out}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
