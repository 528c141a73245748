"""Weight initialisation: zero, too small, appropriate, too large, on a deep MLP.

The same 6-hidden-layer network (width 64) learns the 3-arm spiral from four initialisations of
its weights (biases start at 0 in all four):

* zero: every hidden unit computes the same function and receives the same gradient, so they
  stay identical forever (symmetry is never broken); here they even stay at zero;
* too small, N(0, 0.01²): each layer multiplies the activations' scale by about
  0.01·√fan_in ≈ 0.08, so the signal, and the gradients on the way back, vanish with depth;
* appropriate: He/Kaiming N(0, 2/fan_in) for ReLU (``nn.init.kaiming_normal_``): ReLU zeroes
  half of each layer's inputs, and the factor 2 makes up for it, so the activations keep their
  scale through every layer. For tanh (``--activation tanh``), Xavier/Glorot normal
  N(0, 2/(fan_in + fan_out)) (``nn.init.xavier_normal_``, gain 1): with fan_in = fan_out = 64,
  σ = √(2/128) = 0.125 and Var(w)·fan_in = 1, and tanh is nearly the identity for these small
  inputs, so the spread stays flat (0.097 to 0.11 over the six layers here). PyTorch's
  ``calculate_gain("tanh")`` = 5/3 multiplies σ by 5/3 to make up for tanh squashing large inputs;
  these inputs are small enough that tanh barely squashes them, so with the gain the spread grows
  instead, from 0.16 to 0.58 over the six layers;
* too large, N(0, 1): the scale grows by about √(fan_in/2) ≈ 5.7 per ReLU layer, the logits and
  gradients explode and training breaks down (NaN); with tanh the units saturate at ±1 instead.

Printed: the activations' standard deviation after each layer and each layer's gradient norm at
initialisation, then the loss and accuracy after training, and how many distinct units the first
layer ends with. Pictures: activation scale and gradient norm per layer, loss curves, and the
four decision boundaries.

    python examples/weight_init.py                     # ReLU; writes runs/weight_init/*.png
    python examples/weight_init.py --activation tanh   # Xavier as the appropriate scheme
"""

import argparse
import math
import os

# Small matrices (width 64): one BLAS thread avoids thread start-up costs and competing for a few
# cores. Set before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import datasets  # noqa: E402


def schemes(activation):
    appropriate = ("He/Kaiming normal, σ = √(2/fan_in)",
                   lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")) \
        if activation == "relu" else \
        ("Xavier/Glorot normal, σ = √(2/(fan_in + fan_out))", lambda w: nn.init.xavier_normal_(w))
    return {
        "zero": ("zeros", nn.init.zeros_),
        "too small": ("N(0, 0.01²)", lambda w: nn.init.normal_(w, std=0.01)),
        "appropriate": appropriate,
        "too large": ("N(0, 1)", lambda w: nn.init.normal_(w, std=1.0)),
    }


def make_model(depth, width, activation, init):
    act = nn.ReLU if activation == "relu" else nn.Tanh
    layers, fan_in = [], 2
    for _ in range(depth):
        layers += [nn.Linear(fan_in, width), act()]
        fan_in = width
    layers.append(nn.Linear(fan_in, 3))
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, nn.Linear):
            init(m.weight)
            nn.init.zeros_(m.bias)
    return model


def probe(model, x, y):
    """Activation std after each hidden layer and each Linear's weight-gradient norm, at init."""
    stds, h = [], x
    for m in model:
        h = m(h)
        if not isinstance(m, nn.Linear):
            stds.append(h.std().item())
    loss = nn.functional.cross_entropy(model(x), y)
    model.zero_grad()
    loss.backward()
    norms = [m.weight.grad.norm().item() for m in model if isinstance(m, nn.Linear)]
    model.zero_grad()
    return stds, norms, loss.item()


def train(model, x, y, steps, lr):
    optimizer = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses, nan_at = [], None
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(x), y)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            nan_at = step
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses, nan_at


def distinct_units(model):
    """How many different rows (units) the first layer's weight has, to 6 decimals."""
    w = model[0].weight.detach().cpu().numpy()
    return len({tuple(np.round(row, 6)) for row in w})


