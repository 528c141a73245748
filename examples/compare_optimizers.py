"""The same network on the digits, trained with each optimizer: curves on one plot.

Every run starts from the same initial weights and sees the batches in the same order, so the
only difference is the update rule (see docs/optimizers.md for each rule in math). The learning
rates are each method's usual default or a value that works for this problem; "which
optimizer?" has no universal answer, and the ranking changes with the problem and the tuning.

    python examples/compare_optimizers.py                   # writes runs/compare_optimizers/*.png
    python examples/compare_optimizers.py --only sgd,adam   # a subset
"""

import argparse
import os
import time

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets, random_split  # noqa: E402
from minigrad.viz.race import color_of  # noqa: E402

OPTIMIZERS = {
    "sgd": ("SGD (lr 0.1)", lambda p: optim.SGD(p, lr=0.1)),
    "momentum": ("SGD + momentum 0.9 (lr 0.05)", lambda p: optim.SGD(p, lr=0.05, momentum=0.9)),
    "nesterov": ("SGD + Nesterov 0.9 (lr 0.05)",
                 lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True)),
    "ewa-momentum": ("Momentum β=0.9, EWA form (lr 0.3)", lambda p: optim.Momentum(p, lr=0.3, beta=0.9)),
    "adagrad": ("Adagrad (lr 0.05)", lambda p: optim.Adagrad(p, lr=0.05)),
    "adadelta": ("Adadelta (lr 1.0)", lambda p: optim.Adadelta(p, lr=1.0)),
    "rmsprop": ("RMSprop (lr 1e-3)", lambda p: optim.RMSprop(p, lr=1e-3)),
    "adam": ("Adam (lr 1e-3)", lambda p: optim.Adam(p, lr=1e-3)),
    "adamw": ("AdamW (lr 1e-3)", lambda p: optim.AdamW(p, lr=1e-3)),
    "nadam": ("NAdam (lr 2e-3)", lambda p: optim.NAdam(p, lr=2e-3)),
    "radam": ("RAdam (lr 1e-3)", lambda p: optim.RAdam(p, lr=1e-3)),
    "adamax": ("Adamax (lr 2e-3)", lambda p: optim.Adamax(p, lr=2e-3)),
    "lion": ("Lion (lr 3e-4)", lambda p: optim.Lion(p, lr=3e-4)),
}


def make_model():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 10))


def accuracy(model, loader):
    correct = count = 0
    with mg.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(1) == y).sum().item()
            count += len(y)
    return correct / count


def run(key, train_set, test_loader, epochs, batch_size, seed):
    mg.manual_seed(seed)
    model = make_model()
    optimizer = OPTIMIZERS[key][1](model.parameters())
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True,
                        generator=mg.Generator().manual_seed(seed))
    loss_fn = nn.CrossEntropyLoss()
    losses, accs = [], []
    start = time.perf_counter()
    for _ in range(epochs):
        total = count = 0
        for x, y in loader:
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            count += len(y)
        losses.append(total / count)
        accs.append(accuracy(model, test_loader))
    return {"loss": losses, "accuracy": accs, "seconds": time.perf_counter() - start}


def plot(results, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    for key, r in results.items():
        epochs = range(1, len(r["loss"]) + 1)
        # each optimizer's colour is the one it has in the races; the exponentially weighted form
        # of momentum shares classic momentum's colour, dashed
        style = dict(color=color_of(key) or color_of("momentum"), ls="-" if color_of(key) else "--",
                     marker="o", ms=3, lw=1.3, label=OPTIMIZERS[key][0])
        left.plot(epochs, r["loss"], **style)
        right.plot(epochs, r["accuracy"], **style)
    left.set(yscale="log", title="training loss per epoch", xlabel="epoch", ylabel="cross-entropy")
    right.set(title="test accuracy", xlabel="epoch", ylabel="accuracy")
    right.legend(fontsize=7, loc="lower right", ncol=2)
    fig.tight_layout()
    path = os.path.join(out, "compare_optimizers.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train one MLP on the digits with each optimizer.")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--only", default=",".join(OPTIMIZERS),
                        help=f"comma-separated subset of {list(OPTIMIZERS)}")
    parser.add_argument("--limit", type=int, default=None, help="use only this many digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/compare_optimizers")
    args = parser.parse_args(argv)

    keys = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in OPTIMIZERS]
    if unknown:
        parser.error(f"unknown optimizer(s) {unknown}; choose from {list(OPTIMIZERS)}")
    data = datasets.digits()
    if args.limit:
        data = random_split(data, [args.limit, len(data) - args.limit],
                            generator=mg.Generator().manual_seed(1))[0]
    train_set, test_set = random_split(data, [0.8, 0.2], generator=mg.Generator().manual_seed(args.seed))
    test_loader = DataLoader(test_set, batch_size=512)

    print(f"MLP 64-64-10 (tanh) on {len(train_set)} digits, {args.epochs} epochs, batch {args.batch_size}")
    print(f"  {'optimizer':36s} {'final loss':>10s} {'test acc':>9s} {'time':>7s}")
    results = {}
    for key in keys:
        r = results[key] = run(key, train_set, test_loader, args.epochs, args.batch_size, args.seed)
        print(f"  {OPTIMIZERS[key][0]:36s} {r['loss'][-1]:10.4f} {r['accuracy'][-1]:9.4f} "
              f"{r['seconds']:6.2f}s")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(results, args.out)}")
    return results


if __name__ == "__main__":
    main()
