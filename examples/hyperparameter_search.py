"""Hyper-parameter tuning: grid search against random search, judged on a validation split.

The 1,797 digits are split 60/20/20 into training, validation and test sets (seeded). Each trial
trains the same small MLP (64-32-10, ReLU, from the same initial weights) with SGD for a few
epochs and scores it by its accuracy on the validation set. Three hyper-parameters are searched:

* the learning rate, log-uniform on [1e-3, 1]: the one that matters most here;
* the batch size, log-uniform on [16, 128] (rounded to an integer);
* the momentum, uniform on [0, 0.9].

Grid search spends its budget of n³ trials on n values per axis (n = 3: 27 trials, 3 learning
rates); random search draws all three at random for each of its 27 trials, so it tries 27
different learning rates. When one axis matters far more than the others, the grid wastes most
of its trials repeating the same few values of it (Bergstra & Bengio, 2012).

The test set is not used to choose anything: it is evaluated once, for the single winner of
both searches, after the searches are over.

Printed: every trial, the best of each search, the number of distinct values each search tried
per axis, and the winner's test accuracy. Pictures (``runs/hyperparameter_search/``): validation
accuracy against the learning rate for both searches, and where each search put its trials.

    python examples/hyperparameter_search.py                # under 10 s on one core
    python examples/hyperparameter_search.py --trials 8 --epochs 1
"""

import argparse
import math
import os

# This model's matrices are small: one BLAS thread is faster than several threads competing for
# a few cores. Set before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets, random_split  # noqa: E402

LR_RANGE = (1e-3, 1.0)
BATCH_RANGE = (16, 128)
MOMENTUM_RANGE = (0.0, 0.9)


def grid_trials(levels):
    """``levels``³ settings: each axis at ``levels`` evenly spaced values (log-spaced for lr and batch)."""
    lrs = np.geomspace(*LR_RANGE, levels)
    batches = np.rint(np.geomspace(*BATCH_RANGE, levels)).astype(int)
    momenta = np.linspace(*MOMENTUM_RANGE, levels)
    return [dict(lr=float(lr), batch_size=int(b), momentum=float(m))
            for lr in lrs for b in batches for m in momenta]


def random_trials(count, rng):
    """``count`` settings, each axis drawn independently (log-uniform for lr and batch size)."""
    log_lr = rng.uniform(math.log(LR_RANGE[0]), math.log(LR_RANGE[1]), count)
    log_b = rng.uniform(math.log(BATCH_RANGE[0]), math.log(BATCH_RANGE[1]), count)
    momenta = rng.uniform(*MOMENTUM_RANGE, count)
    return [dict(lr=float(math.exp(a)), batch_size=int(round(math.exp(b))), momentum=float(m))
            for a, b, m in zip(log_lr, log_b, momenta)]


def make_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def accuracy(model, dataset):
    x, y = dataset_tensors(dataset)
    with mg.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def dataset_tensors(subset):
    """The whole subset as two tensors (it is small), for one-shot evaluation."""
    x, y = subset.dataset.tensors
    index = mg.tensor(subset.indices)
    return x[index], y[index]


def train(setting, train_set, epochs, seed):
    mg.manual_seed(seed)  # every trial starts from the same weights
    model = make_model()
    optimizer = optim.SGD(model.parameters(), lr=setting["lr"], momentum=setting["momentum"])
    loader = DataLoader(train_set, batch_size=setting["batch_size"], shuffle=True,
                        generator=mg.Generator().manual_seed(seed))
    for _ in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model


def search(name, settings, train_set, val_set, epochs, seed):
    print(f"\n{name}: {len(settings)} trials")
    print(f"  {'#':>3s}  {'lr':>9s}  {'batch':>5s}  {'momentum':>8s}  {'val acc':>7s}")
    results = []
    for k, s in enumerate(settings, 1):
        model = train(s, train_set, epochs, seed)
        score = accuracy(model, val_set)
        score = score if math.isfinite(score) else 0.0
        results.append(dict(s, val=score, model=model))
        print(f"  {k:3d}  {s['lr']:9.5f}  {s['batch_size']:5d}  {s['momentum']:8.3f}  {score:7.4f}",
              flush=True)
    best = max(results, key=lambda r: r["val"])
    print(f"  best {name}: val acc {best['val']:.4f} at lr {best['lr']:.5f}, batch {best['batch_size']}, "
          f"momentum {best['momentum']:.3f}")
    return results, best


def plot(grid, rand, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.4))
    for results, style in ((grid, dict(marker="s", color="#1f77b4", label="grid search")),
                           (rand, dict(marker="o", color="#d62728", label="random search"))):
        lrs = [r["lr"] for r in results]
        left.scatter(lrs, [r["val"] for r in results], s=28, alpha=0.75, **style)
        right.scatter(lrs, [r["momentum"] for r in results], s=[10 + 2 * r["batch_size"] for r in results],
                      alpha=0.5, **style)
    left.set(xscale="log", xlabel="learning rate", ylabel="validation accuracy",
             title=f"validation accuracy against the learning rate\n"
                   f"grid: {len({r['lr'] for r in grid})} distinct rates, "
                   f"random: {len({r['lr'] for r in rand})}")
    left.legend(loc="upper left")
    right.set(xscale="log", xlabel="learning rate", ylabel="momentum",
              title="where the trials went (marker area ∝ batch size)\n"
                    f"the grid stacks its {len(grid)} trials on "
                    f"{len({(r['lr'], r['momentum']) for r in grid})} points of this plane")
    fig.tight_layout()
    path = os.path.join(out, "hyperparameter_search.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Grid search vs random search on a validation split.")
    parser.add_argument("--trials", type=int, default=27, help="budget per search (the grid uses the "
                        "largest cube not above it)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/hyperparameter_search")
    args = parser.parse_args(argv)

    data = datasets.digits()
    train_set, val_set, test_set = random_split(data, [0.6, 0.2, 0.2],
                                                generator=mg.Generator().manual_seed(args.seed))
    print(f"digits: {len(train_set)} training, {len(val_set)} validation, {len(test_set)} test; "
          f"MLP 64-32-10 trained {args.epochs} epochs per trial with SGD")
    levels = int(math.floor(args.trials ** (1 / 3) + 1e-9))
    grid, grid_best = search("grid search", grid_trials(levels), train_set, val_set, args.epochs, args.seed)
    rand, rand_best = search("random search", random_trials(args.trials, np.random.default_rng(args.seed)),
                             train_set, val_set, args.epochs, args.seed)

    print("\ndistinct values tried (learning rate, batch size, momentum):")
    for name, results in (("grid", grid), ("random", rand)):
        counts = [len({r[k] for r in results}) for k in ("lr", "batch_size", "momentum")]
        print(f"  {name:6s} {counts[0]:3d} {counts[1]:3d} {counts[2]:3d}   ({len(results)} trials)")

    winner_name, winner = max((("grid", grid_best), ("random", rand_best)), key=lambda nb: nb[1]["val"])
    test_acc = accuracy(winner["model"], test_set)  # the test set's only use
    print(f"\nwinner: {winner_name} search (val acc {winner['val']:.4f}); "
          f"test accuracy, measured once for the winner only: {test_acc:.4f}")
    print("lesson: the learning rate decides most of the score; random search tried "
          f"{len({r['lr'] for r in rand})} learning rates with the budget the grid spent on "
          f"{len({r['lr'] for r in grid})}.")

    os.makedirs(args.out, exist_ok=True)
    print(f"plot: {plot(grid, rand, args.out)}")
    return dict(grid=grid, random=rand, test_accuracy=test_acc)


if __name__ == "__main__":
    main()
