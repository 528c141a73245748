"""The benchmarks time the same work for every contender: minigrad's MLP training step (nn.Linear,
F.cross_entropy, optim.SGD/Adam) follows the hand-written NumPy step loss for loss
(benchmarks/bench_mlp.py)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name):
    sys.path.insert(0, str(ROOT / "benchmarks"))  # the script imports its _timing helper
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_mlp_steps_give_the_losses_of_the_numpy_step(opt):
    bench = _load("bench_mlp")
    x, y, params = bench.data(16)
    losses = []
    for phases in (bench.library_phases(bench.mg, x, y, params, opt), bench.numpy_phases(x, y, params, opt)):
        run = []
        for _ in range(4):
            forward, loss, backward, update = phases
            forward()
            run.append(float(loss()))
            backward()
            update()
        losses.append(run)
    ours, by_hand = losses
    np.testing.assert_allclose(ours, by_hand, rtol=1e-5)
    assert by_hand[3] < by_hand[0] - 1e-3  # the updates moved the parameters


def test_solo_mode_times_each_library_in_a_process_of_its_own():
    script = ROOT / "benchmarks" / "bench_conv.py"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(script), "--solo", "--rounds", "2", "--steps", "1"]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=True).stdout
    assert "each library in a process of its own" in out
    assert "minigrad   median" in out and "page faults per step (median): minigrad" in out
