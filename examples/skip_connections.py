"""Loss landscapes with and without skip connections (a small version of Li et al., 2017).

Two 14-layer ReLU MLPs of width 32 learn the digits from the same He-initialised weights. In the
plain one every hidden block is h ← relu(Wh + b); in the residual one it is h ← h + relu(Wh + b),
a skip connection that carries h past the block (its W starts at 0.3 times the He scale, so that
the 12 sums do not blow the signal up). Both reach a similar training loss.

The loss is then drawn on a plane through the trained weights θ: L(θ + αδ + βη) for α, β in
[−1, 1], with δ and η random directions whose every row is rescaled to the norm of the matching
row of θ (``mg.viz.loss_surface``, "filter normalisation", so that the two networks' planes are
comparable). Without skip connections the minimum is a narrow pit in irregular, steep terrain:
the loss reaches thousands inside the window. With them it sits in a wide, smooth bowl, and the
loss stays in the hundreds: skip connections make deep networks' loss surfaces smoother, which is
why they are easier to train.

Printed per network: the trained loss, and on the plane its largest value, the share of the
window where it stays below 1, and the median on the circle of radius 0.5. Pictures and the two
surfaces (``surfaces.npz``) go to ``runs/skip_connections/``.

    python examples/skip_connections.py          # about 15 s
"""

import argparse
import os

# Small matrices: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets  # noqa: E402


class Block(nn.Module):
    """relu(Wh + b), plus h itself when ``skip``."""

    def __init__(self, width, skip):
        super().__init__()
        self.linear = nn.Linear(width, width)
        self.skip = skip

    def forward(self, h):
        out = nn.functional.relu(self.linear(h))
        return h + out if self.skip else out


def make_model(blocks, width, skip, seed):
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, width), nn.ReLU(),
                          *[Block(width, skip) for _ in range(blocks)], nn.Linear(width, 10))
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    if skip:
        with mg.no_grad():
            for block in model[3:-1]:
                block.linear.weight.mul_(0.3)  # each block adds to h: start its branch small
    return model


def train(model, data, epochs, seed):
    opt = optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(data, batch_size=32, shuffle=True, generator=mg.Generator().manual_seed(seed))
    for _ in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()


def summary(surface):
    """Largest loss, share of the window below 1, median on the circle of radius 0.5."""
    a, b = np.meshgrid(surface["alphas"], surface["betas"])
    losses = surface["losses"]
    ring = np.abs(np.hypot(a, b) - 0.5) < 0.5 * (surface["alphas"][1] - surface["alphas"][0]) + 1e-9
    return losses.max(), (losses < 1.0).mean(), np.median(losses[ring])


def plot(surfaces, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), layout="constrained")
    low = min(np.log10(s["losses"]).min() for s in surfaces.values())
    high = max(np.log10(s["losses"]).max() for s in surfaces.values())
    levels = np.linspace(low, high, 30)  # the same levels on both, so the pictures compare
    for ax, (name, s) in zip(axes, surfaces.items()):
        cs = ax.contour(s["alphas"], s["betas"], np.log10(s["losses"]), levels=levels, cmap="viridis",
                        linewidths=0.9)
        ax.plot(0, 0, "k+", ms=10)
        ax.set(title=name, xlabel="α", ylabel="β", aspect="equal")
    fig.colorbar(cs, ax=axes, label="log₁₀ cross-entropy (same levels on both)")
    fig.suptitle("the loss on a plane through the trained weights, L(θ + αδ + βη)")
    path = os.path.join(out, "skip_connections.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Loss landscapes with and without skip connections.")
    parser.add_argument("--blocks", type=int, default=12, help="hidden blocks (2 more layers around them)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--steps", type=int, default=21, help="grid points per axis")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/skip_connections")
    args = parser.parse_args(argv)

    data = datasets.digits()
    x, y = data.tensors
    surfaces = {}
    print(f"{args.blocks + 2}-layer ReLU MLPs (width 32) on the digits, {args.epochs} epochs of Adam each")
    for name, skip in (("without skip connections", False), ("with skip connections", True)):
        model = make_model(args.blocks, 32, skip, args.seed)
        train(model, data, args.epochs, args.seed)
        surface = mg.viz.loss_surface(model, nn.functional.cross_entropy, (x, y), dims=2, span=1.0,
                                      steps=args.steps, seed=args.seed)
        surfaces[name] = surface
        largest, below_one, ring = summary(surface)
        print(f"  {name}: trained loss {surface['center']:.4f}; on the plane: largest loss {largest:.4g}, "
              f"below 1 on {below_one:.0%} of it, median at radius 0.5 {ring:.4g}", flush=True)
    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "surfaces.npz"),
             **{f"{k}_{'skip' if 'with ' in name else 'plain'}": v
                for name, s in surfaces.items() for k, v in s.items()})
    print(f"\nplot: {plot(surfaces, args.out)}")
    return surfaces


if __name__ == "__main__":
    main()
