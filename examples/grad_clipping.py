"""Gradient clipping: an exploding-gradient recurrent network trained with and without it.

A tanh RNN reads a sequence of T random numbers and must output the sum of the first two (the
"adding problem": the answer has to be carried through all T steps). Its recurrent weight starts
orthogonal with gain 1.5, so backpropagation through time multiplies the gradient by a matrix of
spectral radius 1.5 at every step, and occasional gradients are huge: one such step throws the
weights far away and the loss explodes to inf.

Clipping caps the gradient before the update, leaving the direction alone:

* by norm: g ← g · min(1, c / ‖g‖) over all parameters together (``nn.utils.clip_grad_norm_``,
  which returns ‖g‖ before clipping);
* by value: each component clamped to [−c, c] (``nn.utils.clip_grad_value_``), which also changes
  the direction.

It stabilises training; it does not make the optimum better.

    python examples/grad_clipping.py            # writes runs/grad_clipping/grad_clipping.png
"""

import argparse
import math
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402


class AddingRNN(nn.Module):
    def __init__(self, hidden=32, gain=1.5):
        super().__init__()
        self.rnn = nn.RNN(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=gain)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def batch(n, length, generator):
    x = mg.rand(n, length, 1, generator=generator)
    return x, x[:, 0] + x[:, 1]


def train(clip, steps, length, lr, seed):
    """SGD on fresh batches; returns the loss and the gradient norm (before clipping) per step."""
    mg.manual_seed(seed)
    model = AddingRNN()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    data = mg.Generator().manual_seed(seed + 1)  # the same batches for every run
    losses, norms = [], []
    for _ in range(steps):
        x, y = batch(64, length, data)
        loss = nn.functional.mse_loss(model(x), y)
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            break
        optimizer.zero_grad()
        loss.backward()
        if clip == "norm":
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        else:
            norm = nn.utils.get_total_norm([p.grad for p in model.parameters()])
            if clip == "value":
                nn.utils.clip_grad_value_(model.parameters(), clip_value=0.1)
        norms.append(norm.item())
        optimizer.step()
    return losses, norms


def plot(results, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, (losses, norms) in results.items():
        losses = np.array(losses, dtype=float)
        left.semilogy(np.where(np.isfinite(losses), losses, np.nan), label=name)
        if len(losses) and not np.isfinite(losses[-1]):
            left.axvline(len(losses) - 1, color="tab:blue", ls=":", lw=1)
        norms = np.array(norms, dtype=float)
        right.semilogy(np.where(np.isfinite(norms), norms, np.nan), label=name, lw=0.9)
    left.axhline(1 / 6, color="0.5", ls="--", lw=0.8, label="predict the mean (MSE 1/6)")
    # a window around the clipped runs' losses: the unclipped one climbs out of it within a few
    # steps, and a scale reaching its 1e30s would squash the two clipped curves into one line
    left.set(title="training loss (dotted: the unclipped run became inf)", xlabel="step", ylabel="MSE",
             ylim=(1e-2, 1e2))
    right.set(title="‖g‖ before clipping", xlabel="step", ylabel="gradient norm")
    left.legend(fontsize=8)
    right.legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "grad_clipping.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="An exploding RNN with and without gradient clipping.")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--length", type=int, default=30, help="sequence length T")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/grad_clipping")
    args = parser.parse_args(argv)

    print(f"tanh RNN (32 units, W_hh orthogonal x 1.5), adding problem with T = {args.length}, "
          f"SGD lr {args.lr}, {args.steps} steps")
    runs = {"no clipping": None, "clip_grad_norm_(max_norm=1)": "norm", "clip_grad_value_(0.1)": "value"}
    results = {}
    for name, clip in runs.items():
        with np.errstate(over="ignore", invalid="ignore"):  # the unclipped run overflows on purpose
            losses, norms = results[name] = train(clip, args.steps, args.length, args.lr, args.seed)
        finite = [n for n in norms if math.isfinite(n)]
        if math.isfinite(losses[-1]):
            end = f"final loss {sum(losses[-20:]) / len(losses[-20:]):.4f} (mean of the last 20 steps)"
        else:
            end = f"loss became inf at step {len(losses) - 1}"
        print(f"  {name:28s} {end}; largest gradient norm {max(finite):.3g}")
    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(results, args.out)}")
    return results


if __name__ == "__main__":
    main()
