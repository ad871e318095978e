#!/usr/bin/env python3
"""PyTorch reference for `make bench` (CPU) and `make bench-gpu` (`--device cuda`): the crate's
model1, gap and vgg presets, batch 128, random data, training and inference img/s; with the Rust
results (JSON lines from `cnn-lab bench --json` or the bench_gpu example) it prints one table
with the Rust/PyTorch ratios.

Usage: python bench/pytorch_reference.py [--device cpu|cuda] [--images N] [--rust FILE] [PRESET ...]
Skips (exit 0) when torch is not installed, or has no CUDA device for `--device cuda`."""
import argparse
import json
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    print("pytorch reference skipped: torch is not installed (pip install torch; make bench TORCH_PY=...)")
    sys.exit(0)


def bn_block(c_in, c_out):
    # "same" 3x3 conv, BatchNorm (Keras momentum 0.99, eps 1e-3), ReLU: the crate's bn_block.
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.BatchNorm2d(c_out, eps=1e-3, momentum=0.01), nn.ReLU()]


def preset(name):
    if name == "model1":
        layers = [
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(),
            nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10),
        ]
        params = 93_322
    elif name == "gap":
        layers = (bn_block(1, 32) + [nn.MaxPool2d(2), nn.Dropout(0.1)] + bn_block(32, 64)
                  + [nn.MaxPool2d(2), nn.Dropout(0.1)] + bn_block(64, 128) + bn_block(128, 128)
                  + [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(128, 10)])
        params = None
    elif name == "vgg":
        layers = (bn_block(1, 32) + bn_block(32, 32) + [nn.MaxPool2d(2), nn.Dropout(0.25)]
                  + bn_block(32, 64) + bn_block(64, 64) + [nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                  nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10)])
        params = 871_018
    else:
        raise SystemExit(f"unknown preset {name!r}")
    model = nn.Sequential(*layers)
    n = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert params is None or n == params, (name, n)
    return model


def measure(name, n, batch, device):
    torch.manual_seed(0)
    model = preset(name).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    # The data is on the device before the clock starts, as the crate's resident feed keeps it.
    x = (torch.rand(n, 1, 28, 28) - 0.5).to(device)
    y = torch.randint(0, 10, (n,)).to(device)
    loss_fn = nn.CrossEntropyLoss()

    def epoch():
        model.train()
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            opt.zero_grad()
            loss = loss_fn(model(x[i:i + batch]), y[i:i + batch])
            loss.backward()
            opt.step()
            loss.item()
        return n / (time.perf_counter() - t0)

    def infer():
        model.eval()
        t0 = time.perf_counter()
        with torch.no_grad():
            for i in range(0, n, batch):
                model(x[i:i + batch]).cpu().numpy()
        return n / (time.perf_counter() - t0)

    epoch()  # warm-up
    train = max(epoch() for _ in range(2))
    infer()
    inference = max(infer() for _ in range(2))
    return train, inference


def row(preset, what, burn, ours, torch_):
    """One table row; `burn` is None when the Rust run skipped its reference (--no-reference)."""
    burn_s = f"{burn:>9.0f}" if burn else f"{'-':>9}"
    vs_burn = f"{ours / burn:>13.2f}" if burn else f"{'-':>13}"
    print(f"{preset:<8} {what:<9} {burn_s} {ours:>9.0f} {torch_:>9.0f} {ours / torch_:>16.2f} {vs_burn}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("presets", nargs="*")
    ap.add_argument("--images", type=int, default=6400)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--rust", help="JSON lines from `cnn-lab bench --json`")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = ap.parse_args()
    if a.device == "cuda" and not torch.cuda.is_available():
        print(f"pytorch reference skipped: torch {torch.__version__} sees no CUDA device (make bench-gpu TORCH_PY=... with a CUDA build)")
        sys.exit(0)
    rust = {}
    if a.rust:
        for line in open(a.rust):
            line = line.strip()
            if line.startswith("{"):
                r = json.loads(line)
                rust[r["preset"]] = r
    presets = a.presets or list(rust) or ["model1"]
    where = torch.cuda.get_device_name(0) if a.device == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"pytorch {torch.__version__} {where}, {a.images} random images, batch {a.batch}")
    head = f"{'preset':<8} {'':<9} {'burn ops':>9} {'cnn_lab':>9} {'pytorch':>9} {'cnn_lab/pytorch':>16} {'cnn_lab/burn':>13}"
    print(head)
    for p in presets:
        train, inference = measure(p, a.images, a.batch, a.device)
        r = rust.get(p)
        if r is None:
            print(f"{p:<8} {'training':<9} {'':>9} {'':>9} {train:>9.0f}")
            print(f"{p:<8} {'inference':<9} {'':>9} {'':>9} {inference:>9.0f}")
            continue
        row(p, "training", r.get("bare_train_img_s"), r["fit_train_img_s"], train)
        row(p, "inference", r.get("burn_inference_img_s"), r["inference_img_s"], inference)


if __name__ == "__main__":
    main()
