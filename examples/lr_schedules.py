"""Learning-rate schedules: what each one does to the learning rate, and what that does to training.

1. Every scheduler of ``optim.lr_scheduler`` stepped for 100 epochs from lr = 0.1, drawn on one
   plot (``ReduceLROnPlateau`` reacting to a loss that stops improving).
2. Adagrad's built-in decay: with a constant gradient g its effective learning rate
   η/(δ + √(Σ g²)) = η/(δ + |g|√t) shrinks like 1/√t, while RMSprop's moving average keeps it
   level.
3. The same MLP trained on the spiral with a constant learning rate, step decay, cosine annealing
   and one-cycle (warm-up then anneal), with SGD + momentum (base lr 0.3). With this short budget
   the decaying schedules cut the learning rate before the network has fitted the arms, while
   one-cycle's warm-up and late anneal fit them best: a schedule is tuned together with its budget.

    python examples/lr_schedules.py            # writes runs/lr_schedules/lr_schedules.png
"""

import argparse
import os

# Small arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, datasets  # noqa: E402
from minigrad.optim import lr_scheduler as S  # noqa: E402


def _optimizer(lr=0.1):
    return optim.SGD([mg.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)


def schedules(epochs):
    """name -> a function building the scheduler on a fresh optimizer."""
    warm = max(1, epochs // 10)
    return {
        "StepLR(step_size=30, gamma=0.5)": lambda o: S.StepLR(o, step_size=30, gamma=0.5),
        "MultiStepLR([50, 80], gamma=0.1)": lambda o: S.MultiStepLR(o, milestones=[50, 80], gamma=0.1),
        "ExponentialLR(gamma=0.97)": lambda o: S.ExponentialLR(o, gamma=0.97),
        f"CosineAnnealingLR(T_max={epochs})": lambda o: S.CosineAnnealingLR(o, T_max=epochs),
        "LambdaLR(1 / (1 + 0.05 t))": lambda o: S.LambdaLR(o, lambda t: 1 / (1 + 0.05 * t)),
        f"LinearLR warm-up ({warm}) + cosine (SequentialLR)": lambda o: S.SequentialLR(
            o, [S.LinearLR(o, start_factor=0.1, total_iters=warm),
                S.CosineAnnealingLR(o, T_max=epochs - warm)],
            milestones=[warm]),
        f"OneCycleLR(max_lr=0.1, total_steps={epochs})":
            lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=epochs),
    }


def lr_curves(epochs):
    curves = {}
    for name, make in schedules(epochs).items():
        opt = _optimizer()
        sched = make(opt)
        lrs = []
        for _ in range(epochs):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        curves[name] = lrs
    # ReduceLROnPlateau watches a metric: a loss that improves for 30 epochs, then stalls
    opt = _optimizer()
    plateau = S.ReduceLROnPlateau(opt, factor=0.5, patience=5)
    lrs = []
    for epoch in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        plateau.step(max(1.0 - epoch / 30, 0.0) + 1.0)
    curves["ReduceLROnPlateau(factor=0.5, patience=5)"] = lrs
    return curves


def effective_lr(kind, steps):
    """η_eff = |Δθ| / |g| per step for a parameter whose gradient is always 1."""
    w = mg.zeros(1, requires_grad=True)
    opt = optim.Adagrad([w], lr=0.1) if kind == "Adagrad" else optim.RMSprop([w], lr=0.1, alpha=0.9)
    out, before = [], 0.0
    for _ in range(steps):
        w.grad = mg.ones(1)
        opt.step()
        now = w.item()
        out.append(abs(now - before))
        before = now
    return out


def train(schedule, epochs, seed, lr=0.3):
    x, y = datasets.spiral(100, 3, generator=mg.Generator().manual_seed(seed)).tensors
    data = mg.data.TensorDataset(x, y)
    loader = DataLoader(data, batch_size=32, shuffle=True, generator=mg.Generator().manual_seed(seed))
    mg.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    steps = epochs * len(loader)
    sched = {"constant": None,
             "StepLR": S.StepLR(opt, step_size=steps // 3, gamma=0.2),
             "CosineAnnealingLR": S.CosineAnnealingLR(opt, T_max=steps),
             "OneCycleLR": S.OneCycleLR(opt, max_lr=lr, total_steps=steps)}[schedule]
    losses = []
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if sched is not None:
                sched.step()  # per batch: the schedules above count batches
            total += loss.item() * len(yb)
        losses.append(total / len(data))
    with mg.no_grad():
        dev = mg.backend.default_device()
        accuracy = (model(x.to(dev)).argmax(1) == y.to(dev)).float().mean().item()
    return losses, accuracy


def plot(curves, adaptive, training, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.4))
    for name, lrs in curves.items():
        axes[0].plot(lrs, label=name, lw=1.4)
    axes[0].set(title="learning rate per epoch (start 0.1)", xlabel="epoch", ylabel="lr")
    axes[0].legend(fontsize=6.5)
    for name, values in adaptive.items():
        axes[1].plot(range(1, len(values) + 1), values, label=name)
    axes[1].set(title="effective learning rate, constant gradient", xlabel="step", ylabel="|Δθ| / |g|",
                yscale="log", xscale="log")
    axes[1].legend(fontsize=8)
    for name, (losses, acc) in training.items():
        axes[2].plot(range(1, len(losses) + 1), losses, label=f"{name} (accuracy {acc:.3f})")
    axes[2].set(title="spiral MLP, SGD + momentum: training loss", xlabel="epoch", yscale="log")
    axes[2].legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "lr_schedules.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description="Learning-rate schedules.")
    parser.add_argument("--epochs", type=int, default=100, help="epochs of the schedule plot")
    parser.add_argument("--train-epochs", type=int, default=60, help="epochs of the spiral training")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="runs/lr_schedules")
    args = parser.parse_args(argv)

    curves = lr_curves(args.epochs)
    marks = sorted({0, args.epochs // 4, args.epochs // 2, 3 * args.epochs // 4, args.epochs - 1})
    print("learning rate at epoch " + ", ".join(str(m) for m in marks))
    for name, lrs in curves.items():
        print(f"  {name:50s} " + "  ".join(f"{lrs[m]:.4g}" for m in marks))

    adaptive = {"Adagrad (lr 0.1)": effective_lr("Adagrad", 1000),
                "RMSprop (lr 0.1, alpha 0.9)": effective_lr("RMSprop", 1000)}
    print("\neffective learning rate with a constant gradient, steps 1, 10, 100, 1000:")
    for name, values in adaptive.items():
        print(f"  {name:28s} " + "  ".join(f"{values[i]:.4g}" for i in (0, 9, 99, 999)))

    print(f"\nspiral MLP, {args.train_epochs} epochs, SGD momentum 0.9:")
    training = {}
    for name in ("constant", "StepLR", "CosineAnnealingLR", "OneCycleLR"):
        losses, acc = training[name] = train(name, args.train_epochs, args.seed)
        print(f"  {name:18s} final loss {losses[-1]:.4f}  accuracy {acc:.3f}")

    os.makedirs(args.out, exist_ok=True)
    print(f"\nplot: {plot(curves, adaptive, training, args.out)}")


if __name__ == "__main__":
    main()
