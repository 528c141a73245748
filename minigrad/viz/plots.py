"""Training plots with matplotlib: learning curves, gradient flow and loss landscapes.

Every function builds a ``matplotlib.figure.Figure`` on the Agg canvas (no pyplot state, no
window), returns it, and saves it when given ``path=``; in Jupyter a returned figure displays
inline by itself (it has its own PNG representation: no ``%matplotlib inline`` needed).
"""

import math
import os
import re

import numpy as np

__all__ = ["plot_history", "plot_grad_flow", "plot_decision_boundary", "loss_surface", "loss_landscape"]


def _new_figure(figsize, dpi, ncols=1, nrows=1, **kw):
    from ._figure import InlineFigure
    fig = InlineFigure(figsize=figsize, dpi=dpi)
    axes = fig.subplots(nrows, ncols, squeeze=True, **kw)
    return fig, axes


def _finish(fig, path):
    if path is not None:
        path = os.fspath(path)
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        fig.savefig(path, dpi=fig.dpi)
    return fig


# --- learning curves ----------------------------------------------------------------------------
_SPLITS = (("validation", "val"), ("valid", "val"), ("val", "val"), ("test", "test"), ("train", "train"))
_HIGHER_IS_BETTER = re.compile(r"acc|f1|auc|precision|recall|iou|score|r2", re.IGNORECASE)
_STYLE = {"train": "-", "val": "--", "test": ":"}


def _split_name(name):
    """``'val_loss'`` -> ``('loss', 'val')``; ``'train/acc'`` -> ``('acc', 'train')``."""
    low = name.lower()
    for word, split in _SPLITS:
        for sep in ("_", "/", " ", "-", "."):
            if low.startswith(word + sep):
                return name[len(word) + 1:], split
            if low.endswith(sep + word):
                return name[:-len(word) - 1], split
    return name, "train"


