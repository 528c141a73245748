"""CNN training step: minigrad vs. PyTorch CPU in the same process.

Conv2d(1→16, 3, padding=1) – ReLU – MaxPool2d(2) – Conv2d(16→32, 3, padding=1) – ReLU –
MaxPool2d(2) – Flatten – Linear(1568→10); a batch of 64 1x28x28 images, cross-entropy,
backward, and ``optim.SGD(lr=0.01).step()``, each library through its own ``nn`` modules and
optimizer. Default thread settings unless ``--threads``; median and worst of interleaved rounds
(``_compare.py``), with the thread counts printed.

Run: PYTHONPATH=. python benchmarks/bench_conv.py [--rounds 7] [--steps 10]
         [--threads N | --cpu-time] [--profile | --ops]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from _compare import training_step_cli  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

BATCH, LR = 64, 0.01


def data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)
    return x, y


def build(ns):
    """The same architecture in minigrad (``ns`` = minigrad.nn) or PyTorch (``ns`` = torch.nn)."""
    return ns.Sequential(
        ns.Conv2d(1, 16, 3, padding=1), ns.ReLU(), ns.MaxPool2d(2),
        ns.Conv2d(16, 32, 3, padding=1), ns.ReLU(), ns.MaxPool2d(2),
        ns.Flatten(), ns.Linear(32 * 7 * 7, 10))


def make_step(lib):
    """One training step of the same net, data and initial seed in ``lib`` (minigrad or torch)."""
    lib.manual_seed(0)
    model = build(lib.nn)
    x_np, y_np = data()
    x, y = lib.tensor(x_np), lib.tensor(y_np)
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    criterion = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def main():
    title = f"CNN step, batch {BATCH} of 1x28x28"
    training_step_cli(__doc__, title, make_step, torch, default_steps=10)


if __name__ == "__main__":
    main()
