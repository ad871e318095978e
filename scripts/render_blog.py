#!/usr/bin/env python3
"""Render every page of an exported blog in headless Chromium and fail on a broken image or a
script/console error. Screenshots (800 px wide, the whole page) go to target/blog-shots/ for a
person to look at.

Each page is loaded from an instrumented copy beside it (same folder, so relative image paths
resolve) that records error events, console.error calls and images that did not decode, and
writes them into the DOM, which Chromium dumps.

Usage: render_blog.py [BLOG_DIR]   (default blog/)
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHOTS = os.path.join(ROOT, "target", "blog-shots")
WIDTH = 800
PROBE = """<script>
window.__problems = [];
window.addEventListener('error', function (e) {
  var t = e.target;
  __problems.push(t && t !== window && (t.src || t.href) ? 'failed to load ' + (t.getAttribute('src') || t.getAttribute('href')) : 'script error: ' + e.message);
}, true);
(function () { var ce = console.error; console.error = function () { __problems.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); }; })();
window.addEventListener('load', function () {
  for (var i = 0; i < document.images.length; i++) {
    var img = document.images[i];
    if (!img.complete || img.naturalWidth === 0) __problems.push('broken image: ' + img.getAttribute('src'));
  }
  var out = document.createElement('pre');
  out.id = 'render-check';
  out.textContent = JSON.stringify({problems: __problems, height: document.documentElement.scrollHeight});
  document.body.appendChild(out);
});
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def run(browser, *args):
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--allow-file-access-from-files", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def check(browser, page):
    probe_path = os.path.join(os.path.dirname(page), ".render-check.html")
    html = open(page).read()
    with open(probe_path, "w") as f:
        f.write(html.replace("<head>", "<head>\n" + PROBE, 1))
    try:
        # Headless Chromium now and then crashes on start (SIGSEGV, no page loaded): that is the
        # browser, not the page, so try again before reporting it.
        for _ in range(3):
            res = run(browser, "--virtual-time-budget=10000", f"--window-size={WIDTH},1000", "--dump-dom", "file://" + probe_path)
            m = re.search(r'<pre id="render-check">(.*?)</pre>', res.stdout, re.S)
            if m or res.returncode >= 0:
                break
    finally:
        os.remove(probe_path)
    if not m:
        return [f"page did not finish loading (chromium exit {res.returncode}: {res.stderr.strip()[-300:]})"], 1000
    report = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
    return report["problems"], report["height"]


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "blog"))
    browser = chromium()
    if browser is None:
        if os.environ.get("CNN_LAB_SKIP_BROWSER"):
            print("render check skipped: no chromium (CNN_LAB_SKIP_BROWSER set)")
            return
        sys.exit("render check: chromium not found (Debian: apt-get install chromium; make system installs it)")
    pages = [os.path.join(root, "index.html")] + sorted(glob.glob(os.path.join(root, "*", "index.html")))
    os.makedirs(SHOTS, exist_ok=True)
    failed = 0
    for page in pages:
        name = os.path.relpath(page, root)
        if not os.path.isfile(page):
            print(f"{name}: missing")
            failed += 1
            continue
        problems, height = check(browser, page)
        shot = os.path.join(SHOTS, (os.path.dirname(name) or "index") + ".png")
        run(browser, f"--window-size={WIDTH},{min(max(height, 600), 16000)}", f"--screenshot={shot}", "file://" + page)
        for p in problems:
            print(f"{name}: {p}")
        failed += bool(problems)
    print(f"render check: {len(pages) - failed} pages clean, {failed} with problems; screenshots in {os.path.relpath(SHOTS, ROOT)}/")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