def plot_history(history, path=None, *, title=None, figsize=None, dpi=100, logy=None):
    """Learning curves: one panel per metric, train solid, validation dashed, best epoch marked.

    Args:
        history: dict name -> list of values per epoch (``{"loss": [...], "val_loss": [...],
            "acc": [...], "val_acc": [...]}``; prefixes/suffixes ``train``, ``val``/``valid``/
            ``validation`` and ``test`` pair curves into one panel), or a list of per-epoch dicts.
            A curve longer than the others in its panel (a loss per batch) is spread over the
            same epochs, so per-batch noise and per-epoch averages share one axis.
        path: save the figure there.
        title: a title over the panels.
        logy: log-scale the loss panels; by default when a loss spans more than two decades.

    Returns:
        matplotlib.figure.Figure

    >>> import minigrad as mg
    >>> fig = mg.viz.plot_history({"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.8, 0.9]})
    >>> [ax.get_title() for ax in fig.axes]
    ['loss']
    """
    if isinstance(history, (list, tuple)):
        merged = {}
        for record in history:
            for k, v in record.items():
                merged.setdefault(k, []).append(v)
        history = merged
    if not history:
        raise ValueError("plot_history: the history is empty")
    panels = {}
    for name, values in history.items():
        metric, split = _split_name(str(name))
        panels.setdefault(metric, []).append((split, name, [float(v) for v in values]))
    n = len(panels)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    fig, axes = _new_figure(figsize or (4.6 * ncols, 3.4 * nrows), dpi, ncols, nrows)
    axes = np.atleast_1d(axes).ravel()
    for ax, (metric, curves) in zip(axes, panels.items()):
        higher = bool(_HIGHER_IS_BETTER.search(metric))
        n_epochs = min(len(vs) for _, _, vs in curves if vs) if any(vs for _, _, vs in curves) else 0
        for split, name, values in curves:
            # a longer curve (e.g. loss per batch) is spread over the same epochs, at fractions
            epochs = np.arange(1, len(values) + 1) * (n_epochs / len(values) if values else 1)
            ax.plot(epochs, values, _STYLE.get(split, "-"), lw=1.8 if len(values) <= n_epochs else 1.0,
                    label=f"{split} ({name})", marker="o" if len(values) <= 30 else None, markersize=3)
            if split in ("val", "test") or len(curves) == 1:
                arr = np.asarray(values)
                if np.any(np.isfinite(arr)):
                    best = int(np.nanargmax(arr) if higher else np.nanargmin(arr))
                    ax.plot(epochs[best], arr[best], "*", color="gold", markeredgecolor="black",
                            markersize=12, zorder=5)
                    right = epochs[best] > 0.6 * epochs[-1]  # keep the text inside the axes
                    ax.annotate(f"best {arr[best]:.4g} @ {epochs[best]:g}", (epochs[best], arr[best]),
                                textcoords="offset points", ha="right" if right else "left",
                                xytext=(-8 if right else 8, 8 if not higher else -14), fontsize=8)
        all_values = np.asarray([v for _, _, vs in curves for v in vs], dtype=float)
        positive = all_values[np.isfinite(all_values)]
        use_log = logy if logy is not None else (
            not higher and positive.size and positive.min() > 0 and positive.max() / positive.min() > 100)
        if use_log:
            ax.set_yscale("log")
        ax.set_title(metric, fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        if max(len(vs) for _, _, vs in curves) <= 20:
            ax.xaxis.get_major_locator().set_params(integer=True)
    for ax in axes[n:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path)


# --- gradient flow --------------------------------------------------------------------------------
def _named_parameters(model):
    if hasattr(model, "named_parameters"):
        return list(model.named_parameters())
    if isinstance(model, dict):
        return list(model.items())
    return list(model)


def plot_grad_flow(model, path=None, *, figsize=None, dpi=100, title="gradient flow"):
    """Per-parameter gradient magnitude (mean and max of |grad|, log scale), input to output.

    Vanishing gradients show as bars falling off towards the first layers, exploding ones as bars
    climbing; parameters without a gradient are marked in red at the bottom.

    Args:
        model: a Module (its ``named_parameters()``), a dict name -> Tensor, or (name, Tensor) pairs.
        path: save the figure there.

    Returns:
        matplotlib.figure.Figure

    >>> import minigrad as mg
    >>> w = mg.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> fig = mg.viz.plot_grad_flow({"w": w})
    >>> [float(bar.get_height()) for bar in fig.axes[0].patches]  # max |grad|, mean |grad|
    [8.0, 7.0]
    """
    named = [(n, p) for n, p in _named_parameters(model) if getattr(p, "requires_grad", True)]
    if not named:
        raise ValueError("plot_grad_flow: the model has no parameters that require grad")
    names, means, maxes, missing = [], [], [], []
    for i, (name, p) in enumerate(named):
        names.append(name)
        if p.grad is None:
            means.append(np.nan)
            maxes.append(np.nan)
            missing.append(i)
            continue
        g = np.abs(np.asarray(p.grad.device.backend.to_numpy(p.grad.array), dtype=np.float64))
        means.append(float(g.mean()) if g.size else 0.0)
        maxes.append(float(g.max()) if g.size else 0.0)
    fig, ax = _new_figure(figsize or (max(5.0, 0.42 * len(names) + 2.0), 4.2), dpi)
    x = np.arange(len(names))
    finite = [v for v in means + maxes if np.isfinite(v) and v > 0]
    floor = min(finite) / 10 if finite else 1e-8
    mx = np.where(np.asarray(maxes) > 0, maxes, floor)
    mn = np.where(np.asarray(means) > 0, means, floor)
    ax.bar(x, mx, width=0.8, color="#9ecae1", label="max |grad|")
    ax.bar(x, mn, width=0.45, color="#08519c", label="mean |grad|")
    if missing:
        ax.plot(missing, [floor] * len(missing), "x", color="red", markersize=9, label="no grad")
    ax.set_yscale("log")
    top = max(finite) if finite else 1.0
    ax.set_ylim(floor * 0.5, top * 12)  # head room for the legend above the tallest bar
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    ax.set_xlim(-0.7, len(names) - 0.3)
    ax.set_ylabel("gradient magnitude")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, loc="upper right", ncol=3)
    fig.tight_layout()
    return _finish(fig, path)


