// Browser test of post 05's demo (make test-web), in Debian's Chromium driven by playwright-core:
//   node web/test/demo.test.mjs BLOG_DIR REFERENCE_JSON PHOTO [SCREENSHOT]
// BLOG_DIR is an exported blog (with 05-what-the-network-sees/demo.html); REFERENCE_JSON is what
// `cnn-lab web-demo reference` computed natively for the demo's first test images and PHOTO.
// It checks that the page's probabilities and class activation maps equal the native crate's
// (within 1e-4 and 1e-3), that a stroke drawn with the mouse changes the prediction, that a
// dropped picture is prepared exactly as `cnn-lab classify` prepares it, and that the page asks
// for nothing outside the blog folder. It prints the page's size and measured times.
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFileSync, statSync } from "node:fs";
import { basename, extname, join, normalize, resolve } from "node:path";

const [blogDir, refPath, photoPath, shotPath] = process.argv.slice(2);
if (!blogDir || !refPath || !photoPath) {
  console.error("usage: node demo.test.mjs BLOG_DIR REFERENCE_JSON PHOTO [SCREENSHOT]");
  process.exit(2);
}
const root = resolve(blogDir);
const ref = JSON.parse(readFileSync(refPath, "utf8"));
const failures = [];
const fail = (msg) => { failures.push(msg); console.log(`FAIL ${msg}`); };
const maxDiff = (a, b) => (a.length !== b.length ? Infinity : Math.max(...a.map((v, i) => Math.abs(v - b[i]))));

