"""Every example runs to completion with small settings and prints its key numbers.

Each script runs in a subprocess (as a user would run it) with its outputs in a temporary
directory; the tests read the printed numbers back and check them against values computed here,
independently of the example (closed forms, or the recurrence re-run in plain NumPy), and check
that the pictures were written.
"""

import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HAVE_DOT = shutil.which("dot") is not None


def run(script, *args, env=None, timeout=120):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    environment.pop("MINIGRAD_BACKEND", None)
    environment.update(env or {})
    proc = subprocess.run([sys.executable, str(EXAMPLES / script), *map(str, args)], capture_output=True,
                          text=True, env=environment, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, f"{script} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def number_after(text, label):
    match = re.search(re.escape(label) + r"\s*(-?[0-9.]+(?:e[-+]?\d+)?)", text)
    assert match, f"{label!r} not in output:\n{text}"
    return float(match.group(1))


# --- backprop_by_hand: the worked 2-2-2 sigmoid network ------------------------------------------

@pytest.fixture(scope="module")
def backprop(tmp_path_factory):
    out = tmp_path_factory.mktemp("backprop")
    return run("backprop_by_hand.py", "--out", out), out


@pytest.mark.parametrize("name, value", [
    ("out_h1  =", 0.593269992), ("out_h2  =", 0.596884378), ("out_y1  =", 0.75136507),
    ("out_y2  =", 0.772928465), ("E       =", 0.298371109)])
def test_backprop_forward_values(backprop, name, value):
    assert number_after(backprop[0], name) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("weight, value", [
    ("w5", 0.35891648), ("w6", 0.408666186), ("w7", 0.511301270), ("w8", 0.561370121),
    ("w1", 0.149780716), ("w2", 0.19956143), ("w3", 0.24975114), ("w4", 0.29950229)])
def test_backprop_updated_weights(backprop, weight, value):
    assert number_after(backprop[0], f"{weight} ->") == pytest.approx(value, abs=5e-9)


def test_backprop_prints_headline_numbers_verbatim(backprop):
    assert "w5 -> 0.35891648" in backprop[0] and "w1 -> 0.149780716" in backprop[0]


def test_backprop_gradient_of_w5_beside_its_expression(backprop):
    line = next(ln for ln in backprop[0].splitlines() if ln.strip().startswith("w5:"))
    assert "(out_y1 - T1) * out_y1(1 - out_y1) * out_H1" in line and line.count("0.082167041") == 2


def test_backprop_mentions_errata(backprop):
    assert "0.082187" in backprop[0] and "lr = 0.15" in backprop[0]


@pytest.mark.skipif(not HAVE_DOT, reason="graphviz's dot is not installed")
def test_backprop_draws_graph_and_steps(backprop):
    svg = (backprop[1] / "graph.svg").read_text()
    assert "<svg" in svg and "w5" in svg
    assert "step 27/27" in (backprop[1] / "steps.html").read_text()


# --- the other lessons ------------------------------------------------------------------------------

def test_gradient_descent_lr(tmp_path):
    steps = 10
    out = run("gradient_descent_lr.py", "--steps", steps, "--out", tmp_path)
    rows = {float(ln.split()[0]): ln.split() for ln in out.splitlines()
            if re.match(r"\s+[0-9.]+\s+-?[0-9.]+\s", ln)}
    assert sorted(rows) == [0.01, 0.1, 0.5, 0.75, 1.0, 100.0, 1000.0]
    for eta, cols in rows.items():  # columns: η, 1 − 2η, rate, x_1, x_steps, closed form, behaviour
        assert float(cols[2]) == pytest.approx(abs(1 - 2 * eta))
        assert float(cols[4]) == pytest.approx((1 - 2 * eta) ** steps, rel=1e-5, abs=1e-300)
    assert float(rows[0.5][3]) == 0.0 and "one step" in " ".join(rows[0.5])
    assert float(rows[0.75][3]) == -0.5 and "oscillates in sign and converges" in " ".join(rows[0.75])
    assert float(rows[1.0][4]) == 1.0 and "oscillates between" in " ".join(rows[1.0])
    assert "diverges" in rows[100.0] and "slowly" in rows[0.01]
    assert (tmp_path / "gradient_descent_lr.png").stat().st_size > 0


def test_momentum(tmp_path):
    lr, steps = 0.1, 3000
    out = run("momentum.py", "--steps", steps, "--out", tmp_path)

    def heavy_ball(beta):  # v ← βv + 2x, x ← x − ηv, in plain floats
        x, v, xs = 1.0, 0.0, [1.0]
        for _ in range(steps):
            v = beta * v + 2 * x
            x -= lr * v
            xs.append(x)
        return np.array(xs)

    reached = {}
    for beta in (0.0, 0.2, 0.9, 0.99):
        xs = heavy_ball(beta)
        line = next(ln for ln in out.splitlines() if re.match(rf"\s+{beta:g}\s", ln)).split()
        assert float(line[1]) == pytest.approx(abs(xs[50]), rel=1e-3)
        assert float(line[2]) == pytest.approx(abs(xs[200]), rel=1e-3)
        reached[beta] = int(np.nonzero(np.abs(xs) >= 1e-6)[0][-1]) + 1
        assert int(line[3]) == reached[beta]
    # β = 0.2 beats plain descent, 0.9 and 0.99 are slower than both: too much momentum hurts
    assert reached[0.2] < reached[0.0] < reached[0.9] < reached[0.99]
    # the larger root of λ² − (1 − 2η + β)λ + β = 0 at β = 0.2: (1 + √0.2)/2
    assert max(abs(np.roots([1, -(1 - 2 * lr + 0.2), 0.2]))) == pytest.approx((1 + math.sqrt(0.2)) / 2)

    eta = 0.01  # the constant slope g = 1: the step after t steps is η(1 − βᵗ)/(1 − β) → η/(1 − β)
    for beta in (0.5, 0.9, 0.99):
        cols = next(ln for ln in out.splitlines() if f"SGD(momentum={beta:g})" in ln).split()[1:]
        expected = [eta * (1 - beta ** t) / (1 - beta) for t in (1, 10, 50, 300)] + [eta / (1 - beta)]
        assert [float(c) for c in cols] == pytest.approx(expected, abs=1e-5)
    cols = next(ln for ln in out.splitlines() if "Momentum(beta=0.9)" in ln).split()[1:]
    assert [float(c) for c in cols] == pytest.approx([eta * (1 - 0.9 ** t) for t in (1, 10, 50, 300)] + [eta],
                                                     abs=1e-5)
    assert (tmp_path / "momentum.png").stat().st_size > 0


def test_hyperparameter_search(tmp_path):
    out = run("hyperparameter_search.py", "--trials", 8, "--epochs", 1, "--out", tmp_path)
    # PyTorch's split of 1797 by fractions: floors 1078, 359, 359, the remainder 1 to the first
    n_train, n_val, n_test = 1078 + 1, 359, 359
    assert f"digits: {n_train} training, {n_val} validation, {n_test} test" in out
    grid_part, random_part = out.split("\nrandom search:")
    tables = []
    for part in (grid_part.split("\ngrid search:")[1], random_part):
        row = re.compile(r"\s+\d+\s+[0-9.]+\s+\d+\s+[0-9.]+\s+[0-9.]+$")
        rows = [ln.split() for ln in part.splitlines() if row.match(ln)]
        assert len(rows) == 8
        table = [dict(lr=float(r[1]), batch=int(r[2]), momentum=float(r[3]), val=float(r[4])) for r in rows]
        for t in table:  # an accuracy on 359 digits is a whole number of them
            assert t["val"] * n_val == pytest.approx(round(t["val"] * n_val), abs=0.03)
            assert 1e-3 - 1e-9 <= t["lr"] <= 1.0 + 1e-9 and 16 <= t["batch"] <= 128
            assert 0 <= t["momentum"] <= 0.9
        best = max(table, key=lambda t: t["val"])
        assert number_after(part, "search: val acc") == pytest.approx(best["val"], abs=1e-4)
        tables.append(table)
    grid, rand = tables
    # 8 = 2³: the grid puts 2 values on each axis, the ends of each range
    assert sorted({t["lr"] for t in grid}) == pytest.approx([1e-3, 1.0])
    assert sorted({t["batch"] for t in grid}) == [16, 128]
    assert len({t["lr"] for t in rand}) == 8 and len({t["momentum"] for t in rand}) == 8
    assert re.search(r"grid\s+2\s+2\s+2\s+\(8 trials\)", out)
    assert re.search(r"random\s+8\s+\d+\s+8\s+\(8 trials\)", out)
    assert out.count("test accuracy") == 1
    test_acc = number_after(out, "test accuracy, measured once for the winner only:")
    assert test_acc * n_test == pytest.approx(round(test_acc * n_test), abs=0.03)
    assert (tmp_path / "hyperparameter_search.png").stat().st_size > 0


def test_adam_bias_correction(tmp_path):
    out = run("adam_bias_correction.py", "--steps", 10, "--race-steps", 5, "--out", tmp_path)
    b1, b2 = 0.9, 0.999
    # under a constant gradient m_t = (1 − β₁ᵗ)g and v_t = (1 − β₂ᵗ)g², so the step / γ is:
    expected = {
        "both corrected (Adam)": lambda t: 1.0,
        "no correction": lambda t: (1 - b1 ** t) / math.sqrt(1 - b2 ** t),
        "only m corrected": lambda t: 1 / math.sqrt(1 - b2 ** t),
        "only v corrected": lambda t: 1 - b1 ** t,
    }
    for name, size in expected.items():
        cols = next(ln for ln in out.splitlines() if ln.strip().startswith(name) and "first" not in ln)
        values = [float(v) for v in cols[len("  " + name):].split()]
        assert values == pytest.approx([size(t) for t in (1, 2, 10)], abs=1e-4)
    assert expected["no correction"](1) == pytest.approx(3.1623, abs=1e-4)  # 0.1/√0.001
    assert expected["only m corrected"](1) == pytest.approx(31.623, abs=1e-3)
    assert expected["no correction"](10) == pytest.approx(6.53, abs=0.01)
    assert number_after(out, "max |written-out Adam - optim.Adam| over the path:") < 1e-12
    lr = 0.02  # the first step on the bowl moves each of the 2 coordinates by γ·(step / γ)
    for name, size in expected.items():
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name) and "first" in ln)
        assert number_after(line, "first step") == pytest.approx(lr * math.sqrt(2) * size(1), abs=1e-4)
    assert (tmp_path / "adam_bias_correction.png").stat().st_size > 0


