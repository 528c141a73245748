"""make gpu-check's logic, on a machine without a GPU: parsing nvidia-smi, choosing the CuPy wheel,
failing clearly and in time, and the benchmark's CPU path (benchmarks/gpu_check.py, bench_gpu.py)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _module(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _module("gpu_check")

NVIDIA_SMI = """\
Mon Dec  7 07:00:00 2026
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
|=========================================+========================+======================|
|   0  NVIDIA H100 80GB HBM3          On  |   00000000:18:00.0 Off |                    0 |
|   1  NVIDIA A100-SXM4-40GB          Off |   00000000:19:00.0 Off |                    0 |
+-----------------------------------------+------------------------+----------------------+
"""


def fake_nvidia_smi(tmp_path, body):
    script = tmp_path / "nvidia-smi"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


def test_reads_the_gpus_and_the_drivers_cuda_version():
    assert check.parse_cuda_major(NVIDIA_SMI) == 12
    assert check.parse_gpu_names(NVIDIA_SMI) == ["NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"]
    assert check.parse_cuda_major("no header") is None and check.parse_gpu_names("") == []


@pytest.mark.parametrize("major,wheel", [(11, "cupy-cuda11x"), (12, "cupy-cuda12x"), (13, "cupy-cuda13x"),
                                         (14, "cupy-cuda13x")])
def test_picks_the_cupy_wheel_for_the_driver(major, wheel):
    assert check.cupy_wheel(major) == wheel


def test_an_old_driver_is_named():
    with pytest.raises(check.CheckFailed, match="supports CUDA 10.*update the driver"):
        check.cupy_wheel(10)


def test_finds_the_gpu_through_nvidia_smi(tmp_path):
    smi = fake_nvidia_smi(tmp_path, f"cat <<'END'\n{NVIDIA_SMI}END\n")
    assert check.find_gpu(check.Deadline(30), smi) == (["NVIDIA H100 80GB HBM3", "NVIDIA A100-SXM4-40GB"], 12)


@pytest.mark.parametrize("body,message", [
    ("exit 9\n", "nvidia-smi failed \\(exit 9\\)"),
    ("echo 'No devices were found'\n", "lists no GPU"),
    ("sleep 30\n", "did not finish within 2 s"),
])
def test_a_broken_or_hung_driver_fails_clearly_and_in_time(tmp_path, body, message):
    smi = fake_nvidia_smi(tmp_path, body)
    with pytest.raises(check.CheckFailed, match=message) as info:
        check.find_gpu(check.Deadline(2), smi)
    assert info.value.code == 2


def test_without_a_gpu_make_gpu_check_fails_saying_why(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no nvidia-smi anywhere
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py")], capture_output=True,
                          text=True, env=env, timeout=60, cwd=ROOT)
    assert proc.returncode == 2
    assert "gpu-check FAILED: no NVIDIA GPU here: nvidia-smi is not on PATH" in proc.stderr, proc.stderr


def test_missing_cupy_names_the_wheel_to_install(monkeypatch):
    monkeypatch.setattr(check, "installed_cupy_wheels", lambda python: [])
    monkeypatch.setattr(check, "run", lambda command, timeout, env=None: (1, "ModuleNotFoundError: No module "
                                                                             "named 'cupy'"))
    with pytest.raises(check.CheckFailed, match=r"CuPy is not installed: .*pip install cupy-cuda13x"):
        check.ensure_cupy("python", 13, check.Deadline(30), install=False)


def test_a_cupy_wheel_for_another_driver_is_named(monkeypatch):
    monkeypatch.setattr(check, "installed_cupy_wheels", lambda python: ["cupy-cuda13x"])
    monkeypatch.setattr(check, "run", lambda command, timeout, env=None: (
        1, "cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorInsufficientDriver"))
    with pytest.raises(check.CheckFailed, match=r"installed: cupy-cuda13x; this driver wants cupy-cuda12x"):
        check.ensure_cupy("python", 12, check.Deadline(30))


def test_two_cupy_wheels_side_by_side_are_refused(monkeypatch):
    monkeypatch.setattr(check, "installed_cupy_wheels", lambda python: ["cupy-cuda12x", "cupy-cuda13x"])
    with pytest.raises(check.CheckFailed, match="several CuPy wheels are installed"):
        check.ensure_cupy("python", 12, check.Deadline(30))


def test_a_failed_install_is_reported(monkeypatch):
    calls = []

    def fake_run(command, timeout, env=None):
        calls.append(command)
        return (1, "No module named 'cupy'") if "-c" in command else (1, "ERROR: network unreachable")
    monkeypatch.setattr(check, "installed_cupy_wheels", lambda python: [])
    monkeypatch.setattr(check, "run", fake_run)
    with pytest.raises(check.CheckFailed, match="pip install cupy-cuda12x array-api-compat` failed"):
        check.ensure_cupy("python", 12, check.Deadline(30))
    assert calls[1][1:4] == ["-m", "pip", "install"] and "cupy-cuda12x" in calls[1]


def test_the_deadline_bounds_every_step():
    deadline = check.Deadline(0.5)
    assert deadline.left(100) <= 0.5
    with pytest.raises(check.CheckFailed, match="out of time"):
        check.Deadline(0).left(10)


def test_the_gpu_tests_refuse_to_skip_when_a_gpu_is_required():
    env = dict(os.environ, MINIGRAD_REQUIRE_GPU="1")
    command = [sys.executable, "-m", "pytest", "-q", "-m", "gpu", "-p", "no:cacheprovider",
               "tests/test_backend.py"]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert proc.returncode != 0
    assert "MINIGRAD_REQUIRE_GPU=1 but CUDA is not usable" in proc.stdout + proc.stderr


def test_the_benchmark_runs_its_cpu_path_and_refuses_without_a_gpu():
    bench = [sys.executable, str(ROOT / "benchmarks" / "bench_gpu.py"), "--small", "--budget", "0.05"]
    proc = subprocess.run(bench + ["--cpu-only"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert [line.split(":")[0] for line in proc.stdout.splitlines()[:3]] == [
        "MLP 784-32-32-10, SGD, batch 16", "CNN conv 4-8 + 2 linear, Adam, batch 16",
        "op chain exp(tanh(1.5x+0.5)x).sum() + backward, 4096 values"]
    proc = subprocess.run(bench, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 2 and "no usable GPU" in proc.stderr
