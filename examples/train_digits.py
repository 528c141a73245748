"""Train a small CNN on scikit-learn's 8x8 handwritten digits: minigrad's main job, end to end.

    python examples/train_digits.py                    # CPU (NumPy): ~98-99% in seconds
    python examples/train_digits.py --backend cupy     # the same on a GPU (CuPy)

It splits the 1,797 digits 80/20 (seeded), trains with Adam and a per-epoch tqdm progress bar
showing the running loss and accuracy, evaluates on the held-out digits after every epoch, and
writes to ``--out`` (default ``runs/digits``):

    digits_cnn.safetensors   model + optimizer state (mg.save; reload with mg.load)
    curves.png      loss and accuracy per epoch (mg.viz.plot_history)
    graph.svg       the model's recorded graph, one cluster per module (mg.viz.draw_graph)
    history.json    the numbers behind curves.png

Without graphviz's ``dot`` it still trains and says how to get the picture.
"""

import argparse
import json
import os
import shutil
import sys
import time

# This model's matrices are small: one BLAS thread is faster than several threads competing for
# a few cores (3x on 2 busy cores). Set before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets, random_split  # noqa: E402

try:
    from tqdm import tqdm
except ImportError:  # the progress bar is a nicety: train without it
    tqdm = None


class DigitsCNN(nn.Module):
    """Two 3x3 conv-BN-ReLU layers (1→16→32 channels), 2x2 max pool, then 512→64→10 linear layers.

    Batch norm after each convolution makes training insensitive to the seed and the split
    (98.9-100% test accuracy over seeds 0-4, against 96.4-98.1% without it).
    """

    def __init__(self, channels=(16, 32), hidden=64, classes=10):
        super().__init__()
        c1, c2 = channels
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, kernel_size=3, padding=1), nn.BatchNorm2d(c1), nn.ReLU(),
            nn.Conv2d(c1, c2, kernel_size=3, padding=1), nn.BatchNorm2d(c2), nn.ReLU(),
            nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(c2 * 4 * 4, hidden), nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.classifier(self.features(x))


def evaluate(model, loader, loss_fn):
    """Mean loss and accuracy over ``loader``, without recording a graph."""
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    with mg.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += loss_fn(logits, y).item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            count += len(y)
    model.train()
    return total_loss / count, correct / count


def train_epoch(model, loader, loss_fn, optimizer, scheduler, bar=None):
    """One pass over ``loader``; returns the mean training loss and accuracy."""
    total_loss, correct, count = 0.0, 0, 0
    for x, y in loader:
        logits = model(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(dim=1) == y).sum().item()
        count += len(y)
        if bar is not None:
            bar.update(1)
            bar.set_postfix_str(f"loss {total_loss / count:.4f} acc {correct / count:.3f}", refresh=False)
    return total_loss / count, correct / count


