// Post 05's demo page: draws, and shows what the crate's WebAssembly build (web/src/lib.rs)
// computes. Every number on the page comes from `wasm_bindgen.Network` and `wasm_bindgen.prepare`;
// this file only handles the pointer, the canvases and the bars.
"use strict";

(function () {
  const SIZE = 28;
  const SCALE = 10; // canvas pixels per input pixel
  const COLOURS = { plain: "rgb(31,119,180)", truth: "rgb(44,160,44)", wrong: "rgb(214,39,40)", other: "rgb(160,160,160)" };
  const $ = (id) => document.getElementById(id);
  const status = (text) => { $("status").textContent = text; };

  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const gunzip = async (b) => new Uint8Array(await new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  const timings = { firstPrediction: null, redraws: [] };
  const state = { pixels: new Uint8Array(SIZE * SIZE), label: null, testPos: -1, dirty: false, last: null, prepared: null };
  let net = null;

  // ---------------------------------------------------------------- drawing

  // A soft round brush about 2.5 input pixels wide: strokes like the dataset's, bright in the
  // middle, fading at the edge. Each pixel keeps the brightest value painted on it.
  function paintAt(x, y) {
    for (let i = Math.floor(y - 2); i <= Math.ceil(y + 2); i++) {
      for (let j = Math.floor(x - 2); j <= Math.ceil(x + 2); j++) {
        if (i < 0 || j < 0 || i >= SIZE || j >= SIZE) continue;
        const d = Math.hypot(j + 0.5 - x, i + 0.5 - y);
        const v = Math.round(255 * Math.min(1, Math.max(0, 1.8 - d)));
        if (v > state.pixels[i * SIZE + j]) state.pixels[i * SIZE + j] = v;
      }
    }
  }

  function paintLine(a, b) {
    const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) * 4));
    for (let s = 0; s <= steps; s++) paintAt(a.x + (b.x - a.x) * s / steps, a.y + (b.y - a.y) * s / steps);
  }

  function inputPoint(canvas, ev) {
    const r = canvas.getBoundingClientRect();
    return { x: (ev.clientX - r.left) / r.width * SIZE, y: (ev.clientY - r.top) / r.height * SIZE };
  }

  function wireDrawing() {
    const canvas = $("draw");
    let prev = null;
    canvas.addEventListener("pointerdown", (ev) => {
      canvas.setPointerCapture(ev.pointerId);
      if (state.label !== null || state.prepared) { state.label = null; state.prepared = null; showSteps(null); }
      prev = inputPoint(canvas, ev);
      paintLine(prev, prev);
      changed();
      ev.preventDefault();
    });
    canvas.addEventListener("pointermove", (ev) => {
      if (prev === null) return;
      const p = inputPoint(canvas, ev);
      paintLine(prev, p);
      prev = p;
      changed();
      ev.preventDefault();
    });
    const end = () => { prev = null; };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  // ---------------------------------------------------------------- rendering

  function blit(canvasId, rgba, w, h) {
    const canvas = $(canvasId);
    const small = document.createElement("canvas");
    small.width = w; small.height = h;
    small.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(rgba), w, h), 0, 0);
    const ctx = canvas.getContext("2d");
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  }

  function grey(px) {
    const out = new Uint8ClampedArray(px.length * 4);
    px.forEach((v, i) => { out.set([v, v, v, 255], i * 4); });
    return out;
  }

  function showBars(probs, label) {
    const classes = net.classes;
    const top = probs.indexOf(Math.max(...probs));
    const rows = classes.map((name, c) => {
      let colour = COLOURS.plain;
      if (label !== null) colour = c === label ? COLOURS.truth : c === top ? COLOURS.wrong : COLOURS.other;
      const pct = (probs[c] * 100).toFixed(1);
      return `<div class="bar" role="row"><span role="cell">${name}${c === label ? " (true class)" : ""}</span>` +
        `<span class="track" role="cell"><span style="width:${Math.max(0.5, probs[c] * 100)}%;background:${colour}"></span></span>` +
        `<span role="cell" class="num">${pct}\u00a0%</span></div>`;
    });
    $("bars").innerHTML = rows.join("");
  }

  function showSteps(prepared) {
    const box = $("steps");
    box.innerHTML = "";
    if (!prepared) return;
    for (let i = 0; i < prepared.steps; i++) {
      const [w, h] = prepared.step_size(i, 140);
      const fig = document.createElement("figure");
      const c = document.createElement("canvas");
      c.width = w; c.height = h;
      c.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(prepared.step_rgba(i, 140)), w, h), 0, 0);
      if (w <= 28) { c.style.width = "112px"; c.style.imageRendering = "pixelated"; }
      const cap = document.createElement("figcaption");
      cap.textContent = `${i + 1}. ${prepared.step_what(i)}`;
      fig.append(c, cap);
      box.append(fig);
    }
  }

  // ---------------------------------------------------------------- predicting

  function predict(pixels) {
    const p = net.predict(pixels);
    const out = { probabilities: Array.from(p.probabilities), class: p.class, cam: Array.from(p.cam), overlay: p.overlay };
    p.free();
    return out;
  }

  function redraw() {
    state.dirty = false;
    const t0 = performance.now();
    const r = predict(state.pixels);
    blit("draw", grey(state.pixels), SIZE, SIZE);
    blit("cam", r.overlay, SIZE, SIZE);
    showBars(r.probabilities, state.label);
    $("cam-caption").textContent = `Where the evidence for “${net.classes[r.class]}” lies (${(r.probabilities[r.class] * 100).toFixed(1)}\u00a0%).`;
    const dt = performance.now() - t0;
    if (timings.firstPrediction === null) timings.firstPrediction = performance.now();
    else timings.redraws.push(dt);
    state.last = r;
    status(`Prediction and map in ${dt.toFixed(1)} ms.`);
  }

  function changed() {
    if (state.dirty) return;
    state.dirty = true;
    requestAnimationFrame(redraw);
  }

  function showTest(pos) {
    const t = window.CNN_LAB_TEST;
    const n = t.indices.length;
    state.testPos = ((pos % n) + n) % n;
    const all = bytes(t.pixels);
    state.pixels = all.slice(state.testPos * SIZE * SIZE, (state.testPos + 1) * SIZE * SIZE);
    state.label = t.labels[state.testPos];
    state.prepared = null;
    showSteps(null);
    redraw();
    status(`Test image ${t.indices[state.testPos]} of the test set, a ${t.classes[state.label]}. ` + $("status").textContent);
  }

  async function openPicture(file) {
    try {
      const data = new Uint8Array(await file.arrayBuffer());
      const prepared = wasm_bindgen.prepare(data, file.name, SIZE);
      state.pixels = Uint8Array.from(prepared.pixels);
      state.label = null;
      state.prepared = { file: file.name, pixels: Array.from(state.pixels), inverted: prepared.inverted };
      showSteps(prepared);
      prepared.free();
      redraw();
    } catch (e) {
      status(`${file.name}: ${e.message || e}`);
    }
  }

  function wireControls() {
    $("clear").addEventListener("click", () => {
      state.pixels = new Uint8Array(SIZE * SIZE); state.label = null; state.prepared = null; showSteps(null); redraw();
    });
    $("next").addEventListener("click", () => showTest(state.testPos + 1));
    $("file").addEventListener("change", (ev) => { if (ev.target.files[0]) openPicture(ev.target.files[0]); });
    const zone = document.querySelector(".demo");
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (ev) => {
      ev.preventDefault();
      zone.classList.remove("over");
      if (ev.dataTransfer.files[0]) openPicture(ev.dataTransfer.files[0]);
    });
  }

  async function start() {
    await wasm_bindgen({ module_or_path: await gunzip(bytes(window.CNN_LAB_WASM_GZ)) });
    net = new wasm_bindgen.Network(bytes(window.CNN_LAB_MODEL));
    const info = window.CNN_LAB_MODEL_INFO;
    $("accuracy").textContent = `${(info.test_accuracy * 100).toFixed(2)}\u00a0% right on the ${info.test_images.toLocaleString("en")} test images`;
    wireDrawing();
    wireControls();
    showTest(0);
  }

  // What the browser test (web/test/demo.test.mjs) reads and drives.
  window.demo = {
    ready: start().catch((e) => { status(`The demo could not start: ${e.message || e}`); throw e; }),
    predict: (pixels) => { const r = predict(Uint8Array.from(pixels)); delete r.overlay; return r; },
    showTest,
    pixels: () => Array.from(state.pixels),
    last: () => state.last && { probabilities: state.last.probabilities, class: state.last.class },
    prepared: () => state.prepared,
    timings,
  };
})();
