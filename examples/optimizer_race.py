"""Optimizer races: SGD, momentum, Nesterov, Adagrad, Adadelta, RMSprop and Adam on four 2-D surfaces.

Every racer starts from the same point and takes the same number of steps; each optimizer has
the same colour in every picture (``mg.viz.race.OPTIMIZER_COLORS``). What the pictures show:

  * Rosenbrock's curved valley (1 − x)² + 100(y − x²)², minimum (1, 1): plain SGD crawls along
    the flat valley floor; momentum and Nesterov build up speed along it; Adam moves with steps
    of roughly constant size; Adadelta starts slowly, its step size growing from √ε.
  * Beale's function, minimum (3, 0.5), flat plateaus beside steep walls: the methods that
    rescale each coordinate cope with the changing scale; plain SGD needs a small step to survive
    the walls and then crawls.
  * The saddle x² − y², started almost on the ridge (y = 0.001): the gradient in y is 2·0.001 at
    first, so plain SGD takes many steps to notice it; momentum and Nesterov overshoot the saddle
    along x, then leave along y; the adaptive methods divide each coordinate by its own gradient
    scale, so the tiny y-gradient gets a full-size step and they leave at once.
  * A long narrow ravine (curvatures 0.1 and 10, turned 30° so that no per-coordinate rescaling
    straightens it): SGD with a large step zig-zags across it, momentum and Nesterov damp the
    zig-zag and move along the floor.

Run:  python examples/optimizer_race.py [--out runs/optimizer_race] [--no-gif]
Writes race_<surface>.png for each surface and race_rosenbrock.gif, race_saddle.gif under --out.
"""

import argparse
import os
import time

# Tiny arrays: one BLAS thread avoids thread start-up costs and competing for a few cores. Set
# before NumPy loads; a value exported by the user wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import minigrad as mg  # noqa: E402
import minigrad.optim as optim  # noqa: E402


def racers(sgd, momentum, adagrad, adadelta, rmsprop, adam, beta=0.9):
    """The seven racers with each one's learning rate for the surface at hand."""
    return {
        f"SGD lr={sgd:g}": lambda p: optim.SGD(p, lr=sgd),
        f"Momentum {beta:g}, lr={momentum:g}": lambda p: optim.SGD(p, lr=momentum, momentum=beta),
        f"Nesterov {beta:g}, lr={momentum:g}": lambda p: optim.SGD(p, lr=momentum, momentum=beta,
                                                                   nesterov=True),
        f"Adagrad lr={adagrad:g}": lambda p: optim.Adagrad(p, lr=adagrad),
        f"Adadelta lr={adadelta:g}": lambda p: optim.Adadelta(p, lr=adadelta),
        f"RMSprop lr={rmsprop:g}": lambda p: optim.RMSprop(p, lr=rmsprop),
        f"Adam lr={adam:g}": lambda p: optim.Adam(p, lr=adam),
    }


# surface, racers, steps, animate, plotting window (None: the function's own)
RACES = (
    ("rosenbrock", racers(sgd=1e-3, momentum=1e-3, adagrad=0.5, adadelta=1.0, rmsprop=1e-2, adam=0.1),
     500, True, ((-1.6, 1.4), (-0.4, 1.7))),
    ("beale", racers(sgd=1e-3, momentum=1e-3, adagrad=0.5, adadelta=1.0, rmsprop=1e-2, adam=0.1),
     500, False, ((-0.5, 4.0), (-1.0, 2.0))),
    ("saddle", racers(sgd=0.05, momentum=0.02, adagrad=0.2, adadelta=1.0, rmsprop=0.05, adam=0.1),
     50, True, ((-2.0, 2.0), (-1.0, 4.5))),
    ("ravine", racers(sgd=0.18, momentum=0.05, adagrad=0.5, adadelta=1.0, rmsprop=0.05, adam=0.3, beta=0.8),
     100, False, ((-3.8, 0.4), (-2.3, 0.3))),
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("runs", "optimizer_race"))
    parser.add_argument("--no-gif", action="store_true", help="only the still pictures")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results = {}
    for name, field, steps, animate, bounds in RACES:
        t0 = time.perf_counter()
        written = [os.path.join(args.out, f"race_{name}.png")]
        if animate and not args.no_gif:
            written.append(os.path.join(args.out, f"race_{name}.gif"))
        print(f"{name}: {len(field)} racers, {steps} steps ...", flush=True)
        # the GIF is written last, so the figure (and the PNG) show the whole race
        _, paths = mg.viz.optimizer_race(name, field, steps=steps, path=written, dpi=90, fps=20,
                                         max_frames=120, bounds=bounds)
        f = mg.viz.functions.get(name)
        print(f"  {time.perf_counter() - t0:.1f} s: " + ", ".join(written))
        for racer, traj in paths.items():
            x, y = traj[-1]
            value = f(mg.tensor(traj[-1])).item() if traj[-1][0] == traj[-1][0] else float("nan")
            print(f"  {racer:<26} ends at ({x: .4g}, {y: .4g})  f = {value:.4g}")
        results[name] = paths
    return results


if __name__ == "__main__":
    main()