def test_sgd_noise(tmp_path):
    out = run("sgd_noise.py", "--out", tmp_path)
    rows = {int(m.group(1)): m.group(0) for m in re.finditer(r"B = (\d+).*", out)}
    assert sorted(rows) == [1, 8, 64, 256]
    # the full batch sees F(x, y) = x² + y⁴/4 − y²/2 exactly: y stays 0, x → 1.5·0.9^300 ≈ 0
    full = rows[256]
    assert "never" in full and "0 (exact)" in full
    assert full.split()[-1] in ("0.00000", "-0.00000") and "0.0000)" in full
    y = np.linspace(-2, 2, 40001)
    minimum = (y ** 4 / 4 - y ** 2 / 2).min()  # −1/4 at y = ±1
    assert minimum == pytest.approx(-0.25)
    for b in (1, 8, 64):
        assert f"{1 / math.sqrt(b):.4f}" in rows[b]
        assert "never" not in rows[b]
    assert float(rows[64].split()[-1]) == pytest.approx(minimum, abs=0.01)
    assert float(rows[8].split()[-1]) == pytest.approx(minimum, abs=0.03)
    assert (tmp_path / "sgd_noise.png").stat().st_size > 0


def test_adaptive_rates(tmp_path):
    steps, lr = 1000, 0.1
    out = run("adaptive_rates.py", "--steps", steps, "--out", tmp_path)
    g = np.array([(-2.0, -10.0), (-1.5, 10.0), (-1.25, -9.0), (-1.0, 9.0)])
    r = np.cumsum(g * g, axis=0)
    assert r[-1].tolist() == [8.8125, 362.0] and r[:, 0].tolist() == [4, 6.25, 7.8125, 8.8125]
    rows = [ln.split() for ln in out.splitlines() if re.match(r"\s+[1-4]\s+-", ln)]
    assert len(rows) == 4
    for k, cols in enumerate(rows):  # step, g1, g2, r1, r2, step1/γ, step2/γ, ÷√r1, ÷√r2
        assert [float(c) for c in cols[3:5]] == pytest.approx(r[k], abs=1e-4)
        assert [float(c) for c in cols[5:7]] == pytest.approx(-g[k] / np.sqrt(r[k]), abs=1e-6)
        assert [float(c) for c in cols[7:9]] == pytest.approx(np.sqrt(r[k]), abs=1e-3)
    assert "γ/2.9686 and γ/19.026" in out and math.sqrt(8.8125) == pytest.approx(2.9686, abs=1e-4)
    assert math.sqrt(362) == pytest.approx(19.026, abs=1e-3)

    # effective rates under g = 1, each recurrence re-run here in plain floats
    adagrad = [lr / math.sqrt(t) for t in range(1, steps + 1)]
    adadelta, sq, acc = [], 0.0, 0.0
    for _ in range(steps):
        sq = 0.9 * sq + 0.1
        delta = math.sqrt(acc + 1e-6) / math.sqrt(sq + 1e-6)
        acc = 0.9 * acc + 0.1 * delta * delta
        adadelta.append(delta)
    rmsprop, sq = [], 0.0
    for _ in range(steps):
        sq = 0.99 * sq + 0.01
        rmsprop.append(0.01 / (math.sqrt(sq) + 1e-8))
    for label, rates in (("Adagrad", adagrad), ("Adadelta", adadelta), ("RMSprop", rmsprop)):
        cols = next(ln for ln in out.splitlines() if ln.strip().startswith(label) and "e-" in ln).split()
        expected = [rates[t - 1] for t in (1, 10, 100, 1000)]
        assert [float(c) for c in cols[-4:]] == pytest.approx(expected, rel=1e-4)
    assert adagrad[-1] < adagrad[0] / 30 and adadelta[-1] > adadelta[0]  # one decays, the other does not
    assert (tmp_path / "adaptive_rates.png").stat().st_size > 0


