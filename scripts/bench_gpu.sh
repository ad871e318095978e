#!/usr/bin/env bash
# `make bench-gpu`: the crate on the GPU (burn's wgpu backend) against a bare burn loop and, when a
# CUDA build of torch is present (TORCH_PY), PyTorch on the same GPU; plus a 60,000-image epoch and
# the first epoch's time with an empty and a warm GPU cache. Without a GPU adapter it runs on
# lavapipe (Vulkan in software), on fewer images, and says that its figures are not GPU figures.
set -euo pipefail
cd "$(dirname "$0")/.."
py="${TORCH_PY:-.venv/bin/python}"
cargo build --release --features wgpu --example bench_gpu
bin=target/release/examples/bench_gpu
images="${BENCH_IMAGES:-6400}" epoch="${BENCH_GPU_EPOCH:-60000}" presets="${BENCH_GPU_PRESETS:-model1,gap,vgg}"
if command -v vulkaninfo >/dev/null \
   && ! vulkaninfo --summary 2>/dev/null | grep -Eq 'deviceType += PHYSICAL_DEVICE_TYPE_(DISCRETE|INTEGRATED|VIRTUAL)_GPU'; then
  echo "NOTE: no GPU adapter, only $(vulkaninfo --summary 2>/dev/null | grep -m1 -o 'deviceName.*' || echo 'a CPU one'):"
  echo "      these are lavapipe's figures (Vulkan run on the CPU), NOT GPU figures; sizes reduced."
  images="${BENCH_IMAGES:-640}" epoch="${BENCH_GPU_EPOCH:-2560}"
  presets="${BENCH_GPU_PRESETS:-model1,gap}"
  echo "      vgg is left out: its kernel autotuning at batch 128 is very slow on lavapipe"
  echo "      (BENCH_GPU_PRESETS=model1,gap,vgg asks for it)."
fi
export CNN_LAB_GPU_CACHE="$PWD/target/bench-gpu-cache"
rm -rf "$CNN_LAB_GPU_CACHE"
echo "== warm-up: process start to the end of a first 1,280-image epoch of model1"
echo "   empty cache: $($bin warmup)"
echo "   warm cache:  $($bin warmup)"
echo "== one epoch of model1 on $epoch images"
$bin epoch --images "$epoch"
echo "== throughput, $images random images, batch 128"
$bin throughput --images "$images" --presets "$presets" | tee target/bench-gpu.jsonl
echo "== where to augment: one model1 epoch of $epoch images with Keras-style augmentation"
$bin augment --images "$epoch"
"$py" bench/pytorch_reference.py --device cuda --images "$images" --rust target/bench-gpu.jsonl