def save_pictures(model, history, sample, out):
    """curves.png and graph.svg; returns {name: path or a sentence saying why it is missing}."""
    written = {}
    try:
        from minigrad import viz
    except ImportError as err:
        reason = f"not drawn ({err}): pip install 'minigrad[viz]'"
        return {"curves": reason, "graph": reason}
    written["curves"] = os.path.join(out, "curves.png")
    viz.plot_history(history, path=written["curves"])
    x, y = sample
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(model(x), y)
    loss.backward()
    graph = viz.draw_graph(loss, params=model)
    try:
        written["graph"] = graph.render(os.path.join(out, "graph"), format="svg", cleanup=True)
    except viz.GraphvizNotFoundError:
        path = graph.save(os.path.join(out, "graph.dot"))  # graphviz: writes the DOT source
        written["graph"] = (f"{path} (DOT source only: graphviz's `dot` is missing; install it with "
                            "`sudo apt-get install graphviz` or `brew install graphviz`, then "
                            f"`dot -Tsvg {path} -o {os.path.join(out, 'graph.svg')}`)")
    model.zero_grad()
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train a small CNN on the 8x8 digits with Adam.")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", default=os.environ.get("MINIGRAD_BACKEND", "numpy"),
                        help="numpy (CPU, the default) or cupy (GPU)")
    parser.add_argument("--out", default="runs/digits", help="where the checkpoint and pictures go")
    parser.add_argument("--limit", type=int, default=None, help="use only this many digits (quick runs)")
    parser.add_argument("--no-progress", action="store_true", help="plain lines instead of tqdm bars")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    try:
        mg.set_backend(args.backend)
    except (RuntimeError, ValueError) as err:  # no CuPy, no GPU, or an unknown name
        parser.exit(2, f"cannot use --backend {args.backend}: {err}\n")
    mg.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    data = datasets.digits()
    if args.limit:
        data = random_split(data, [args.limit, len(data) - args.limit],
                            generator=mg.Generator().manual_seed(args.seed))[0]
    train_set, test_set = random_split(data, [0.8, 0.2], generator=mg.Generator().manual_seed(args.seed))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              generator=mg.Generator().manual_seed(args.seed))
    test_loader = DataLoader(test_set, batch_size=256)

    model = DigitsCNN()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    # the learning rate follows half a cosine from lr to 0 over the whole run, one step per batch
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(train_loader))
    # targets 0.91 for the right class and 0.01 for the others: the network stops pushing its logits
    # apart once it is right, which generalises better here (the loss floor is then about 0.5)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"minigrad {mg.__version__} on {mg.get_backend()} ({mg.backend.default_device()}): "
          f"{len(train_set)} training / {len(test_set)} test digits, {n_params:,} parameters")

    history = {"train loss": [], "test loss": [], "train accuracy": [], "test accuracy": []}
    progress = not args.no_progress and tqdm is not None
    for epoch in range(1, args.epochs + 1):
        # the bar fits the terminal and follows it when resized; without a terminal (a pipe, a
        # log file) it takes $COLUMNS, else 80 columns, so a line never wraps
        bar = tqdm(total=len(train_loader), desc=f"epoch {epoch:2d}/{args.epochs}", file=sys.stdout,
                   ncols=shutil.get_terminal_size((80, 24)).columns, dynamic_ncols=sys.stdout.isatty(),
                   bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}{postfix}]") \
            if progress else None
        train_loss, train_acc = train_epoch(model, train_loader, loss_fn, optimizer, scheduler, bar)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)
        for key, value in zip(history, (train_loss, test_loss, train_acc, test_acc)):
            history[key].append(value)
        if bar is not None:  # the finished bar keeps the epoch's numbers, test accuracy included
            bar.set_postfix_str(f"loss {train_loss:.4f} acc {train_acc:.3f} test {test_acc:.3f}")
            bar.close()
        else:
            print(f"epoch {epoch:2d}: train loss {train_loss:.4f} acc {train_acc:.4f} | "
                  f"test loss {test_loss:.4f} acc {test_acc:.4f}")
    train_time = time.perf_counter() - start

    checkpoint = os.path.join(args.out, "digits_cnn.safetensors")
    mg.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": args.epochs,
             "test_accuracy": history["test accuracy"][-1], "args": vars(args)}, checkpoint)
    reloaded = DigitsCNN()
    reloaded.load_state_dict(mg.load(checkpoint)["model"])
    _, reloaded_acc = evaluate(reloaded, test_loader, loss_fn)
    with open(os.path.join(args.out, "history.json"), "w") as f:
        json.dump(history, f, indent=1)
    pictures = save_pictures(model, history, next(iter(test_loader)), args.out)

    print(f"\ntest accuracy: {history['test accuracy'][-1]:.4f} "
          f"({round(history['test accuracy'][-1] * len(test_set))}/{len(test_set)} digits), "
          f"training took {train_time:.1f} s")
    print(f"outputs in {os.path.abspath(args.out)}:")
    print(f"  checkpoint  {checkpoint}  (reloaded: test accuracy {reloaded_acc:.4f})")
    print(f"  curves      {pictures['curves']}")
    print(f"  graph       {pictures['graph']}")
    print(f"  history     {os.path.join(args.out, 'history.json')}")
    return history


if __name__ == "__main__":
    main()