def test_minibatch(tmp_path):
    out = run("minibatch.py", "--n", 64, "--epochs", 2, "--batch-size", 16, "--out", tmp_path)
    rows = re.findall(r"\)\s+[0-9.]+\s+(\d+)\s+(\d+)\s+([0-9.]+)", out)
    per_epoch = [int(r[0]) for r in rows]
    assert per_epoch == [1, 64 // 16, 64]  # ⌈n/B⌉ updates an epoch
    assert [int(r[1]) for r in rows] == [2 * u for u in per_epoch]
    # the same two epochs: the more updates, the lower the loss
    batch, mini, single = (float(r[2]) for r in rows)
    assert single < mini < batch
    assert "in the last epoch: batch 1," in out  # one batch: its largest loss is its smallest
    assert (tmp_path / "minibatch.png").exists()


def test_compare_optimizers(tmp_path):
    out = run("compare_optimizers.py", "--epochs", 1, "--limit", 300, "--only", "sgd,adam,adagrad",
              "--out", tmp_path)
    accuracies = [float(a) for a in re.findall(r"\s(0\.\d{4})\s+\d+\.\d+s", out)]
    assert len(accuracies) == 3 and all(0.0 <= a <= 1.0 for a in accuracies)
    assert (tmp_path / "compare_optimizers.png").exists()


def test_weight_init(tmp_path):
    out = run("weight_init.py", "--steps", 15, "--points", 30, "--depth", 4, "--out", tmp_path)
    zero, small, good, large = out.split("\n\n")[1:5]
    assert "distinct units in layer 1: 1 of 64" in zero
    assert number_after(small.splitlines()[2], "first / last layer:") < 1e-5
    assert 0.1 < float(good.splitlines()[1].split()[-1]) < 2.0
    assert "non-finite" in large or number_after(large, "initial loss") > 100
    # a ReLU layer of fan_in 64 with weights N(0, σ²) scales the activations by σ√(64/2) on average:
    # 0.057 (σ = 0.01), 1 (He, σ = √(2/64)), 5.66 (σ = 1); the geometric mean over layers 1 → 4
    for block, sigma in ((small, 0.01), (good, math.sqrt(2 / 64)), (large, 1.0)):
        stds = [float(v) for v in block.splitlines()[1].split(":")[1].split()]
        per_layer = (stds[-1] / stds[0]) ** (1 / (len(stds) - 1))
        assert per_layer == pytest.approx(sigma * math.sqrt(64 / 2), rel=0.2)
    assert (tmp_path / "weight_init_relu.png").exists()


def test_weight_init_xavier_keeps_tanh_activations_flat(tmp_path):
    out = run("weight_init.py", "--activation", "tanh", "--steps", 5, "--points", 30, "--out", tmp_path)
    good = out.split("\n\n")[3]
    sigma = math.sqrt(2 / (64 + 64))  # Xavier/Glorot normal between two layers of 64
    assert sigma == 0.125 and "σ = √(2/(fan_in + fan_out))" in good
    stds = [float(v) for v in good.splitlines()[1].split(":")[1].split()]
    assert len(stds) == 6 and max(stds) / min(stds) < 1.3  # flat, not growing layer by layer
    assert (tmp_path / "weight_init_tanh.png").exists()


def test_grad_clipping(tmp_path):
    out = run("grad_clipping.py", "--steps", 40, "--out", tmp_path)
    # the unclipped run explodes; whether float32 reaches inf within the steps or stops at some
    # 1e33 depends on rounding (a chaotic trajectory), so either counts
    unclipped = out.split("no clipping", 1)[1].splitlines()[0]
    assert "loss became inf" in unclipped or number_after(unclipped, "final loss") > 1e6, unclipped
    assert number_after(out, "clip_grad_norm_(max_norm=1)  final loss") < 1.0
    assert (tmp_path / "grad_clipping.png").exists()


def test_lr_schedules(tmp_path):
    epochs = 20
    out = run("lr_schedules.py", "--epochs", epochs, "--train-epochs", 2, "--out", tmp_path)
    marks = [0, 5, 10, 15, 19]
    assert f"learning rate at epoch {', '.join(map(str, marks))}" in out
    closed_forms = {  # each schedule's learning rate at epoch e from 0.1, in closed form
        "StepLR(step_size=30, gamma=0.5)": lambda e: 0.1 * 0.5 ** (e // 30),
        "MultiStepLR([50, 80], gamma=0.1)": lambda e: 0.1 * 0.1 ** sum(e >= m for m in (50, 80)),
        "ExponentialLR(gamma=0.97)": lambda e: 0.1 * 0.97 ** e,
        f"CosineAnnealingLR(T_max={epochs})": lambda e: 0.05 * (1 + math.cos(math.pi * e / epochs)),
        "LambdaLR(1 / (1 + 0.05 t))": lambda e: 0.1 / (1 + 0.05 * e),
    }
    for name, lr in closed_forms.items():
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name))
        printed = [float(v) for v in line[len("  ") + 50:].split()]
        assert printed == pytest.approx([lr(e) for e in marks], rel=1e-3, abs=1e-9), name
    adagrad = next(ln for ln in out.splitlines() if ln.strip().startswith("Adagrad"))
    assert [float(v) for v in adagrad.split()[-4:]] == pytest.approx([0.1, 0.03162, 0.01, 0.003162], rel=1e-3)
    # RMSprop under a constant gradient: r_t = 1 − αᵗ, so the rate is γ/√(1 − αᵗ) → γ
    rmsprop = next(ln for ln in out.splitlines() if ln.strip().startswith("RMSprop"))
    assert [float(v) for v in rmsprop.split()[-4:]] == pytest.approx(
        [0.1 / math.sqrt(1 - 0.9 ** t) for t in (1, 10, 100, 1000)], rel=1e-3)
    assert "OneCycleLR" in out and (tmp_path / "lr_schedules.png").exists()