// A static server over the blog folder, on loopback, that logs what it serves.
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".png": "image/png", ".json": "application/json", ".css": "text/css" };
const served = [];
let servedBytes = 0;
const server = createServer((req, res) => {
  const path = normalize(join(root, decodeURIComponent(new URL(req.url, "http://x").pathname)));
  served.push(req.url);
  if (!path.startsWith(root + "/")) { res.writeHead(403).end(); return; }
  try {
    const body = readFileSync(statSync(path).isDirectory() ? join(path, "index.html") : path);
    servedBytes += body.length;
    res.writeHead(200, { "content-type": TYPES[extname(path)] || "application/octet-stream" }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  const outside = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin + "/")) return route.continue();
    outside.push(url);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(`${origin}/05-what-the-network-sees/demo.html`);
  await page.evaluate(() => window.demo.ready);
  const startup = await page.evaluate(() => ({
    first: window.demo.timings.firstPrediction,
    load: performance.getEntriesByType("navigation")[0].loadEventEnd,
  }));

  // 1. The test images: the page's numbers against the native crate's.
  let worstP = 0, worstCam = 0;
  for (const want of ref.images) {
    const got = await page.evaluate((k) => {
      window.demo.showTest(k);
      return { index: window.CNN_LAB_TEST.indices[k], label: window.CNN_LAB_TEST.labels[k], ...window.demo.predict(window.demo.pixels()) };
    }, want.position);
    if (got.index !== want.index || got.label !== want.label) fail(`test image ${want.position}: the page has test image ${got.index} (label ${got.label}), the dataset's is ${want.index} (label ${want.label})`);
    const dp = maxDiff(got.probabilities, want.probabilities), dc = maxDiff(got.cam, want.cam);
    worstP = Math.max(worstP, dp); worstCam = Math.max(worstCam, dc);
    if (dp > 1e-4) fail(`test image ${want.index}: probabilities differ from the native crate's by ${dp}`);
    if (dc > 1e-3) fail(`test image ${want.index}: CAM differs from the native crate's by ${dc}`);
    if (got.class !== want.class) fail(`test image ${want.index}: class ${got.class}, natively ${want.class}`);
  }
  console.log(`${ref.images.length} test images: probabilities within ${worstP.toExponential(1)}, CAMs within ${worstCam.toExponential(1)} of the native crate's`);

  // 2. A stroke drawn with the mouse changes the prediction.
  await page.click("#clear");
  const blank = await page.evaluate(() => window.demo.last());
  const box = await page.locator("#draw").boundingBox();
  const at = (fx, fy) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(0.3, 0.15));
  await page.mouse.down();
  for (let i = 1; i <= 40; i++) await page.mouse.move(...at(0.3 + 0.4 * i / 40, 0.15 + 0.7 * i / 40));
  for (let i = 1; i <= 40; i++) await page.mouse.move(...at(0.7 - 0.4 * i / 40, 0.85));
  await page.mouse.up();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
  const drawn = await page.evaluate(() => ({ ink: window.demo.pixels().filter((v) => v > 0).length, ...window.demo.last() }));
  const moved = maxDiff(drawn.probabilities, blank.probabilities);
  if (drawn.ink < 40) fail(`the stroke left only ${drawn.ink} lit pixels`);
  if (!(moved > 0.05)) fail(`the stroke changed no probability by more than ${moved}`);
  console.log(`stroke: ${drawn.ink} lit pixels; the prediction went from ${blank.class} to ${drawn.class} (largest probability change ${moved.toFixed(3)})`);

  // 3. A dropped picture is prepared as `cnn-lab classify` prepares it.
  const photo = ref.photos[0];
  const bytes = Array.from(readFileSync(photoPath));
  await page.evaluate(([name, data]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], name, { type: "image/png" }));
    document.querySelector(".demo").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [basename(photoPath), bytes]);
  await page.waitForFunction(() => window.demo.prepared() !== null, null, { timeout: 10000 });
  const prep = await page.evaluate(() => ({ ...window.demo.prepared(), ...window.demo.last(), steps: document.querySelectorAll("#steps figure").length }));
  const samePixels = prep.pixels.length === photo.pixels.length && prep.pixels.every((v, i) => v === photo.pixels[i]);
  if (!samePixels) fail(`${photo.file}: the page prepared other pixels than cnn-lab classify (${prep.pixels.filter((v, i) => v !== photo.pixels[i]).length} differ)`);
  if (prep.inverted !== photo.inverted) fail(`${photo.file}: inverted ${prep.inverted}, natively ${photo.inverted}`);
  const dp = maxDiff(prep.probabilities, photo.probabilities);
  if (dp > 1e-4) fail(`${photo.file}: probabilities differ from the native crate's by ${dp}`);
  if (shotPath) await page.screenshot({ path: shotPath.replace(/\.png$/, "-photo.png"), fullPage: true });
  console.log(`dropped ${photo.file}: ${prep.steps} preparation steps shown, the same 784 pixels as cnn-lab classify${photo.inverted ? " (inverted)" : ""}, probabilities within ${dp.toExponential(1)}`);

  // 4. Redraw time while drawing (measured, printed, not asserted).
  await page.click("#clear");
  await page.evaluate(() => { window.demo.timings.redraws.length = 0; });
  await page.mouse.move(...at(0.2, 0.5));
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(...at(0.2 + 0.6 * i / 60, 0.5 + 0.3 * Math.sin(i / 6)));
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(ok)));
  }
  await page.mouse.up();
  const redraws = await page.evaluate(() => window.demo.timings.redraws.slice().sort((a, b) => a - b));
  const median = redraws[Math.floor(redraws.length / 2)];
  console.log(`first prediction ${startup.first.toFixed(0)} ms after navigation start (load event at ${startup.load.toFixed(0)} ms); ` +
              `redraw (forward pass, CAM, canvases, bars): median ${median.toFixed(1)} ms, slowest ${redraws[redraws.length - 1].toFixed(1)} ms over ${redraws.length}`);

  if (shotPath) {
    await page.evaluate(() => window.demo.showTest(4));
    await page.screenshot({ path: shotPath, fullPage: true });
  }

  // 5. The same page opened from disk, as a reader who downloads the blog folder would.
  const local = await browser.newPage();
  const localErrors = [];
  local.on("pageerror", (e) => localErrors.push(String(e)));
  await local.goto(`file://${root}/05-what-the-network-sees/demo.html`);
  await local.evaluate(() => window.demo.ready);
  const fromDisk = await local.evaluate(() => window.demo.last());
  const sameAsServed = fromDisk && maxDiff(fromDisk.probabilities, ref.images[0].probabilities);
  if (!fromDisk || localErrors.length) fail(`opened from disk, the page did not predict: ${localErrors.join(" | ")}`);
  else console.log(`opened from disk (file://): the first test image predicted as served (within ${sameAsServed.toExponential(1)})`);
  console.log(`the page loaded ${(servedBytes / 1e6).toFixed(2)} MB in ${served.length} requests`);
  if (outside.length) fail(`requests outside the blog folder: ${outside.join(", ")}`);
  if (errors.length) fail(`errors in the page: ${errors.join(" | ")}`);
} finally {
  await browser.close();
  server.close();
}
if (failures.length) {
  console.log(`web demo: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log("web demo: every check passed");
