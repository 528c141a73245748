"""Optimizer races: several optimizers descend the same 2-D function from the same start.

Each optimizer gets its own copy of the starting point as a float64 leaf Tensor and runs the
ordinary training loop (``zero_grad``, loss, ``backward``, ``step`` through a closure, so
``LBFGS`` works too); the positions after every step are drawn over the function's contours.
"""

import math
import os

import numpy as np

from . import functions as _functions
from .plots import _finish, _new_figure

__all__ = ["optimizer_race", "OPTIMIZER_COLORS", "color_of"]

# One colour per optimizer, the same in every race (and in the examples that compare optimizers),
# so that a reader who has learnt "Adam is green" can read any of the pictures at a glance.
OPTIMIZER_COLORS = {
    "sgd": "#d62728", "momentum": "#1f77b4", "nesterov": "#17becf", "adagrad": "#9467bd",
    "adadelta": "#8c564b", "rmsprop": "#ff7f0e", "adam": "#2ca02c", "adamw": "#bcbd22",
    "nadam": "#e377c2", "radam": "#7f7f7f", "adamax": "#98df8a", "lion": "#000000", "lbfgs": "#aec7e8",
}
_SPARE = ("#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d", "#31a354")


def color_of(name, default=None):
    """The fixed colour of the optimizer a racer's name starts with (``"Adam lr=0.1"`` → Adam's).

    The first word of ``name`` is matched case-insensitively, ignoring ``-``, ``_`` and ``.``;
    ``default`` is returned when it names no known optimizer.
    """
    words = str(name).split()
    key = words[0].lower().replace("-", "").replace("_", "").replace(".", "") if words else ""
    return OPTIMIZER_COLORS.get(key, default)


def _run(fn, make_optimizer, start, steps):
    import minigrad as mg
    p = mg.tensor(np.asarray(start, dtype=np.float64), dtype=mg.float64, requires_grad=True)
    opt = make_optimizer([p])
    path = np.full((steps + 1, 2), np.nan)
    path[0] = start
    diverged = None

    def closure():
        opt.zero_grad()
        loss = fn(p)
        loss.backward()
        return loss

    for k in range(1, steps + 1):
        opt.step(closure)
        xy = p.detach().cpu().numpy().astype(np.float64)
        if not np.all(np.isfinite(xy)) or np.max(np.abs(xy)) > 1e8:
            diverged = k
            break
        path[k] = xy
    return path, diverged


def _grid_values(fn, bounds, n=200):
    """``fn`` on an ``n``×``n`` grid: one vectorised call when ``fn`` allows it, else point by point."""
    import minigrad as mg
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    X, Y = np.meshgrid(xs, ys)
    with mg.no_grad():
        try:
            Z = fn(mg.tensor(np.stack([X, Y]), dtype=mg.float64))
            Z = Z.cpu().numpy() if hasattr(Z, "cpu") else np.asarray(Z)
            if Z.shape == X.shape:
                return X, Y, Z.astype(np.float64)
        except Exception:  # a user function written for one point only
            pass
        n = 60
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        X, Y = np.meshgrid(xs, ys)
        Z = np.empty_like(X)
        for i in range(n):
            for j in range(n):
                Z[i, j] = float(fn(mg.tensor([X[i, j], Y[i, j]], dtype=mg.float64)).item())
    return X, Y, Z


def _auto_bounds(paths, start):
    pts = np.concatenate([p[np.all(np.isfinite(p), axis=1)] for p in paths] + [np.asarray([start])])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum((hi - lo) * 0.15, 0.5)
    return ((lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1]))


