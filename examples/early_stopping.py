"""Early stopping: stop when the validation loss stops improving, and keep the best weights.

A wide MLP fits 24 samples of y = sin(2πx) + noise, the noise N(0, 0.3²), so that no model can
get the validation loss below 0.3² = 0.09. The training loss keeps falling for as long as it
trains, but after a while the network starts to fit the noise in those 24 points, and the loss
on 200 held-out points (the validation set) turns back up: training longer makes the model worse.

Early stopping watches the validation loss after every epoch, remembers the weights of the best
epoch so far, and stops once ``patience`` epochs in a row have not beaten it by more than
``min_delta``; the model then goes back to the remembered weights.

``EarlyStopping`` below is the whole utility (a dozen lines around ``state_dict``); the loop
shows where it goes. The script trains once to the end (to draw both curves in full) and marks
where early stopping would have stopped and which epoch it would have kept; then it trains again
with the stopper in the loop and checks that the restored model has the best validation loss.
Pictures and the loss history go to ``runs/early_stopping/``.

    python examples/early_stopping.py
"""

import argparse
import json
import math
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402


class EarlyStopping:
    """Stop after ``patience`` epochs without a validation loss below ``best - min_delta``.

    Call ``step(val_loss, model)`` once per epoch; it returns True when training should stop.
    ``best_state`` holds a copy of the best epoch's weights (``model.load_state_dict`` restores it).
    """

    def __init__(self, patience=50, min_delta=0.0):
        self.patience, self.min_delta = patience, min_delta
        self.best, self.best_epoch, self.best_state, self.epoch = math.inf, None, None, 0

    def step(self, val_loss, model):
        self.epoch += 1
        if val_loss < self.best - self.min_delta:
            self.best, self.best_epoch = val_loss, self.epoch
            self.best_state = {k: v.clone() for k, v in model.state_dict().items()}
        return self.epoch - self.best_epoch >= self.patience


def make_data(n_train, n_val, noise, seed):
    rng = np.random.default_rng(seed)

    def sample(n):
        x = rng.uniform(0, 1, (n, 1))
        return (mg.tensor(x, dtype=mg.float32),
                mg.tensor(np.sin(2 * np.pi * x) + noise * rng.normal(size=(n, 1)), dtype=mg.float32))
    return sample(n_train), sample(n_val)


def make_model(seed):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, 128), nn.Tanh(), nn.Linear(128, 128), nn.Tanh(), nn.Linear(128, 1))


def val_loss_of(model, val):
    with mg.no_grad():
        return nn.functional.mse_loss(model(val[0]), val[1]).item()


def train(train_set, val, epochs, lr, seed, stopper=None):
    """Full-batch Adam; one epoch is one step over the training points."""
    model = make_model(seed)
    opt = optim.Adam(model.parameters(), lr=lr)
    history = {"train": [], "val": []}
    for epoch in range(1, epochs + 1):
        loss = nn.functional.mse_loss(model(train_set[0]), train_set[1])
        opt.zero_grad()
        loss.backward()
        opt.step()
        history["train"].append(loss.item())
        history["val"].append(val_loss_of(model, val))
        if epoch % 500 == 0:
            print(f"  epoch {epoch:5d}: train {history['train'][-1]:.4f}, val {history['val'][-1]:.4f}",
                  flush=True)
        if stopper is not None and stopper.step(history["val"][-1], model):
            break
    return model, history


def plot(history, best_epoch, stop_epoch, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.4))
    epochs = np.arange(1, len(history["val"]) + 1)
    ax.semilogy(epochs, history["train"], color="#1f77b4", lw=1.3, label="training loss (24 points)")
    ax.semilogy(epochs, history["val"], color="#d62728", lw=1.3, label="validation loss (200 points)")
    ax.axvline(best_epoch, color="#2ca02c", ls="--", lw=1, label=f"best validation epoch ({best_epoch})")
    ax.axvline(stop_epoch, color="0.3", ls=":", lw=1, label=f"early stopping stops ({stop_epoch})")
    ax.set(title="training longer fits the noise: the validation loss turns back up", xlabel="epoch",
           ylabel="mean squared error")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "early_stopping.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Early stopping on the validation loss.")
    parser.add_argument("--epochs", type=int, default=3000)
    parser.add_argument("--patience", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--noise", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/early_stopping")
    args = parser.parse_args(argv)

    train_set, val = make_data(24, 200, args.noise, args.seed)
    print(f"MLP 1-128-128-1 (tanh) on 24 noisy samples of sin(2πx), full-batch Adam lr {args.lr}")
    print(f"training all {args.epochs} epochs:")
    _, history = train(train_set, val, args.epochs, args.lr, args.seed)
    best_epoch = int(np.argmin(history["val"])) + 1
    print(f"  lowest validation loss {min(history['val']):.5f} at epoch {best_epoch}; "
          f"after all {args.epochs} epochs: train {history['train'][-1]:.5f}, val {history['val'][-1]:.5f}")

    print(f"\ntraining again with EarlyStopping(patience={args.patience}):")
    stopper = EarlyStopping(patience=args.patience)
    model, short = train(train_set, val, args.epochs, args.lr, args.seed, stopper)
    stop_epoch = len(short["val"])
    model.load_state_dict(stopper.best_state)
    print(f"  stopped at epoch {stop_epoch}, kept epoch {stopper.best_epoch} "
          f"(val {stopper.best:.5f}); restored model's val loss {val_loss_of(model, val):.5f}")

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "history.json"), "w") as fh:
        json.dump(dict(history, patience=args.patience), fh)
    print(f"\nplot: {plot(history, stopper.best_epoch, stop_epoch, args.out)}")
    return history, stopper


if __name__ == "__main__":
    main()
