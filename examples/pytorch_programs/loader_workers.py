"""Imbalanced classification through a DataLoader with two worker processes and a weighted sampler.

A PyTorch program: only its import lines differ from the version that imports torch.

The data set holds 1,000 noisy waveforms of 32 samples in four classes (a sine, a square wave, a
sawtooth and a triangle wave), 640, 200, 100 and 60 of each. ``__getitem__`` builds a waveform
when it is read, shifted by up to 1/20 of a period, scaled by 0.8 to 1.2 and with noise of standard
deviation 0.1, all drawn from NumPy's global generator (per-sample work done in the workers, the
data-augmentation pattern). Each sample is weighted 1 / (its class's count), so the sampler draws
a class with probability count · (1/count) / Σ_classes count · (1/count) = 1/4, although the data
hold class 0 at 64% and class 3 at 6%.

The program checks that:

* every batch of 50 holds all four classes, and over an epoch each class's share is 1/4 within
  0.05 (the share's standard deviation over 1,000 draws is √(¼·¾/1000) ≈ 0.014, so 0.05 is 3.6 of
  them);
* a second loader built the same way, with its generator seeded the same, yields the same batches
  (the same indices from the sampler, the same augmentation in the workers: ``seed_worker`` seeds
  NumPy from ``torch.initial_seed()``, which each worker derives from the loader's generator), and
  a loader seeded differently does not;
* a small classifier trained on the balanced stream recognises every class on fresh, balanced
  data (recall ≥ 0.9 per class after 4 epochs; 0.5 after the one epoch of ``--dry-run``).

    python loader_workers.py [--epochs 4] [--workers 2] [--dry-run]
"""

import argparse
import random

import numpy as np

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.utils.data import DataLoader, Dataset, WeightedRandomSampler, get_worker_info

COUNTS = (640, 200, 100, 60)
LENGTH = 32


def waveform(kind, phase):
    """One period of wave ``kind`` over LENGTH samples, starting at ``phase`` (in periods)."""
    t = (np.arange(LENGTH) / LENGTH + phase) % 1.0
    if kind == 0:
        return np.sin(2 * np.pi * t)
    if kind == 1:
        return np.where(t < 0.5, 1.0, -1.0)
    if kind == 2:
        return 2 * t - 1
    return 1 - 4 * np.abs(t - 0.5)


class Waveforms(Dataset):
    def __init__(self, counts=COUNTS):
        self.labels = np.concatenate([np.full(n, c, dtype=np.int64) for c, n in enumerate(counts)])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        label = int(self.labels[index])
        signal = waveform(label, np.random.uniform(-0.05, 0.05)) * np.random.uniform(0.8, 1.2)
        signal = signal + np.random.normal(0.0, 0.1, LENGTH)
        return torch.from_numpy(signal.astype(np.float32)), label


def seed_worker(worker_id):
    info = get_worker_info()
    assert info is not None and info.id == worker_id  # it runs in a worker process
    worker_seed = torch.initial_seed() % 2 ** 32
    np.random.seed(worker_seed)
    random.seed(worker_seed)


def make_loader(dataset, seed, workers, batch_size):
    weights = 1.0 / np.bincount(dataset.labels)[dataset.labels]
    g = torch.Generator()
    g.manual_seed(seed)
    sampler = WeightedRandomSampler(weights, num_samples=len(dataset), replacement=True, generator=g)
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=workers,
                      worker_init_fn=seed_worker, generator=g, persistent_workers=workers > 0)


def one_epoch(loader):
    return [(x.clone(), y.clone()) for x, y in loader]


def same(run_a, run_b):
    return len(run_a) == len(run_b) and all(
        bool((xa == xb).all()) and bool((ya == yb).all()) for (xa, ya), (xb, yb) in zip(run_a, run_b))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--dry-run", action="store_true", help="one epoch, to check that it runs")
    args = parser.parse_args()
    epochs = 1 if args.dry_run else args.epochs

    torch.manual_seed(0)
    dataset = Waveforms()
    loader = make_loader(dataset, 0, args.workers, args.batch_size)

    first = one_epoch(make_loader(dataset, 1, args.workers, args.batch_size))
    again = one_epoch(make_loader(dataset, 1, args.workers, args.batch_size))
    other = one_epoch(make_loader(dataset, 2, args.workers, args.batch_size))
    assert same(first, again), "a loader seeded the same gave different batches"
    assert not same(first, other), "loaders seeded differently gave the same batches"
    print(f"reseeded run: the same {len(first)} batches; another seed: different batches")

    model = nn.Sequential(nn.Linear(LENGTH, 64), nn.ReLU(), nn.Linear(64, len(COUNTS)))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for epoch in range(epochs):
        seen = torch.zeros(len(COUNTS))
        for x, y in loader:
            counts = torch.stack([(y == c).sum() for c in range(len(COUNTS))])
            assert bool((counts > 0).all()), f"a batch lacks a class: {counts.tolist()}"
            seen += counts
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        share = seen / seen.sum()
        print(f"epoch {epoch}: last loss {loss.item():.4f}, class shares "
              + " ".join(f"{s:.3f}" for s in share.tolist()))
        assert bool(((share - 0.25).abs() <= 0.05).all()), f"unbalanced epoch: {share.tolist()}"

    np.random.seed(123)
    test = Waveforms(counts=(100,) * len(COUNTS))
    x = torch.stack([test[i][0] for i in range(len(test))])
    y = torch.from_numpy(test.labels)
    model.eval()
    with torch.no_grad():
        pred = model(x).argmax(dim=1)
    recall = [((pred == c) & (y == c)).sum().item() / (y == c).sum().item() for c in range(len(COUNTS))]
    print("recall per class on balanced fresh data: " + " ".join(f"{r:.2f}" for r in recall))
    floor = 0.5 if args.dry_run else 0.9
    assert min(recall) >= floor, f"a class is poorly recognised: {recall}"


if __name__ == "__main__":
    main()
