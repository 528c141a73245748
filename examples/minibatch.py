"""Batch vs. mini-batch vs. single-sample (stochastic) gradient descent on the same problem.

One epoch is one pass over the data: shuffle, then partition into batches, one update per batch.

* batch gradient descent: one batch of all N samples, one exact-gradient update per epoch;
* mini-batch gradient descent: batches of B (32-256 in practice), N/B noisy updates per epoch;
* stochastic gradient descent: batches of one sample, N very noisy updates per epoch.

The problem is a linear regression y = x·w* + b* + noise with an MSE loss (``nn.Linear`` +
``nn.MSELoss``, ``optim.SGD``, ``DataLoader(shuffle=True)``). The left plot shows the loss of
each batch as it was used for an update (smooth for the full batch, noisy for single samples);
the right one the loss on the whole data set after each epoch.

    python examples/minibatch.py            # writes runs/minibatch/minibatch.png
"""

import argparse
import os
import time

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, TensorDataset  # noqa: E402


def make_data(n, features, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, features)).astype(np.float32)
    w_true = np.linspace(-2, 2, features).astype(np.float32)
    y = x @ w_true + 0.5 + 0.1 * rng.standard_normal(n).astype(np.float32)
    return TensorDataset(x, y[:, None])


def full_loss(model, data):
    x, y = (t.to(mg.backend.default_device()) for t in data.tensors)
    with mg.no_grad():
        return nn.functional.mse_loss(model(x), y).item()


def train(data, batch_size, lr, epochs, seed):
    mg.manual_seed(seed)  # the same initial weights for every variant
    model = nn.Linear(data.tensors[0].shape[1], 1)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=mg.Generator().manual_seed(seed))
    optimizer = optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    per_update, per_epoch = [], [full_loss(model, data)]
    start = time.perf_counter()
    for _ in range(epochs):
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            per_update.append(loss.item())
        per_epoch.append(full_loss(model, data))
    return {"per_update": per_update, "per_epoch": per_epoch, "updates_per_epoch": len(loader),
            "seconds": time.perf_counter() - start}


def plot(results, epochs, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, r in reversed(list(results.items())):  # the noisiest curve first, underneath
        steps = np.arange(1, len(r["per_update"]) + 1) / r["updates_per_epoch"]
        left.plot(steps, r["per_update"], lw=0.6 if r["updates_per_epoch"] > 100 else 1.5,
                  alpha=0.45 if r["updates_per_epoch"] > 100 else 1.0,
                  marker="o" if r["updates_per_epoch"] == 1 else None, ms=3, label=name)
        right.plot(range(epochs + 1), r["per_epoch"], marker="o", ms=3, label=name)
    left.set(yscale="log", title="loss of each batch when it was used", xlabel="epochs elapsed",
             ylabel="batch MSE")
    right.set(yscale="log", title="loss on all the data after each epoch", xlabel="epoch", ylabel="MSE")
    for ax in (left, right):
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "minibatch.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Batch vs. mini-batch vs. stochastic gradient descent.")
    parser.add_argument("--n", type=int, default=512, help="number of samples")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32, help="the mini-batch size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/minibatch")
    args = parser.parse_args(argv)

    data = make_data(args.n, 5, args.seed)
    variants = {f"batch (B = {args.n})": (args.n, 0.1),
                f"mini-batch (B = {args.batch_size})": (args.batch_size, 0.1),
                "stochastic (B = 1)": (1, 0.01)}
    results = {}
    print(f"linear regression, {args.n} samples, 5 features, {args.epochs} epochs, noise variance 0.01")
    print(f"  {'variant':22s} {'lr':>5s} {'updates/epoch':>13s} {'updates':>8s} {'final MSE':>10s} "
          f"{'time':>7s}")
    for name, (batch_size, lr) in variants.items():
        r = results[name] = train(data, batch_size, lr, args.epochs, args.seed)
        print(f"  {name:22s} {lr:5g} {r['updates_per_epoch']:13d} {len(r['per_update']):8d} "
              f"{r['per_epoch'][-1]:10.4f} {r['seconds']:6.2f}s")
    spread = []
    for name, r in results.items():
        last = r["per_update"][-r["updates_per_epoch"]:]
        spread.append(f"{name.split()[0]} {max(last) / min(last):.3g}")
    print("  largest / smallest batch loss in the last epoch: " + ", ".join(spread))

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(results, args.epochs, args.out)}")
    return results


if __name__ == "__main__":
    main()
