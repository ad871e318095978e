#!/usr/bin/env python3
"""PyTorch CPU reference for `cnn-lab bench`: the same model1, batch 128, random data.

Usage: python bench/pytorch_model1.py [IMAGES] [RUST_FIT_IMG_S]
Prints img/s, and the Rust/PyTorch ratio when the Rust figure is given. Skips (exit 0) when
torch is not installed."""
import sys
import time

try:
    import torch
    from torch import nn
except ImportError:
    print("pytorch reference skipped: torch is not installed (pip install torch)")
    sys.exit(0)

n = int(sys.argv[1]) if len(sys.argv) > 1 else 6400
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(),
    nn.Linear(576, 64), nn.ReLU(), nn.Linear(64, 10),
)
assert sum(p.numel() for p in model.parameters()) == 93_322
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
x = torch.rand(n, 1, 28, 28) - 0.5
y = torch.randint(0, 10, (n,))
loss_fn = nn.CrossEntropyLoss()


def epoch():
    t0 = time.time()
    for i in range(0, n, 128):
        opt.zero_grad()
        loss = loss_fn(model(x[i:i + 128]), y[i:i + 128])
        loss.backward()
        opt.step()
        loss.item()
    return n / (time.time() - t0)


epoch()  # warm-up
best = max(epoch() for _ in range(2))
print(f"pytorch {torch.__version__} cpu ({torch.get_num_threads()} threads): {best:.0f} img/s (training)")
if len(sys.argv) > 2:
    print(f"cnn_lab fit / pytorch: {float(sys.argv[2]) / best:.3f}")