def plot(results, x, y, activation, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(13, 7.5), layout="constrained")
    cells = fig.add_gridspec(2, 12)
    top = [fig.add_subplot(cells[0, 4 * i:4 * i + 4]) for i in range(3)]
    bottom = [fig.add_subplot(cells[1, 3 * i:3 * i + 3]) for i in range(4)]
    for name, r in results.items():
        label = f"{name}: {r['label']}" + (" (all exactly 0: not drawn)" if not any(r["stds"]) else "")
        positive = lambda v: np.where(np.array(v) > 0, v, np.nan)  # noqa: E731 - log axes skip zeros
        top[0].semilogy(range(1, len(r["stds"]) + 1), positive(r["stds"]), "o-", ms=3, label=label)
        top[1].semilogy(range(1, len(r["grads"]) + 1), positive(r["grads"]), "o-", ms=3, label=label)
        losses = np.array(r["losses"], dtype=float)
        top[2].semilogy(np.where(np.isfinite(losses), losses, np.nan), label=label)
    top[0].set(title=f"activation std after each {activation} layer (at init)", xlabel="hidden layer")
    top[1].set(title="‖∂loss/∂W‖ per layer (at init)", xlabel="layer")
    top[2].set(title="training loss", xlabel="step")
    top[0].legend(fontsize=7)

    xs, ys = np.meshgrid(np.linspace(-1.2, 1.2, 120), np.linspace(-1.2, 1.2, 120))
    grid = mg.tensor(np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32))
    points, labels = x.cpu().numpy(), y.cpu().numpy()
    # each class's region in the pale version of its points' colour (Set1 and Pastel1 pair up)
    regions = matplotlib.colors.ListedColormap(plt.get_cmap("Pastel1").colors[:3])
    dots = matplotlib.colors.ListedColormap(plt.get_cmap("Set1").colors[:3])
    for ax, (name, r) in zip(bottom, results.items()):
        with mg.no_grad(), np.errstate(over="ignore", invalid="ignore"):
            logits = r["model"](grid.to(mg.backend.default_device())).cpu().numpy()
        pred = np.nan_to_num(logits, nan=0.0).argmax(1).reshape(xs.shape)
        ax.contourf(xs, ys, pred, levels=[-0.5, 0.5, 1.5, 2.5], cmap=regions, alpha=0.9)
        ax.scatter(points[:, 0], points[:, 1], c=labels, cmap=dots, s=6, vmin=-0.5, vmax=2.5)
        ax.set(title=f"{name}: accuracy {r['accuracy']:.2f}", xticks=[], yticks=[])
    path = os.path.join(out, f"weight_init_{activation}.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Zero, too small, appropriate and too large initialisation.")
    parser.add_argument("--activation", choices=["relu", "tanh"], default="relu")
    parser.add_argument("--depth", type=int, default=6, help="hidden layers")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--steps", type=int, default=400, help="full-batch SGD steps (momentum 0.9)")
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--points", type=int, default=100, help="points per spiral arm")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/weight_init")
    args = parser.parse_args(argv)

    x, y = datasets.spiral(args.points, 3, generator=mg.Generator().manual_seed(args.seed)).tensors
    x, y = x.to(mg.backend.default_device()), y.to(mg.backend.default_device())
    print(f"{args.depth} hidden {args.activation} layers of {args.width}, spiral of {len(y)} points, "
          f"{args.steps} full-batch SGD steps (lr {args.lr}, momentum 0.9)")
    results = {}
    for name, (label, init) in schemes(args.activation).items():
        print(f"\n{name} ({label}): training...", flush=True)  # each run takes seconds: say which
        mg.manual_seed(args.seed)
        model = make_model(args.depth, args.width, args.activation, init)
        # the "too large" run overflows on purpose: silence NumPy's warnings, report the NaN instead
        with np.errstate(over="ignore", invalid="ignore"):
            stds, grads, loss0 = probe(model, x, y)
            losses, nan_at = train(model, x, y, args.steps, args.lr)
            with mg.no_grad():
                accuracy = (model(x).argmax(1) == y).float().mean().item()
        results[name] = dict(label=label, stds=stds, grads=grads, losses=losses, model=model,
                             accuracy=accuracy, units=distinct_units(model))
        print("  activation std per layer: " + " ".join(f"{s:.2g}" for s in stds))
        print(f"  gradient norm, first / last layer: {grads[0]:.2e} / {grads[-1]:.2e}")
        end = f"loss became non-finite at step {nan_at}" if nan_at is not None \
            else f"final loss {losses[-1]:.4f}"
        print(f"  initial loss {loss0:.4g}, {end}, accuracy {accuracy:.3f}, "
              f"distinct units in layer 1: {results[name]['units']} of {args.width}")

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(results, x, y, args.activation, args.out)}")
    return results


if __name__ == "__main__":
    main()
