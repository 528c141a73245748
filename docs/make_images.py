"""Regenerate the pictures the docs show, from the examples (run from the repository root).

    python docs/make_images.py            # about two minutes
    python docs/make_images.py ewa.py     # only the pictures of the examples named

Writes docs/images/examples/* (the lesson examples' plots and graphs) and
docs/images/optimizers/*.png (one trajectory per optimizer on the same ravine). The pictures of
examples/optimizer_race.py and examples/cnn_graph.py are made by those scripts
(``--out docs/images``).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"

RUNS = [  # script, arguments, {file written: name in docs/images/examples}
    ("backprop_by_hand.py", [], {"graph.svg": "backprop_graph.svg", "steps.html": "backprop_steps.html"}),
    ("gradient_descent_lr.py", [], {"gradient_descent_lr.png": "gradient_descent_lr.png"}),
    ("momentum.py", [], {"momentum.png": "momentum.png"}),
    ("ewa.py", [], {"ewa.png": "ewa.png"}),
    ("minibatch.py", [], {"minibatch.png": "minibatch.png"}),
    ("sgd_noise.py", [], {"sgd_noise.png": "sgd_noise.png"}),
    ("local_minima.py", [], {"local_minima.png": "local_minima.png"}),
    ("permutation_symmetry.py", [], {"permutation_symmetry.png": "permutation_symmetry.png"}),
    ("skip_connections.py", [], {"skip_connections.png": "skip_connections.png"}),
    ("adaptive_rates.py", [], {"adaptive_rates.png": "adaptive_rates.png"}),
    ("adam_bias_correction.py", [], {"adam_bias_correction.png": "adam_bias_correction.png"}),
    ("hyperparameter_search.py", [], {"hyperparameter_search.png": "hyperparameter_search.png"}),
    ("early_stopping.py", [], {"early_stopping.png": "early_stopping.png"}),
    ("mse_vs_mae.py", [], {"mse_vs_mae.png": "mse_vs_mae.png"}),
    ("clipping_cliff.py", [], {"clipping_cliff.png": "clipping_cliff.png"}),
    ("compare_optimizers.py", [], {"compare_optimizers.png": "compare_optimizers.png"}),
    ("weight_init.py", [], {"weight_init_relu.png": "weight_init_relu.png"}),
    ("weight_init.py", ["--activation", "tanh"], {"weight_init_tanh.png": "weight_init_tanh.png"}),
    ("grad_clipping.py", [], {"grad_clipping.png": "grad_clipping.png"}),
    ("lr_schedules.py", [], {"lr_schedules.png": "lr_schedules.png"}),
    ("second_order.py", [], {"second_order.png": "second_order.png"}),
    ("custom_function.py", [], {"graph.svg": "custom_function_graph.svg"}),
    ("train_digits.py", ["--no-progress"],
     {"curves.png": "digits_curves.png", "graph.svg": "digits_graph.svg"}),
]


def optimizers():
    import minigrad.optim as optim
    return {  # file name: (title, factory), the lr tuned by eye for the ravine below
        "sgd": ("SGD (lr 0.18)", lambda p: optim.SGD(p, lr=0.18)),
        "sgd_momentum": ("SGD, momentum 0.8 (lr 0.05)", lambda p: optim.SGD(p, lr=0.05, momentum=0.8)),
        "nesterov": ("SGD, Nesterov 0.8 (lr 0.05)",
                     lambda p: optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
        "momentum_ewa": ("Momentum, EWA form β=0.8 (lr 0.25)",
                         lambda p: optim.Momentum(p, lr=0.25, beta=0.8)),
        "adagrad": ("Adagrad (lr 0.5)", lambda p: optim.Adagrad(p, lr=0.5)),
        "adadelta": ("Adadelta (lr 5)", lambda p: optim.Adadelta(p, lr=5.0)),
        "rmsprop": ("RMSprop (lr 0.05)", lambda p: optim.RMSprop(p, lr=0.05)),
        "rmsprop_nesterov": ("RMSprop + Nesterov 0.5 (lr 0.02)",
                             lambda p: optim.RMSprop(p, lr=0.02, momentum=0.5, nesterov=True)),
        "adam": ("Adam (lr 0.3)", lambda p: optim.Adam(p, lr=0.3)),
        "adamw": ("AdamW (lr 0.3)", lambda p: optim.AdamW(p, lr=0.3)),
        "adamax": ("Adamax (lr 0.3)", lambda p: optim.Adamax(p, lr=0.3)),
        "nadam": ("NAdam (lr 0.3)", lambda p: optim.NAdam(p, lr=0.3)),
        "radam": ("RAdam (lr 0.3)", lambda p: optim.RAdam(p, lr=0.3)),
        "lion": ("Lion (lr 0.05)", lambda p: optim.Lion(p, lr=0.05)),
    }


def run_examples(only=None):
    """Run each example of RUNS (those whose script is in ``only``, when given)."""
    out = IMAGES / "examples"
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    for script, args, files in RUNS:
        if only and script not in only:
            continue
        tmp = ROOT / "runs" / "docs-images" / script.replace(".py", "")
        subprocess.run([sys.executable, str(ROOT / "examples" / script), "--out", str(tmp), *args],
                       check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        for source, target in files.items():
            shutil.copyfile(tmp / source, out / target)
            print(out / target)


def draw_optimizers():
    sys.path.insert(0, str(ROOT))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    import minigrad as mg
    out = IMAGES / "optimizers"
    out.mkdir(parents=True, exist_ok=True)
    for name, (title, factory) in optimizers().items():
        fig, _ = mg.viz.optimizer_race("ravine", {title: factory}, steps=60, path=str(out / f"{name}.png"),
                                       figsize=(5.0, 3.6), title=title)
        plt.close(fig)
        print(out / f"{name}.png")


if __name__ == "__main__":
    scripts = sys.argv[1:]  # e.g. `python docs/make_images.py ewa.py momentum.py`: only those
    run_examples(scripts)
    if not scripts:
        draw_optimizers()
