"""``make gpu-check``: verify the GPU path on a machine with an NVIDIA GPU, in one command.

Steps, each with its own timeout and all within ``--deadline`` seconds (default 300):

1. find the GPU: ``nvidia-smi`` must exist and list one; the driver's CUDA version is read
   from its header (``CUDA Version: 12.4``);
2. make sure CuPy works: import it and run a kernel in a child process; when it is missing,
   ``pip install`` the wheel that matches the driver (``cupy-cuda12x`` for a CUDA 12 driver,
   ``cupy-cuda13x`` for 13 and later, ``cupy-cuda11x`` for 11) and ``array-api-compat``,
   unless ``--no-install``; two CuPy wheels installed side by side are reported (they
   overwrite each other's files);
3. run the tests marked ``gpu`` (``pytest -m gpu``) with ``MINIGRAD_REQUIRE_GPU=1``, which
   turns their "no GPU" skip into a failure, so a broken CuPy cannot pass as a skip;
4. run ``benchmarks/bench_gpu.py`` (MLP and CNN training steps at batch 512 and an op chain,
   GPU against CPU, results compared).

Without a GPU (or with a driver or CuPy that does not work) it stops at the first step that
fails, says why and what to do, and exits 2; a failing test or benchmark exits 1.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CUPY_PROBE = ("import cupy; n = cupy.cuda.runtime.getDeviceCount(); "
              "assert int(cupy.arange(4).sum()) == 6; print(cupy.__version__, n)")


class CheckFailed(Exception):
    """A step failed; ``code`` is the exit status (2: the machine is not ready, 1: a check failed)."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