def test_second_order(tmp_path):
    out = run("second_order.py", "--gd-steps", 50, "--limit", 200, "--out", tmp_path)
    assert "step 6: ( 1.00000000,  1.00000000)" in out
    assert number_after(out, "max |functional.hvp - H @ v| =") < 1e-10
    assert number_after(out, "max |hvp_by_hand - H @ v| =") < 1e-10
    assert float(out.split("|grad| per step:")[1].split("\n")[0].split(",")[-1]) < 1e-6


def test_custom_function(tmp_path):
    out = run("custom_function.py", "--steps", 50, "--out", tmp_path)
    assert out.count("491.062500") == 2 and out.count("1474.875000") == 2
    assert "gradcheck Cube: True, gradgradcheck Cube: True" in out and "SoftClip(bound=1.5): True" in out


def test_gpu_toggle():
    out = run("gpu_toggle.py", "--epochs", 2)
    assert "numpy : parameters on cpu, batches on cpu" in out
    assert ("cupy  : parameters on cuda" in out) or ("mg.set_backend('cupy') failed" in out)


# --- the main job ------------------------------------------------------------------------------------

def test_train_digits_reaches_97_percent(tmp_path):
    out = run("train_digits.py", "--no-progress", "--out", tmp_path)
    assert number_after(out, "test accuracy:") >= 0.97
    assert number_after(out, "reloaded: test accuracy") == number_after(out, "test accuracy:")
    for name in ("digits_cnn.safetensors", "curves.png", "history.json"):
        assert (tmp_path / name).stat().st_size > 0


