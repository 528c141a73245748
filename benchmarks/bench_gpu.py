"""GPU (CuPy) against CPU (NumPy): training steps of an MLP and a CNN at batch 512, and one op chain.

Run: python benchmarks/bench_gpu.py [--budget SECONDS] [--cpu-only] [--small]
(``make gpu-check`` runs it after the gpu-marked tests.)

Each workload is built twice from the same seed, once per device, and stepped in interleaved
rounds (a CPU step, then a GPU step, ...) until the time budget is spent, at least 5 rounds
each. Reported: median and worst milliseconds per step on each device and the speed-up of the
medians. GPU times include ``mg.cuda.synchronize()`` after each step (CuPy queues kernels and
returns early), and the first steps, which compile CuPy's kernels, are warm-up and not counted.

The GPU run must also compute what the CPU run computes: after the same steps from the same
weights, the losses must agree to float32 round-off (relative 1e-3: matrix products sum in a
different order on the GPU), else the script exits 1, naming the workload.

Workloads:

* MLP: 784 -> 1024 -> 1024 -> 10 with ReLU, cross-entropy, SGD with momentum, batch 512
  (about 2.9 GFLOP per step: 2 x 512 x 1.87 M multiply-adds forward, twice that backward);
* CNN: conv 1 -> 32 (3x3) -> max-pool -> conv 32 -> 64 (3x3) -> max-pool -> 3136 -> 128 -> 10,
  cross-entropy, Adam, batch 512 of 28 x 28 images;
* op chain: y = sum(exp(tanh(1.5 x + 0.5) * x)) and its gradient, x of 2**22 float32 values
  (memory-bound: six elementwise kernels forward and backward).

``--small`` shrinks every workload (batch 16, narrow layers, 2**12 values) so the script's logic can be
checked on any machine in seconds; ``--cpu-only`` times the CPU path alone.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.nn.functional as F  # noqa: E402

WARMUP = 2
MIN_ROUNDS = 5
RTOL = 1e-3


def mlp_workload(device, batch, width=1024):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                          nn.Linear(width, 10)).to(device)
    opt = mg.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = _data(batch, (784,), device)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step


def cnn_workload(device, batch, channels=(32, 64), hidden=128):
    mg.manual_seed(0)
    c1, c2 = channels
    model = nn.Sequential(nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(c2 * 7 * 7, hidden), nn.ReLU(), nn.Linear(hidden, 10)).to(device)
    opt = mg.optim.Adam(model.parameters(), lr=1e-3)
    x, y = _data(batch, (1, 28, 28), device)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss
    return step


def chain_workload(device, size):
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal(size, dtype=np.float32), device=device, requires_grad=True)

    def step():
        x.grad = None
        y = ((x * 1.5 + 0.5).tanh() * x).exp().sum()
        y.backward()
        return y
    return step


def _data(batch, shape, device):
    rng = np.random.default_rng(1)
    x = mg.tensor(rng.standard_normal((batch,) + shape, dtype=np.float32), device=device)
    y = mg.tensor(rng.integers(0, 10, batch), device=device)
    return x, y


def _sync(device):
    if device == "cuda":
        mg.cuda.synchronize()


def measure(name, make, budget, devices):
    """Interleaved rounds of one step per device; returns the figures and the agreement check."""
    steps = {d: make(d) for d in devices}
    losses = {d: [] for d in devices}
    for d in devices:  # warm-up (CuPy compiles its kernels on first use), compared below
        for _ in range(WARMUP):
            losses[d].append(float(steps[d]().item()))
        _sync(d)
    times = {d: [] for d in devices}
    until = time.perf_counter() + budget
    while len(times[devices[0]]) < MIN_ROUNDS or time.perf_counter() < until:
        for d in devices:
            start = time.perf_counter()
            steps[d]()
            _sync(d)
            times[d].append(time.perf_counter() - start)
    out = {"workload": name, "rounds": len(times[devices[0]])}
    for d in devices:
        ordered = sorted(times[d])
        out[f"{d} median ms"] = 1e3 * ordered[len(ordered) // 2]
        out[f"{d} worst ms"] = 1e3 * ordered[-1]
    if "cuda" in devices:
        out["speed-up"] = out["cpu median ms"] / out["cuda median ms"]
        out["losses agree"] = bool(np.allclose(losses["cuda"], losses["cpu"], rtol=RTOL, atol=1e-6))
        out["losses"] = {d: losses[d] for d in devices}
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=20.0, help="seconds of timing per workload")
    parser.add_argument("--cpu-only", action="store_true", help="time the CPU path alone (no GPU needed)")
    parser.add_argument("--small", action="store_true", help="tiny sizes: check the script, not the speed")
    args = parser.parse_args(argv)
    devices = ["cpu"] if args.cpu_only else ["cpu", "cuda"]
    if not args.cpu_only and not mg.cuda.is_available():
        print(f"bench_gpu: no usable GPU: {mg.cuda.why_unavailable()}", file=sys.stderr)
        return 2
    batch, size, width, channels, hidden = (16, 1 << 12, 32, (4, 8), 16) if args.small else \
        (512, 1 << 22, 1024, (32, 64), 128)
    results = [measure(f"MLP 784-{width}-{width}-10, SGD, batch {batch}",
                       lambda d: mlp_workload(d, batch, width), args.budget, devices),
               measure(f"CNN conv {channels[0]}-{channels[1]} + 2 linear, Adam, batch {batch}",
                       lambda d: cnn_workload(d, batch, channels, hidden), args.budget, devices),
               measure("op chain exp(tanh(1.5x+0.5)x).sum() + backward, %d values" % size,
                       lambda d: chain_workload(d, size), args.budget, devices)]
    for r in results:
        line = f"{r['workload']}: cpu {r['cpu median ms']:.2f} ms (worst {r['cpu worst ms']:.2f})"
        if "cuda" in devices:
            line += (f", cuda {r['cuda median ms']:.2f} ms (worst {r['cuda worst ms']:.2f}), "
                     f"{r['speed-up']:.1f}x, {r['rounds']} rounds, losses "
                     f"{'agree' if r['losses agree'] else 'DISAGREE'}")
        print(line, flush=True)
    print(json.dumps({"device": _device_name(devices), "results": results}))
    disagree = [r["workload"] for r in results if r.get("losses agree") is False]
    if disagree:
        print(f"bench_gpu: the GPU computed different losses from the CPU for: {', '.join(disagree)}",
              file=sys.stderr)
        return 1
    return 0


def _device_name(devices):
    if "cuda" not in devices:
        return "cpu"
    import cupy
    return cupy.cuda.runtime.getDeviceProperties(0)["name"].decode()


if __name__ == "__main__":
    sys.exit(main())
