"""Every example runs to completion with small settings and prints its key numbers.

Each script runs in a subprocess (as a user would run it) with its outputs in a temporary
directory; the tests read the printed numbers back and check the pictures were written.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

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


# --- backprop_by_hand: the worked example of LECTURES.md --------------------------------------

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
    out = run("gradient_descent_lr.py", "--steps", 10, "--out", tmp_path)
    rows = {float(ln.split()[0]): ln for ln in out.splitlines() if re.match(r"\s+[0-9.]+\s+-?[0-9.]+\s", ln)}
    assert float(rows[0.1].split()[3]) == pytest.approx(0.8 ** 10, rel=1e-5)
    assert float(rows[1.0].split()[3]) == 1.0 and "oscillates" in rows[1.0]
    assert "diverges" in rows[100.0] and "converges slowly" in rows[0.01]
    assert (tmp_path / "gradient_descent_lr.png").stat().st_size > 0


def test_minibatch(tmp_path):
    out = run("minibatch.py", "--n", 64, "--epochs", 2, "--batch-size", 16, "--out", tmp_path)
    updates = [int(m) for m in re.findall(r"\)\s+[0-9.]+\s+(\d+)\s+\d+", out)]
    assert updates == [1, 4, 64] and (tmp_path / "minibatch.png").exists()


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
    assert (tmp_path / "weight_init_relu.png").exists()


def test_grad_clipping(tmp_path):
    out = run("grad_clipping.py", "--steps", 40, "--out", tmp_path)
    # the unclipped run explodes; whether float32 reaches inf within the steps or stops at some
    # 1e33 depends on rounding (a chaotic trajectory), so either counts
    unclipped = out.split("no clipping", 1)[1].splitlines()[0]
    assert "loss became inf" in unclipped or number_after(unclipped, "final loss") > 1e6, unclipped
    assert number_after(out, "clip_grad_norm_(max_norm=1)  final loss") < 1.0
    assert (tmp_path / "grad_clipping.png").exists()


def test_lr_schedules(tmp_path):
    out = run("lr_schedules.py", "--epochs", 20, "--train-epochs", 2, "--out", tmp_path)
    adagrad = next(ln for ln in out.splitlines() if ln.strip().startswith("Adagrad"))
    assert [float(v) for v in adagrad.split()[-4:]] == pytest.approx([0.1, 0.03162, 0.01, 0.003162], rel=1e-3)
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
    out = run("train_digits.py", "--epochs", 1, "--limit", 300, "--out", tmp_path)
    assert "epoch  1/1: 100%" in out and "test accuracy:" in out
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


# --- helper "viz" owns these two scripts; they run here so that every example is exercised -----------

def test_optimizer_race(tmp_path):
    out = run("optimizer_race.py", "--out", tmp_path, "--no-gif")
    assert "Adam lr=0.3" in out
    for name in ("race_rosenbrock.png", "race_saddle.png", "race_ravine.png"):
        assert (tmp_path / name).stat().st_size > 0


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