def test_train_digits_quick_run_with_progress_bar_and_graph(tmp_path):
    out = run("train_digits.py", "--epochs", 1, "--limit", 300, "--out", tmp_path, env={"COLUMNS": "64"})
    assert "epoch  1/1: 100%" in out and "test accuracy:" in out
    bar = [seg for line in out.splitlines() for seg in line.split("\r") if "epoch  1/1" in seg]
    assert bar and max(len(seg) for seg in bar) <= 64  # the bar fits the terminal's width
    if HAVE_DOT:  # the module-clustered graph, parameters named from the model
        svg = (tmp_path / "graph.svg").read_text()
        assert "features.0.weight" in svg and "classifier" in svg


def test_train_digits_without_dot_still_trains(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    out = run("train_digits.py", "--epochs", 1, "--limit", 200, "--no-progress", "--out", tmp_path / "o",
              env={"PATH": str(empty)})
    assert "test accuracy:" in out and "apt-get install graphviz" in out
    assert (tmp_path / "o" / "graph.dot").exists() and not (tmp_path / "o" / "graph.svg").exists()


# --- races and the CNN's graph --------------------------------------------------------------------------

def test_optimizer_race(tmp_path):
    out = run("optimizer_race.py", "--out", tmp_path, "--no-gif")
    for surface in ("rosenbrock", "beale", "saddle", "ravine"):
        block = out.split(f"{surface}:")[1].split("\n\n")[0]
        for racer in ("SGD", "Momentum", "Nesterov", "Adagrad", "Adadelta", "RMSprop", "Adam"):
            assert re.search(rf"^  {racer}\b", block, re.M), (surface, racer)
        assert (tmp_path / f"race_{surface}.png").stat().st_size > 0
    # on the saddle x² − y² from (−1.8, 0.001), plain SGD with lr 0.05 multiplies x by 1 − 2·0.05 = 0.9
    # and y by 1 + 2·0.05 = 1.1 per step; 50 steps
    m = re.search(r"SGD lr=0.05\s+ends at \(\s*(\S+),\s*(\S+)\)", out.split("saddle:")[1])
    assert float(m.group(1)) == pytest.approx(-1.8 * 0.9 ** 50, rel=1e-3)
    assert float(m.group(2)) == pytest.approx(0.001 * 1.1 ** 50, rel=1e-3)


def test_race_colours_are_fixed_per_optimizer():
    import matplotlib
    matplotlib.use("Agg")
    import minigrad as mg
    import minigrad.optim as optim
    one, _ = mg.viz.optimizer_race("saddle", {"SGD": lambda p: optim.SGD(p, lr=0.1),
                                              "Adam": lambda p: optim.Adam(p, lr=0.1)}, steps=3)
    two, _ = mg.viz.optimizer_race("ravine", {"Adam lr=0.3": lambda p: optim.Adam(p, lr=0.3),
                                              "Adadelta": lambda p: optim.Adadelta(p),
                                              "my method": lambda p: optim.SGD(p, lr=0.01)}, steps=3)

    def colours(fig):
        return {ln.get_label().split(" (")[0]: ln.get_color() for ln in fig.axes[0].get_lines()
                if not ln.get_label().startswith("_")}
    a, b = colours(one), colours(two)
    assert a["Adam"] == b["Adam lr=0.3"] == mg.viz.race.OPTIMIZER_COLORS["adam"]
    assert a["SGD"] == mg.viz.race.OPTIMIZER_COLORS["sgd"]
    assert b["my method"] not in mg.viz.race.OPTIMIZER_COLORS.values()
    assert mg.viz.race.color_of("Nesterov 0.9, lr=0.02") == mg.viz.race.OPTIMIZER_COLORS["nesterov"]


def test_cnn_graph(tmp_path):
    out = run("cnn_graph.py", "--out", tmp_path, "--epochs", 1)
    assert "features.1.conv.weight" in out
    if HAVE_DOT:
        assert "<svg" in (tmp_path / "cnn_graph.svg").read_text()


def test_train_digits_on_a_device_backend(tmp_path, monkeypatch):
    """The main job with array-api-strict's device1 standing in for the GPU (conftest registers it)."""
    pytest.importorskip("array_api_strict")
    import minigrad as mg
    monkeypatch.syspath_prepend(str(EXAMPLES))
    import train_digits
    previous = mg.get_backend()
    try:
        history = train_digits.main(["--backend", "strict", "--epochs", "1", "--limit", "200",
                                     "--no-progress", "--out", str(tmp_path)])
    finally:
        mg.set_backend(previous)
    assert len(history["test accuracy"]) == 1 and (tmp_path / "digits_cnn.safetensors").exists()


def test_train_digits_cupy_without_gpu_exits_with_message(tmp_path):
    environment = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, str(EXAMPLES / "train_digits.py"), "--backend", "cupy",
                           "--out", str(tmp_path)], capture_output=True, text=True, env=environment)
    import minigrad as mg
    if mg.cuda.is_available():
        pytest.skip("a GPU is present: --backend cupy would train")
    assert proc.returncode == 2 and "cannot use --backend cupy" in proc.stderr


