"""Permutation symmetry: reorder a layer's hidden units and the network computes exactly the same function.

In y = W₂ relu(W₁x + b₁) + b₂, hidden unit k is row k of W₁, entry k of b₁ and column k of W₂.
Moving the units into another order (the same permutation applied to those rows, entries and
columns) only reorders the terms of a sum, so every output, and the loss, is unchanged. A hidden
layer of n units therefore has n! arrangements of the same trained network: 16 units give
16! = 20,922,789,888,000 distinct points in weight space with the same loss. A loss with many
separate, equally good minima cannot be convex, and the straight line between two of them shows
it: halfway between the original and the reordered weights the loss is much higher.

The script trains a 64-16-10 MLP on the digits, reorders its hidden units with a random
permutation, and prints the largest change in any output, both losses, how far apart the two
weight vectors are, and the loss along the segment between them. Pictures go to
``runs/permutation_symmetry/``.

    python examples/permutation_symmetry.py
"""

import argparse
import math
import os

# Small matrices: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets  # noqa: E402


def make_model(hidden):
    return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def train(model, data, epochs, seed):
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loader = DataLoader(data, batch_size=64, shuffle=True, generator=mg.Generator().manual_seed(seed))
    for epoch in range(epochs):
        for x, y in loader:
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"  epoch {epoch + 1}: last batch loss {loss.item():.4f}", flush=True)


def permuted_state(model, order):
    """The state dict with the hidden units in ``order``: rows of W₁ and b₁, columns of W₂."""
    state = {k: v.clone() for k, v in model.state_dict().items()}
    index = mg.tensor(order)
    state["1.weight"] = state["1.weight"][index]
    state["1.bias"] = state["1.bias"][index]
    state["3.weight"] = state["3.weight"][:, index]
    return state


def flat(state):
    return np.concatenate([v.numpy().ravel() for v in state.values()])


def plot(alphas, losses, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(alphas, losses, "o-", color="#1f77b4", ms=4)
    ax.set(title="loss on the segment (1 − α)·θ + α·θ_permuted\nboth ends: the same trained network",
           xlabel="α", ylabel="cross-entropy on all digits")
    fig.tight_layout()
    path = os.path.join(out, "permutation_symmetry.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Reordering hidden units leaves the network unchanged.")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/permutation_symmetry")
    args = parser.parse_args(argv)

    data = datasets.digits()
    x, y = data.tensors
    mg.manual_seed(args.seed)
    model = make_model(args.hidden)
    print(f"MLP 64-{args.hidden}-10 on the digits, {args.epochs} epochs of Adam:")
    train(model, data, args.epochs, args.seed)

    original = {k: v.clone() for k, v in model.state_dict().items()}
    order = np.random.default_rng(args.seed).permutation(args.hidden)
    with mg.no_grad():
        before = model(x)
        loss_before = nn.functional.cross_entropy(before, y).item()
        model.load_state_dict(permuted_state(model, order))
        after = model(x)
        loss_after = nn.functional.cross_entropy(after, y).item()
    swapped = {k: v.clone() for k, v in model.state_dict().items()}
    print(f"\nhidden units reordered as {order.tolist()}")
    print(f"  max |output change| = {float(np.abs((after - before).numpy()).max()):.3g} "
          "(float32 round-off: the same terms summed in another order)")
    print(f"  loss before {loss_before:.6f}, after {loss_after:.6f}")
    print(f"  distance between the two weight vectors: {np.linalg.norm(flat(original) - flat(swapped)):.4f} "
          f"(the weights' own norm {np.linalg.norm(flat(original)):.4f})")
    print(f"  equivalent arrangements of {args.hidden} hidden units: {args.hidden}! = "
          f"{math.factorial(args.hidden):,}")

    alphas = np.linspace(0, 1, 11)
    losses = []
    with mg.no_grad():
        for a in alphas:
            model.load_state_dict({k: (1 - a) * original[k] + a * swapped[k] for k in original})
            losses.append(nn.functional.cross_entropy(model(x), y).item())
    print("  loss along the segment between them, α = 0, 0.1, …, 1:")
    print("   " + " ".join(f"{v:.4f}" for v in losses))
    print(f"  at α = 0.5 the loss is {losses[5] / losses[0]:.1f}x the loss at either end: not convex")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(alphas, losses, args.out)}")
    return losses


if __name__ == "__main__":
    main()