def _draw_contours(ax, X, Y, Z, log_levels, levels):
    finite = Z[np.isfinite(Z)]
    zmin, zmax = float(finite.min()), float(finite.max())
    if log_levels is None:
        log_levels = zmin >= 0 and zmax > 1e3 * max(zmin, 1e-12)
    if log_levels:
        shift = 0.0 if zmin > 0 else (1e-3 * (zmax - zmin) or 1e-3) - zmin
        Zs = Z + shift
        lv = np.logspace(math.log10(max(float(Zs[np.isfinite(Zs)].min()), 1e-12)),
                         math.log10(float(Zs[np.isfinite(Zs)].max())), levels)
        ax.contourf(X, Y, Zs, levels=lv, cmap="Greys", alpha=0.3, norm=_log_norm())
        ax.contour(X, Y, Zs, levels=lv, colors="#555555", linewidths=0.4, alpha=0.6)
    else:
        ax.contourf(X, Y, Z, levels=levels, cmap="Greys", alpha=0.3)
        ax.contour(X, Y, Z, levels=levels, colors="#555555", linewidths=0.4, alpha=0.6)


def _log_norm():
    from matplotlib.colors import LogNorm
    return LogNorm()


def optimizer_race(fn, optimizers, start=None, steps=100, path=None, *, bounds=None, levels=30,
                   figsize=(9.0, 5.5), dpi=100, fps=20, max_frames=200, title=None, colors=None):
    """Race optimizers on a 2-D function and draw their trajectories over its contours.

    Args:
        fn: a callable on a shape-(2,) Tensor returning a scalar Tensor, or one of
            ``"rosenbrock"``, ``"beale"``, ``"saddle"``, ``"ravine"`` (``minigrad.viz.functions``).
        optimizers: dict name -> callable(params) returning an optimizer, e.g.
            ``{"SGD": lambda p: optim.SGD(p, lr=1e-3)}``.
        start: the starting point (x, y); defaults to the built-in function's ``start``.
        steps: optimizer steps per racer.
        path: save the figure there (or a list of paths); a ``.gif`` path animates the race
            (``fps`` frames per second, one frame per step plus the start, at most ``max_frames``
            evenly spaced; the last frame is held for two seconds).
        bounds: ``((xmin, xmax), (ymin, ymax))`` of the plot; defaults to the function's window,
            or to the region the trajectories visit.
        levels: number of contour levels (log-spaced when the function spans orders of magnitude).
        colors: dict racer name -> colour, for racers whose colour should not follow the first
            word of their name (``color_of``); racers named after no known optimizer take spare
            colours in order.

    Returns:
        (matplotlib.figure.Figure, dict): the figure and, per optimizer, the ``(steps + 1, 2)``
        array of positions (row 0 is ``start``; rows after a divergence are NaN).

    >>> import minigrad as mg, minigrad.optim as optim
    >>> fig, paths = mg.viz.optimizer_race(lambda p: (p * p).sum(),
    ...                                    {"SGD": lambda params: optim.SGD(params, lr=0.25)},
    ...                                    start=(1.0, -2.0), steps=2)
    >>> paths["SGD"].tolist()  # each step halves the distance to the minimum
    [[1.0, -2.0], [0.5, -1.0], [0.25, -0.5]]
    """
    f = _functions.get(fn)
    if not optimizers:
        raise ValueError("optimizer_race: give at least one optimizer (a dict name -> factory)")
    if start is None:
        start = getattr(f, "start", None)
        if start is None:
            raise ValueError("optimizer_race: give start= for a custom function")
    start = tuple(float(s) for s in start)
    if len(start) != 2:
        raise ValueError(f"start must be a point (x, y), got {start!r}")
    trajectories, diverged = {}, {}
    for name, make in optimizers.items():
        trajectories[name], diverged[name] = _run(f, make, start, steps)
    if bounds is None:
        bounds = getattr(f, "bounds", None) or _auto_bounds(list(trajectories.values()), start)
    X, Y, Z = _grid_values(f, bounds)

    fig, ax = _new_figure(figsize, dpi)
    _draw_contours(ax, X, Y, Z, getattr(f, "log_levels", None), levels)
    for m in getattr(f, "minima", ()):
        ax.plot(*m, marker="*", color="gold", markersize=16, markeredgecolor="black", zorder=5,
                linestyle="none")
    ax.plot(*start, marker="o", color="black", markersize=6, zorder=6, linestyle="none")
    lines, heads, spare = [], [], iter(_SPARE * (1 + len(trajectories) // len(_SPARE)))
    # earlier racers are drawn wider, so a path that runs on top of another leaves it visible
    widths = np.linspace(4.2, 1.2, len(trajectories)) if len(trajectories) > 1 else [1.6]
    with _quiet_numpy():
        for k, (name, traj) in enumerate(trajectories.items()):
            color = (colors or {}).get(name) or color_of(name) or next(spare)
            last = traj[np.all(np.isfinite(traj), axis=1)][-1]
            fval = _value(f, last)
            note = f"diverged at step {diverged[name]}" if diverged[name] else f"f = {fval:.3g}"
            (line,) = ax.plot(traj[:, 0], traj[:, 1], "-", color=color, lw=widths[k], alpha=0.9,
                              label=f"{name} ({note})", zorder=3, solid_capstyle="round")
            (head,) = ax.plot(last[0], last[1], "o", color=color, markersize=6,
                              markeredgecolor="white", zorder=4)
            lines.append(line)
            heads.append(head)
    (x0, x1), (y0, y1) = bounds
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    name = getattr(f, "name", getattr(f, "__name__", "f"))
    formula = getattr(f, "formula", None)
    ax.set_title(title or (f"{name}: {formula}" if formula else name) + f" — {steps} steps", fontsize=10)
    # beside the axes, not over them: a legend inside would hide whichever paths pass under it
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    paths = [] if path is None else [path] if isinstance(path, (str, os.PathLike)) else list(path)
    for p in paths:
        p = os.fspath(p)
        if p.lower().endswith(".gif"):
            _animate(fig, ax, trajectories, lines, heads, steps, p, fps, max_frames)
        else:
            _finish(fig, p)
    return fig, trajectories


def _value(f, xy):
    import minigrad as mg
    with mg.no_grad():
        return float(f(mg.tensor(np.asarray(xy), dtype=mg.float64)).item())


class _quiet_numpy:
    def __enter__(self):
        self._old = np.seterr(all="ignore")

    def __exit__(self, *exc):
        np.seterr(**self._old)


def _to_rgb(color):
    from matplotlib.colors import to_rgb
    return to_rgb(color)


def _frame_indices(steps, max_frames):
    n = steps + 1
    if n <= max_frames:
        return list(range(n))
    return sorted(set(np.linspace(0, steps, max_frames).round().astype(int).tolist()))


def _animate(fig, ax, trajectories, lines, heads, steps, path, fps, max_frames):
    """Write the race as a GIF: the contours are drawn once, each frame only redraws the paths."""
    from PIL import Image
    frames = _frame_indices(steps, max_frames)
    counter = ax.text(0.02, 0.03, "", transform=ax.transAxes, fontsize=9,
                      bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
    moving = lines + heads + [counter]
    canvas = fig.canvas
    for a in moving:
        a.set_visible(False)
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    for a in moving:
        a.set_visible(True)
    images = []
    for k in frames:
        for traj, line, head in zip(trajectories.values(), lines, heads):
            seen = traj[:k + 1]
            line.set_data(seen[:, 0], seen[:, 1])
            ok = seen[np.all(np.isfinite(seen), axis=1)]
            head.set_data([ok[-1, 0]], [ok[-1, 1]])
        counter.set_text(f"step {k}")
        canvas.restore_region(background)
        for a in moving:
            ax.draw_artist(a)
        images.append(Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3].copy()))
    # one palette for all frames, from the finished race plus solid swatches of each racer's
    # colour so that the adaptive palette keeps them exact
    last = images[-1]
    swatch_h = max(4, last.height // (2 * len(lines)))
    source = Image.new("RGB", (last.width, last.height + swatch_h * len(lines)), "white")
    source.paste(last, (0, 0))
    for k, line in enumerate(lines):
        rgb = tuple(int(round(255 * c)) for c in _to_rgb(line.get_color()))
        source.paste(rgb, (0, last.height + k * swatch_h, last.width, last.height + (k + 1) * swatch_h))
    palette = source.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    images = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    ms = int(round(1000 / fps))
    images[0].save(path, save_all=True, append_images=images[1:], loop=0,
                   duration=[ms] * (len(images) - 1) + [ms * 40])
    counter.remove()
