"""One optimizer step, fused flat buffers vs the per-parameter reference loop.

Two workloads from issue 4: 200 parameters of 64x64 (many small tensors, where Python overhead
per array op dominates) and a 10-million-parameter model (20 tensors: ten 1000x1000 weights and
their biases, where memory traffic dominates). Gradients are set once; each timed step is just
``opt.step()``. Paths: ``fused`` (parameters are views of one flat buffer; the default),
``foreach`` (gather with one concatenation, scatter with one slice + assign per parameter),
``reference`` (a loop over parameters) and ``default`` (neither flag: on the CPU, parameters of
at least ``CPU_CHUNK_BYTES`` step alone in row slices, the rest fused).

    python benchmarks/bench_optim.py              # Adam, both workloads, NumPy
    python benchmarks/bench_optim.py --opt SGD --repeat 5
"""

import argparse
import os
import platform
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad import optim  # noqa: E402

PATHS = {"default": {}, "fused": dict(fused=True), "foreach": dict(foreach=True),
         "reference": dict(foreach=False)}
WORKLOADS = {
    "200 x (64x64)": [(64, 64)] * 200,
    "10M params (10 x 1000x1000 + biases)": [(1000, 1000), (1000,)] * 10,
    "1000 x (16,)  (tiny tensors)": [(16,)] * 1000,
    "MLP 784-512-256-10 (6 tensors)": [(512, 784), (512,), (256, 512), (256,), (10, 256), (10,)],
}


def make_params(shapes, seed=0):
    rng = np.random.default_rng(seed)
    params = []
    for s in shapes:
        p = mg.tensor(rng.standard_normal(s, dtype=np.float32), requires_grad=True)
        p.grad = mg.tensor(rng.standard_normal(s, dtype=np.float32))
        params.append(p)
    return params


def step_times_ms(opt, repeat, warmup):
    """Milliseconds of each of ``repeat`` calls of ``opt.step()``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        opt.step()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        opt.step()
        times.append(1e3 * (time.perf_counter() - start))
    return times


def time_step(opt_cls, shapes, path, repeat, warmup=2, **kwargs):
    times = step_times_ms(opt_cls(make_params(shapes), **kwargs, **PATHS[path]), repeat, warmup)
    return min(times), float(np.median(times))


def time_torch_step(opt_name, shapes, repeat, warmup=2, **kwargs):
    """The same step in PyTorch (CPU, float32), when it is installed: (foreach=False, foreach=True)."""
    import torch
    out = []
    for foreach in (False, True):
        gen = np.random.default_rng(0)
        params = []
        for s in shapes:
            p = torch.tensor(gen.standard_normal(s, dtype=np.float32), requires_grad=True)
            p.grad = torch.tensor(gen.standard_normal(s, dtype=np.float32))
            params.append(p)
        opt = getattr(torch.optim, opt_name)(params, foreach=foreach, **kwargs)
        out.append(min(step_times_ms(opt, repeat, warmup)))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opt", default="Adam", help="optimizer class name in minigrad.optim")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--lr", type=float, default=1e-3)
    args = parser.parse_args(argv)
    opt_cls = getattr(optim, args.opt)
    print(f"{args.opt} step, float32, NumPy {np.__version__}, Python {platform.python_version()}, "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"best (median) of {args.repeat}")
    for name, shapes in WORKLOADS.items():
        runs = {path: time_step(opt_cls, shapes, path, args.repeat, lr=args.lr) for path in PATHS}
        ms = {path: best for path, (best, _) in runs.items()}
        cells = "  ".join(f"{path} {best:7.2f} ({median:7.2f})" for path, (best, median) in runs.items())
        print(f"{name:38s} {cells} ms   reference/default {ms['reference'] / ms['default']:.2f}x, "
              f"reference/fused {ms['reference'] / ms['fused']:.2f}x")
        try:
            loop, foreach = time_torch_step(args.opt, shapes, args.repeat, lr=args.lr)
            print(f"{'':38s} PyTorch (CPU) for comparison: foreach=False {loop:.2f} ms, "
                  f"foreach=True {foreach:.2f} ms")
        except ImportError:
            pass


if __name__ == "__main__":
    main()
