"""Imbalanced classes: a WeightedRandomSampler feeding a DataLoader with two worker processes.

Written as a PyTorch user writes it; only the import lines differ (``minigrad`` for ``torch``).
The data are two Gaussian blobs in the plane, 900 points of class 0 and 100 of class 1. Each
sample is weighted 1 / (its class's count), so the sampler draws either class with probability
900·(1/900) / (900·(1/900) + 100·(1/100)) = 1/2: the batches are balanced although the data are
not (a plain shuffle would show class 1 in 10% of the samples). ``__getitem__`` jitters each point
with NumPy's global random generator, the classic data-augmentation pattern; the loader seeds it
differently in each worker, and ``seed_worker`` (PyTorch's reproducibility recipe) makes the run
repeatable. The model is a small MLP trained with Adam on the balanced stream; it prints, per
epoch, the class-1 share of what it was fed, and at the end the recall of each class.

    python examples/imbalanced_workers.py --epochs 5 --workers 2
"""

import argparse
import random

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, Dataset, WeightedRandomSampler


class Blobs(Dataset):
    def __init__(self, n0=900, n1=100, seed=0):
        rng = np.random.default_rng(seed)
        self.x = np.concatenate([rng.normal(-1.0, 1.0, (n0, 2)),
                                 rng.normal(1.5, 1.0, (n1, 2))]).astype(np.float32)
        self.y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        jitter = np.random.normal(0.0, 0.05, 2).astype(np.float32)  # augmentation
        return torch.from_numpy(self.x[i] + jitter), int(self.y[i])


def seed_worker(worker_id):
    worker_seed = torch.initial_seed() % 2 ** 32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    args = parser.parse_args()

    torch.manual_seed(0)
    device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"

    dataset = Blobs()
    counts = np.bincount(dataset.y)
    weights = 1.0 / counts[dataset.y]
    g = torch.Generator()
    g.manual_seed(0)
    sampler = WeightedRandomSampler(weights, num_samples=len(dataset), replacement=True, generator=g)
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler, num_workers=args.workers,
                        worker_init_fn=seed_worker, generator=g, persistent_workers=args.workers > 0)

    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(args.epochs):
        seen_class1, seen = 0, 0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            seen_class1 += (y == 1).sum().item()
            seen += y.numel()
        share = seen_class1 / seen
        print(f"epoch {epoch}: last loss {loss.item():.4f}, class-1 share of the batches {share:.3f}")

    with torch.no_grad():
        x = torch.from_numpy(dataset.x).to(device)
        y = torch.from_numpy(dataset.y).to(device)
        pred = model(x).argmax(dim=1)
        recall = [((pred == c) & (y == c)).sum().item() / (y == c).sum().item() for c in (0, 1)]
    print(f"class-1 share of the data {counts[1] / counts.sum():.3f}")
    print(f"recall: class 0 {recall[0]:.3f}, class 1 {recall[1]:.3f}")


if __name__ == "__main__":
    main()