# --- decision boundary ---------------------------------------------------------------------------
def _host(a):
    if hasattr(a, "detach"):
        a = a.detach()
        return np.asarray(a.device.backend.to_numpy(a.array))
    return np.asarray(a)


def plot_decision_boundary(model, inputs, labels, path=None, *, resolution=200, margin=0.5,
                           figsize=(5.5, 4.5), dpi=100, title=None):
    """The classes a 2-D classifier predicts over the plane, with the data on top.

    The model runs in eval mode under ``no_grad`` on a ``resolution``×``resolution`` grid
    covering the data (plus ``margin``); outputs with one column (or none) are read as a binary
    logit (class 1 where > 0, or > 0.5 when every output lies in [0, 1]), wider outputs by argmax.

    Args:
        model: a callable (Module) mapping an (N, 2) float Tensor to scores.
        inputs: (N, 2) points (Tensor or array); labels: (N,) integer classes.
        path: save the figure there.

    Returns:
        matplotlib.figure.Figure

    >>> import minigrad as mg, minigrad.nn as nn
    >>> model = nn.Linear(2, 1)
    >>> with mg.no_grad():
    ...     _ = model.weight.copy_(mg.tensor([[1.0, 0.0]])), model.bias.zero_()
    >>> fig = mg.viz.plot_decision_boundary(model, mg.tensor([[-1.0, 0.0], [1.0, 0.0]]), mg.tensor([0, 1]))
    >>> fig.axes[0].get_title()
    'decision boundary'
    """
    import minigrad as mg
    X = _host(inputs).astype(np.float64)
    y = _host(labels).astype(int).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: inputs must have shape (N, 2), got {X.shape}")
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    G = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    params = list(model.parameters()) if hasattr(model, "parameters") else []
    like = params[0] if params else None
    grid = mg.tensor(G, dtype=like.dtype if like is not None else mg.float32,
                     device=like.device if like is not None else None)
    was_training = getattr(model, "training", None)
    try:
        if was_training:
            model.eval()
        with mg.no_grad():
            pred = _classes(_host(model(grid)))
            fitted = _classes(_host(model(mg.tensor(X, dtype=grid.dtype, device=grid.device))))
    finally:
        if was_training:
            model.train()
    classes = max(int(pred.max()), int(y.max())) + 1
    from matplotlib.colors import ListedColormap
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    cmap = ListedColormap([palette[k % len(palette)] for k in range(classes)])
    fig, ax = _new_figure(figsize, dpi)
    ax.contourf(xs, ys, pred.reshape(resolution, resolution), levels=np.arange(classes + 1) - 0.5,
                cmap=cmap, alpha=0.25)
    ax.contour(xs, ys, pred.reshape(resolution, resolution), levels=np.arange(classes) + 0.5,
               colors="#333333", linewidths=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=classes - 0.5, s=14,
               edgecolors="white", linewidths=0.4)
    accuracy = float((fitted == y).mean())
    ax.set_title(title or "decision boundary", fontsize=10)
    ax.text(0.02, 0.02, f"accuracy on these points: {accuracy:.1%}", transform=ax.transAxes, fontsize=8,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    fig.tight_layout()
    return _finish(fig, path)


def _classes(scores):
    """Class per row: argmax of several scores, or a threshold on one (a logit, or a probability)."""
    if scores.ndim == 1 or scores.shape[1] == 1:
        scores = scores.reshape(-1)
        cut = 0.5 if scores.min() >= 0 and scores.max() <= 1 else 0.0
        return (scores > cut).astype(int)
    return scores.argmax(axis=1)


# --- loss landscape -------------------------------------------------------------------------------
def _filter_normalised_direction(params, rng, ignore_biases):
    """A random direction scaled filter by filter to the parameter's norms (Li et al., 2017)."""
    direction = []
    for p in params:
        theta = np.asarray(p.device.backend.to_numpy(p.array), dtype=np.float64)
        d = rng.standard_normal(theta.shape)
        if theta.ndim <= 1:
            if ignore_biases:
                d = np.zeros_like(theta)
            else:
                d *= np.linalg.norm(theta) / (np.linalg.norm(d) + 1e-10)
        else:
            rows_d = d.reshape(theta.shape[0], -1)
            rows_t = theta.reshape(theta.shape[0], -1)
            scale = np.linalg.norm(rows_t, axis=1) / (np.linalg.norm(rows_d, axis=1) + 1e-10)
            d = (rows_d * scale[:, None]).reshape(theta.shape)
        direction.append(d)
    return direction


def _to_device(host, p):
    return p.device.backend.from_numpy(np.asarray(host, dtype=p.dtype.name), p.device.index)


def loss_surface(model, loss_fn, batch, *, dims=2, span=1.0, steps=21, seed=0, ignore_biases=True):
    """The loss along random filter-normalised directions around the current parameters.

    For parameters θ and directions δ, η (Gaussian, each filter (row of a weight) rescaled to the
    norm of the matching filter of θ; biases and other 1-D parameters left fixed unless
    ``ignore_biases=False``), evaluate L(θ + αδ) (``dims=1``) or L(θ + αδ + βη) (``dims=2``) on
    α, β in ``[-span, span]`` (Li et al., 2017, "Visualizing the Loss Landscape of Neural Nets").
    The model runs in eval mode under ``no_grad``; its parameters are restored afterwards.

    Args:
        model: a Module.
        loss_fn: ``loss_fn(model(inputs), targets)`` (or ``loss_fn(model(batch))``) gives a scalar.
        batch: ``(inputs, targets)`` or the inputs alone.
        dims: 1 or 2.
        span: half-width of the window in units of the direction.
        steps: samples per axis.
        seed: seeds the directions.

    Returns:
        dict: ``alphas`` (steps,), ``betas`` (steps,) when 2-D, ``losses`` ((steps,) or
        (steps, steps), ``losses[i, j]`` at ``betas[i]``, ``alphas[j]``), ``center`` (the loss at θ).

    >>> import minigrad as mg, minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> model = nn.Linear(3, 1)
    >>> x, y = mg.randn(8, 3), mg.randn(8, 1)
    >>> s = mg.viz.loss_surface(model, lambda out, t: ((out - t) ** 2).mean(), (x, y), dims=1, steps=5)
    >>> s["losses"].shape, bool(abs(s["losses"][2] - s["center"]) < 1e-6)
    ((5,), True)
    """
    import minigrad as mg
    if dims not in (1, 2):
        raise ValueError(f"dims must be 1 or 2, got {dims!r}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("loss_surface: the model has no trainable parameters")
    rng = np.random.default_rng(seed)
    dirs = [_filter_normalised_direction(params, rng, ignore_biases) for _ in range(dims)]
    dirs = [[_to_device(d, p) for d, p in zip(ds, params)] for ds in dirs]
    originals = [p.array for p in params]
    inputs, targets = (batch if isinstance(batch, (tuple, list)) and len(batch) == 2 else (batch, None))
    was_training = getattr(model, "training", None)
    alphas = np.linspace(-span, span, steps)

    def loss_at(coeffs):
        for p, orig, *ds in zip(params, originals, *dirs):
            new = orig
            for c, d in zip(coeffs, ds):
                if c:
                    new = new + float(c) * d  # a Python float keeps the parameter's dtype
            p.array = new
        out = model(inputs)
        loss = loss_fn(out) if targets is None else loss_fn(out, targets)
        return float(loss.item())

    try:
        if was_training is not None:
            model.eval()
        with mg.no_grad():
            center = loss_at((0.0,) * dims)
            if dims == 1:
                losses = np.array([loss_at((a,)) for a in alphas])
                result = {"alphas": alphas, "losses": losses}
            else:
                losses = np.array([[loss_at((a, b)) for a in alphas] for b in alphas])
                result = {"alphas": alphas, "betas": alphas.copy(), "losses": losses}
    finally:
        for p, orig in zip(params, originals):
            p.array = orig
        if was_training:
            model.train()
    result["center"] = center
    return result


def loss_landscape(model, loss_fn, batch, path=None, *, kind="both", span=1.0, steps=21, seed=0,
                   ignore_biases=True, log=False, figsize=None, dpi=100, title=None):
    """Plot 1-D and/or 2-D slices of the loss around the current parameters (Li et al., 2017).

    The directions are random and filter-normalised (see :func:`loss_surface`), so the picture
    compares the local shape of different networks fairly: sharp vs. flat minima, chaotic vs.
    smooth surfaces.

    Args:
        model, loss_fn, batch: as for :func:`loss_surface`.
        path: save the figure there.
        kind: ``"1d"``, ``"2d"`` or ``"both"`` (side by side).
        span, steps, seed, ignore_biases: as for :func:`loss_surface` (the 1-D slice uses the
            first of the two directions, with ``2 * steps + 1`` samples).
        log: plot log10 of the loss (useful when it spans decades).

    Returns:
        matplotlib.figure.Figure

    >>> import minigrad as mg, minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> model = nn.Linear(2, 1)
    >>> batch = (mg.randn(4, 2), mg.randn(4, 1))
    >>> fig = mg.viz.loss_landscape(model, nn.MSELoss(), batch, steps=3)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['1-D slice, filter-normalised direction', '2-D slice, filter-normalised directions']
    """
    if kind not in ("1d", "2d", "both"):
        raise ValueError(f"kind must be '1d', '2d' or 'both', got {kind!r}")
    panels = ["1d", "2d"] if kind == "both" else [kind]
    fig, axes = _new_figure(figsize or (5.0 * len(panels), 4.2), dpi, len(panels))
    axes = np.atleast_1d(axes)
    tf = (lambda v: np.log10(np.maximum(v, 1e-12))) if log else (lambda v: v)
    ylabel = "log10 loss" if log else "loss"
    for ax, panel in zip(axes, panels):
        if panel == "1d":
            s = loss_surface(model, loss_fn, batch, dims=1, span=span, steps=2 * steps + 1, seed=seed,
                             ignore_biases=ignore_biases)
            ax.plot(s["alphas"], tf(s["losses"]), "-", color="#1f77b4", lw=1.8)
            ax.plot([0], tf(np.array([s["center"]])), "o", color="#d62728", label="current parameters")
            ax.set_xlabel("α  (θ + α·δ)")
            ax.set_ylabel(ylabel)
            ax.set_title("1-D slice, filter-normalised direction", fontsize=10)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        else:
            s = loss_surface(model, loss_fn, batch, dims=2, span=span, steps=steps, seed=seed,
                             ignore_biases=ignore_biases)
            A, B = np.meshgrid(s["alphas"], s["betas"])
            Z = tf(s["losses"])
            cf = ax.contourf(A, B, Z, levels=25, cmap="viridis")
            ax.contour(A, B, Z, levels=12, colors="white", linewidths=0.4, alpha=0.6)
            fig.colorbar(cf, ax=ax, label=ylabel)
            ax.plot([0], [0], "o", color="#d62728", markeredgecolor="white")
            ax.set_xlabel("α  (direction δ)")
            ax.set_ylabel("β  (direction η)")
            ax.set_aspect("equal")
            ax.set_title("2-D slice, filter-normalised directions", fontsize=10)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return _finish(fig, path)