class Deadline:
    """Seconds left of the whole check, handed to each step as its timeout."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self, step_limit):
        left = self.end - time.monotonic()
        if left <= 0.1:
            raise CheckFailed("out of time: the whole check must finish within its deadline", code=1)
        return min(step_limit, left)


def run(command, timeout, env=None):
    """(exit status, combined output) of ``command``; a timeout becomes CheckFailed naming it."""
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    except FileNotFoundError:
        return 127, f"{command[0]}: not found"
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"")[-2000:]
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
        shown = " ".join(command)
        raise CheckFailed(f"`{shown}` did not finish within {timeout:.0f} s{_tail(out)}") from None
    return proc.returncode, proc.stdout + proc.stderr


def _tail(text, lines=15):
    text = text.strip()
    return "" if not text else ":\n    " + "\n    ".join(text.splitlines()[-lines:])


def find_gpu(deadline, nvidia_smi="nvidia-smi"):
    """(GPU names, the driver's CUDA major version) from nvidia-smi."""
    if shutil.which(nvidia_smi) is None:
        raise CheckFailed("no NVIDIA GPU here: nvidia-smi is not on PATH (no NVIDIA driver). make gpu-check "
                          "verifies the GPU path and needs a machine with an NVIDIA GPU; the CPU tests are "
                          "`make test`")
    status, out = run([nvidia_smi], deadline.left(30))
    if status != 0:
        raise CheckFailed(f"nvidia-smi failed (exit {status}): the driver cannot talk to a GPU{_tail(out)}")
    names = parse_gpu_names(out)
    if not names:
        raise CheckFailed(f"nvidia-smi lists no GPU{_tail(out)}")
    major = parse_cuda_major(out)
    if major is None:
        raise CheckFailed(f"could not read the driver's CUDA version from nvidia-smi{_tail(out)}")
    return names, major


def parse_cuda_major(text):
    """12 from nvidia-smi's header ``... CUDA Version: 12.4 |``; None when absent."""
    found = re.search(r"CUDA Version:\s*(\d+)\.(\d+)", text)
    return int(found.group(1)) if found else None


def parse_gpu_names(text):
    """The GPU names in nvidia-smi's table (``|   0  NVIDIA H100 80GB HBM3   On  | ...``)."""
    return [m.group(1).strip() for m in re.finditer(r"^\|\s+\d+\s+(.+?)\s+(?:On|Off)\s+\|", text, re.M)]


def cupy_wheel(cuda_major):
    """The CuPy wheel built for a driver of this CUDA major version."""
    if cuda_major < 11:
        raise CheckFailed(f"the NVIDIA driver supports CUDA {cuda_major}; CuPy needs CUDA 11 or later: "
                          "update the driver")
    return "cupy-cuda11x" if cuda_major == 11 else "cupy-cuda12x" if cuda_major == 12 else "cupy-cuda13x"


def installed_cupy_wheels(python):
    status, out = run([python, "-c", "import importlib.metadata as m; print('\\n'.join(sorted("
                       "d.metadata['Name'] for d in m.distributions() if (d.metadata['Name'] or '')"
                       ".lower().startswith('cupy'))))"], 60)
    return [line.strip() for line in out.splitlines() if line.strip()] if status == 0 else []


def ensure_cupy(python, cuda_major, deadline, install=True):
    """CuPy's version once it imports and runs a kernel, installing the matching wheel if needed."""
    wheels = installed_cupy_wheels(python)
    if len(wheels) > 1:
        raise CheckFailed(f"several CuPy wheels are installed ({', '.join(wheels)}); they overwrite each "
                          f"other: `{python} -m pip uninstall -y {' '.join(wheels)}` then "
                          f"`{python} -m pip install {cupy_wheel(cuda_major)} array-api-compat`")
    status, out = run([python, "-c", CUPY_PROBE], deadline.left(180))  # the first kernel compiles
    if status == 0:
        return out.split()[0]
    wanted = cupy_wheel(cuda_major)
    if "No module named 'cupy'" not in out:
        hint = ""
        if wheels and wheels[0] != wanted:
            hint = (f" (installed: {wheels[0]}; this driver wants {wanted}: `{python} -m pip uninstall -y "
                    f"{wheels[0]} && {python} -m pip install {wanted}`)")
        raise CheckFailed(f"CuPy is installed but cannot use the GPU{hint}{_tail(out)}")
    if not install:
        raise CheckFailed(f"CuPy is not installed: `{python} -m pip install {wanted} array-api-compat` "
                          "(or rerun without --no-install)")
    print(f"gpu-check: installing {wanted} for the CUDA {cuda_major} driver ...", flush=True)
    status, out = run([python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", wanted,
                       "array-api-compat"], deadline.left(240))
    if status != 0:
        raise CheckFailed(f"`pip install {wanted} array-api-compat` failed (no network?){_tail(out)}")
    status, out = run([python, "-c", CUPY_PROBE], deadline.left(180))
    if status != 0:
        raise CheckFailed(f"{wanted} installed but CuPy cannot use the GPU{_tail(out)}")
    return out.split()[0]


def run_gpu_tests(python, deadline):
    env = dict(os.environ, MINIGRAD_REQUIRE_GPU="1")
    status, out = run([python, "-m", "pytest", "-m", "gpu", "-q", "-rs", "-p", "no:cacheprovider", "tests"],
                      deadline.left(150), env=env)
    summary = out.strip().splitlines()[-1] if out.strip() else "(no output)"
    if status != 0:
        raise CheckFailed(f"the gpu-marked tests failed: {summary}{_tail(out, 40)}", code=1)
    return summary


def run_benchmark(python, deadline, budget):
    status, out = run([python, os.path.join("benchmarks", "bench_gpu.py"), "--budget", str(budget)],
                      deadline.left(150))
    if status != 0:
        raise CheckFailed(f"benchmarks/bench_gpu.py failed (exit {status}){_tail(out, 20)}", code=1)
    return "\n".join(line for line in out.splitlines() if not line.startswith("{"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="the Python whose environment is checked")
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds for the whole check")
    parser.add_argument("--budget", type=float, default=15.0, help="seconds of timing per benchmark workload")
    parser.add_argument("--no-install", action="store_true", help="never pip install CuPy")
    args = parser.parse_args(argv)
    deadline = Deadline(args.deadline)
    try:
        names, major = find_gpu(deadline)
        print(f"gpu-check: {len(names)} GPU(s): {', '.join(names)}; driver CUDA {major}", flush=True)
        version = ensure_cupy(args.python, major, deadline, install=not args.no_install)
        print(f"gpu-check: CuPy {version} runs kernels", flush=True)
        print(f"gpu-check: gpu-marked tests: {run_gpu_tests(args.python, deadline)}", flush=True)
        print(run_benchmark(args.python, deadline, args.budget), flush=True)
    except CheckFailed as e:
        print(f"gpu-check FAILED: {e}", file=sys.stderr)
        return e.code
    print("gpu-check: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