# --- the smaller lessons ------------------------------------------------------------------------------

def test_local_minima(tmp_path):
    out = run("local_minima.py", "--out", tmp_path)
    critical = np.sort(np.roots([4, 0, -8, 1]).real)  # f'(x) = 4x³ − 8x + 1
    global_min, maximum, local_min = critical
    f = lambda x: x ** 4 - 4 * x ** 2 + x  # noqa: E731
    assert f(global_min) == pytest.approx(-5.44419, abs=1e-5)
    assert f(local_min) == pytest.approx(-2.61856, abs=1e-5)
    rows = [ln.split() for ln in out.splitlines() if re.match(r"\s+-?\d\.\d\d\s+-?\d\.\d{6}\s", ln)]
    assert len(rows) == 9
    for start, end, value, *kind in rows:
        expected = global_min if float(start) < maximum else local_min  # downhill from the start
        assert float(end) == pytest.approx(expected, abs=1e-6)
        assert float(value) == pytest.approx(f(expected), abs=1e-5)
        assert " ".join(kind) == ("global minimum" if expected == global_min else "local minimum")
    assert {r[0] for r in rows} >= {"0.10", "0.15"} and 0.10 < maximum < 0.15  # starts either side of it
    assert (tmp_path / "local_minima.png").stat().st_size > 0


