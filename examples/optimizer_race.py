"""Optimizer races: SGD, momentum, Nesterov, Adagrad, RMSprop and Adam on three 2-D surfaces.

What the pictures show (the lectures' demonstrations):
  * Rosenbrock's curved valley: plain SGD crawls along the flat valley floor; momentum and
    Nesterov build up speed along it; Adam gets there with steps of roughly constant size.
  * The saddle x² − y², started almost exactly on the ridge (y = 0.001): plain SGD needs many
    steps to notice the tiny slope in y; momentum and the adaptive methods (which rescale each
    coordinate by its gradient history) escape quickly.
  * A long narrow ravine turned 30° off the axes: SGD with a large step zig-zags across it,
    momentum damps the zig-zag.

Run:  python examples/optimizer_race.py [--out docs/images] [--no-gif]
Writes race_rosenbrock.png/.gif, race_saddle.png/.gif and race_ravine.png under --out.
"""

import argparse
import os
import time

import minigrad as mg
import minigrad.optim as optim


def rosenbrock_racers():
    return {
        "SGD lr=1e-3": lambda p: optim.SGD(p, lr=1e-3),
        "Momentum 0.9": lambda p: optim.SGD(p, lr=1e-3, momentum=0.9),
        "Nesterov 0.9": lambda p: optim.SGD(p, lr=1e-3, momentum=0.9, nesterov=True),
        "Adagrad lr=0.5": lambda p: optim.Adagrad(p, lr=0.5),
        "RMSprop lr=1e-2": lambda p: optim.RMSprop(p, lr=1e-2),
        "Adam lr=0.1": lambda p: optim.Adam(p, lr=0.1),
    }


def saddle_racers():
    return {
        "SGD lr=0.05": lambda p: optim.SGD(p, lr=0.05),
        "Momentum 0.9": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
        "Adagrad lr=0.2": lambda p: optim.Adagrad(p, lr=0.2),
        "RMSprop lr=0.05": lambda p: optim.RMSprop(p, lr=0.05),
        "Adam lr=0.1": lambda p: optim.Adam(p, lr=0.1),
    }


def ravine_racers():
    return {
        "SGD lr=0.18": lambda p: optim.SGD(p, lr=0.18),
        "Momentum 0.8, lr=0.05": lambda p: optim.SGD(p, lr=0.05, momentum=0.8),
        "RMSprop lr=0.05": lambda p: optim.RMSprop(p, lr=0.05),
        "Adam lr=0.3": lambda p: optim.Adam(p, lr=0.3),
    }


RACES = (("rosenbrock", rosenbrock_racers, 500, True),
         ("saddle", saddle_racers, 50, True),
         ("ravine", ravine_racers, 100, False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join("docs", "images"))
    parser.add_argument("--no-gif", action="store_true", help="only the still pictures")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, racers, steps, animate in RACES:
        t0 = time.perf_counter()
        written = [os.path.join(args.out, f"race_{name}.png")]
        if animate and not args.no_gif:
            written.append(os.path.join(args.out, f"race_{name}.gif"))
        print(f"racing {len(racers())} optimizers on {name} for {steps} steps"
              + (" and drawing the animation" if len(written) > 1 else "") + "...", flush=True)
        # the GIF is written last, so the figure (and the PNG) show the whole race
        _, paths = mg.viz.optimizer_race(name, racers(), steps=steps, path=written, dpi=90,
                                         fps=20, max_frames=120)
        f = mg.viz.functions.get(name)
        print(f"{name} ({steps} steps, {time.perf_counter() - t0:.1f} s): " + ", ".join(written))
        for racer, traj in paths.items():
            x, y = traj[-1]
            value = f(mg.tensor(traj[-1])).item() if traj[-1][0] == traj[-1][0] else float("nan")
            print(f"  {racer:<24} ends at ({x: .3f}, {y: .3f})  f = {value:.4g}")


if __name__ == "__main__":
    main()