def test_early_stopping(tmp_path):
    patience = 100
    out = run("early_stopping.py", "--epochs", 1500, "--patience", patience, "--out", tmp_path)
    import json
    history = json.loads((tmp_path / "history.json").read_text())
    val = np.array(history["val"])
    best = int(np.argmin(val)) + 1
    assert f"lowest validation loss {val.min():.5f} at epoch {best}" in out
    assert val[-1] > val.min() * 1.2  # training on made the validation loss worse
    # the stopper stops at the first epoch that is `patience` epochs after the best so far
    running_best, best_at, stop = np.inf, 0, None
    for epoch, v in enumerate(val, 1):
        if v < running_best:
            running_best, best_at = v, epoch
        if epoch - best_at >= patience:
            stop = epoch
            break
    assert f"stopped at epoch {stop}, kept epoch {best_at}" in out
    assert number_after(out, "restored model's val loss") == pytest.approx(val[best_at - 1], abs=1e-5)
    assert (tmp_path / "early_stopping.png").stat().st_size > 0


def test_mse_vs_mae(tmp_path):
    import itertools
    import json
    out = run("mse_vs_mae.py", "--out", tmp_path)
    data = json.loads((tmp_path / "data.json").read_text())
    x, y = np.array(data["x"]), np.array(data["y"])
    # MSE: least squares in closed form
    w, b = np.linalg.lstsq(np.stack([x, np.ones_like(x)], 1), y, rcond=None)[0]
    m = re.search(r"MSE line:\s+y = (\S+)x \+ (\S+)", out)
    assert float(m.group(1)) == pytest.approx(w, abs=2e-3) and float(m.group(2)) == pytest.approx(b, abs=2e-3)
    # MAE: a best L1 line passes through two of the points, so trying every pair finds its loss
    lad = min(np.abs(y - (y[i] + (y[j] - y[i]) / (x[j] - x[i]) * (x - x[i]))).mean()
              for i, j in itertools.combinations(range(len(x)), 2))
    assert number_after(out, "(MAE") == pytest.approx(lad, abs=1e-4)
    m = re.search(r"MAE line:\s+y = (\S+)x \+ (\S+)", out)
    assert abs(float(m.group(1)) - 2) < abs(w - 2) and abs(float(m.group(2)) - 1) < abs(b - 1)
    assert number_after(out, "MSE constant: c =") == pytest.approx(y.mean(), abs=1e-3)
    assert number_after(out, "MAE constant: c =") == pytest.approx(np.median(y), abs=1e-3)
    assert (tmp_path / "mse_vs_mae.png").stat().st_size > 0


def test_clipping_cliff(tmp_path):
    out = run("clipping_cliff.py", "--out", tmp_path)
    w0, lr = 0.9, 0.5
    s = 1 / (1 + math.exp(-10 * (1 - w0)))
    grad = (w0 - 4) / 4 - 200 * s * (1 - s)  # f'(w) of (w − 4)²/8 + 20σ(10(1 − w))
    assert grad == pytest.approx(-40.0974, abs=1e-4)
    plain, clipped = out.split("clip_grad_norm_(max_norm=1):")
    assert number_after(plain, "gradient at start") == pytest.approx(grad, abs=1e-4)
    assert number_after(plain, "first step +") == pytest.approx(-lr * grad, abs=1e-4)
    assert number_after(plain, "to w =") == pytest.approx(w0 - lr * grad, abs=1e-4)
    # clipping to norm 1 scales the gradient by 1/(|g| + 1e-6): the step is lr·|g|/(|g| + 1e-6)
    step = lr * abs(grad) / (abs(grad) + 1e-6)
    assert number_after(clipped, "first step +") == pytest.approx(step, abs=1e-4)
    assert number_after(clipped, "farthest |w − 4|") == pytest.approx(4 - w0, abs=1e-4)
    assert number_after(plain, "farthest |w − 4|") > 15
    assert (tmp_path / "clipping_cliff.png").stat().st_size > 0


def test_permutation_symmetry(tmp_path):
    out = run("permutation_symmetry.py", "--epochs", 2, "--out", tmp_path)
    assert number_after(out, "max |output change| =") < 1e-4
    assert number_after(out, "loss before") == number_after(out, ", after")
    assert f"16! = {math.factorial(16):,}" in out and math.factorial(16) == 20922789888000
    order = [int(k) for k in re.search(r"reordered as \[([^\]]*)\]", out).group(1).split(",")]
    assert sorted(order) == list(range(16)) and order != list(range(16))
    losses = [float(v) for v in out.split("α = 0, 0.1, …, 1:")[1].split("\n")[1].split()]
    assert len(losses) == 11 and losses[0] == pytest.approx(losses[-1], abs=1e-4)
    assert losses[5] > 1.5 * losses[0]  # halfway between two equal minima the loss is higher
    assert number_after(out, "at α = 0.5 the loss is") == pytest.approx(losses[5] / losses[0], abs=0.1)


def test_ewa(tmp_path):
    out = run("ewa.py", "--out", tmp_path)
    xs, beta, v, plain, corrected = [7.5, 4.0, 6.0, 8.0], 0.9, 0.0, [], []
    for t, x in enumerate(xs, 1):
        v = beta * v + (1 - beta) * x
        plain.append(v)
        corrected.append(v / (1 - beta ** t))
    assert plain == pytest.approx([0.75, 1.075, 1.5675, 2.21075])
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("v_t          :"))
    assert [float(c) for c in line.split(":")[1].split()] == pytest.approx(plain, abs=1e-9)
    line = next(ln for ln in out.splitlines() if ln.strip().startswith("v_t/(1 − βᵗ) :"))
    assert [float(c) for c in line.split(":")[1].split()] == pytest.approx(corrected, abs=1e-4)
    for b, window in ((0.5, 2), (0.9, 10), (0.98, 50)):
        assert f"the last {window} values carry {1 - b ** window:.1%}" in out
    assert (tmp_path / "ewa.png").stat().st_size > 0


def test_skip_connections(tmp_path):
    out = run("skip_connections.py", "--steps", 11, "--out", tmp_path, timeout=240)
    saved = np.load(tmp_path / "surfaces.npz")
    largest = {}
    for kind, name in (("plain", "without skip connections"), ("skip", "with skip connections")):
        losses, alphas = saved[f"losses_{kind}"], saved[f"alphas_{kind}"]
        assert losses.shape == (11, 11) and alphas[5] == 0.0
        # the plane's centre is θ itself
        assert losses[5, 5] == pytest.approx(float(saved[f"center_{kind}"]), rel=1e-5)
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + ":"))
        largest[kind] = losses.max()
        assert number_after(line, "largest loss") == pytest.approx(largest[kind], rel=1e-3)
        assert number_after(line, "below 1 on") / 100 == pytest.approx((losses < 1).mean(), abs=0.006)
        a, b = np.meshgrid(alphas, alphas)
        ring = losses[np.isclose(np.hypot(a, b), 0.5, atol=0.1)]  # grid spacing 0.2: the points at 0.5 ± 0.1
        assert number_after(line, "median at radius 0.5") == pytest.approx(np.median(ring), rel=1e-3)
        assert number_after(line, "trained loss") < 0.5
    assert largest["plain"] > 10 * largest["skip"]  # the plain network's surface is far steeper
    assert (tmp_path / "skip_connections.png").stat().st_size > 0

# --- imbalanced_workers: WeightedRandomSampler feeding worker processes ----------------------------

def test_imbalanced_workers_balances_batches_and_repeats_exactly():
    out = run("imbalanced_workers.py", "--epochs", "3", "--workers", "2")
    shares = re.findall(r"class-1 share of the batches ([0-9.]+)", out)
    # 1000 draws an epoch with P(class 1) = 1/2: σ = √(¼/1000) ≈ 0.016, so ±0.1 is over 6σ
    assert len(shares) == 3 and all(0.4 < float(s) < 0.6 for s in shares)
    assert number_after(out, "class-1 share of the data") == 0.1
    assert number_after(out, "class 1") > 0.85
    assert run("imbalanced_workers.py", "--epochs", "3", "--workers", "2") == out  # seed_worker: repeatable
    single = run("imbalanced_workers.py", "--epochs", "3", "--workers", "0")
    # epoch 0 sees the same sampler draws with or without workers; later epochs differ, as in
    # PyTorch, because persistent workers draw the loader's base seed from `g` only once
    assert re.findall(r"class-1 share of the batches ([0-9.]+)", single)[0] == shares[0]
