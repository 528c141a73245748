"""The MLP training step of issue 14, as users write it: minigrad vs PyTorch vs NumPy by hand.

784-512-256-10 with ReLU, ``nn.Linear`` layers, ``F.cross_entropy``, ``optimizer.zero_grad()``,
``loss.backward()``, ``optimizer.step()``; a batch of 128, float32, default thread settings.
Two optimizers: ``SGD(lr=0.01)`` and ``Adam(lr=1e-3)``. Every contender starts from the same
weights and data; rounds are interleaved in one process. PyTorch is optional.

    python benchmarks/bench_mlp.py [--rounds 7] [--number 20] [--batch 128] [--phases] [--profile]

``--phases`` times the forward pass, the loss, the backward pass (with ``zero_grad``) and the
update apart, each contender's rounds interleaved, medians over all steps, and counts the minor
page faults per step
(temporaries that the allocator returned to the system and takes back, zeroed, on the next step).
"""

import argparse
import cProfile
import math
import os
import pstats
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402
from _timing import interleaved, summary, threads, turns  # noqa: E402

import minigrad as mg  # noqa: E402

SIZES = (784, 512, 256, 10)


def data(batch, seed=0):
    """Inputs, labels and the weights (as ``nn.Linear`` stores them: (out, in)) and biases."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], batch)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / math.sqrt(fan_in)
        params += [rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                   rng.uniform(-bound, bound, fan_out).astype(np.float32)]
    return x, y, params


# Each contender is four phases, run in this order for one training step (``loss`` returns the
# loss); ``--phases`` times them one by one to show where a step's time goes.
PHASES = ("forward", "loss", "backward", "update")


def library_phases(lib, x, y, params, opt):
    """The step in ``lib`` (minigrad or torch: the same code, as a user ports it)."""
    nn = lib.nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10))
    with lib.no_grad():
        for p, value in zip(model.parameters(), params):
            p.copy_(lib.from_numpy(value))
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01) if opt == "SGD" else \
        lib.optim.Adam(model.parameters(), lr=1e-3)
    x, y = lib.from_numpy(x), lib.from_numpy(y)
    held = {}

    def forward():
        held["logits"] = model(x)

    def loss():
        held["loss"] = nn.functional.cross_entropy(held["logits"], y)
        return held["loss"]

    def backward():
        optimizer.zero_grad()
        held["loss"].backward()
    return forward, loss, backward, optimizer.step


def numpy_phases(x, y, params, opt, beta1=0.9, beta2=0.999, eps=1e-8):
    """Forward, softmax cross-entropy, backward and the update, written by hand in NumPy."""
    params = [p.copy() for p in params]
    moments = [(np.zeros_like(p), np.zeros_like(p)) for p in params]
    t = [0]
    n = x.shape[0]
    rows = np.arange(n)
    held = {}

    def forward():
        w1, b1, w2, b2, w3, b3 = params
        held["h1"] = h1 = x @ w1.T + b1
        held["a1"] = a1 = np.maximum(h1, 0)
        held["h2"] = h2 = a1 @ w2.T + b2
        held["a2"] = a2 = np.maximum(h2, 0)
        held["logits"] = a2 @ w3.T + b3

    def loss():
        logits = held["logits"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        held["log_p"] = log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -log_p[rows, y].mean()

    def backward():
        w1, b1, w2, b2, w3, b3 = params
        d = np.exp(held["log_p"])
        d[rows, y] -= 1
        d /= n
        g_w3, g_b3 = d.T @ held["a2"], d.sum(axis=0)
        d = (d @ w3) * (held["h2"] > 0)
        g_w2, g_b2 = d.T @ held["a1"], d.sum(axis=0)
        d = (d @ w2) * (held["h1"] > 0)
        g_w1, g_b1 = d.T @ x, d.sum(axis=0)
        held["grads"] = (g_w1, g_b1, g_w2, g_b2, g_w3, g_b3)

    def update():
        if opt == "SGD":
            for p, g in zip(params, held["grads"]):
                p -= 0.01 * g
            return
        t[0] += 1
        step_size = 1e-3 / (1 - beta1 ** t[0])
        root_bc2 = math.sqrt(1 - beta2 ** t[0])
        for p, g, (m, v) in zip(params, held["grads"], moments):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            p -= step_size * m / (np.sqrt(v) / root_bc2 + eps)
    return forward, loss, backward, update


def whole_step(phases):
    def step():
        for phase in phases:
            phase()
    return step


def timed_phases(phases):
    """A step that appends each phase's milliseconds to ``step.ms`` (one list per phase)."""
    def step():
        for i, phase in enumerate(phases):
            start = time.perf_counter()
            phase()
            step.ms[i].append(1e3 * (time.perf_counter() - start))
    step.ms = [[] for _ in phases]
    return step


def page_faults(step, number):
    """Minor page faults per call of ``step`` (fresh pages the kernel had to map)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(number):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / number


def phase_table(contenders, rounds, number):
    """The median milliseconds of each phase over all steps of interleaved rounds (a median per
    step, not per round: a phase is short enough for one preemption of the process to swamp a
    round's mean), and the page faults per step."""
    steps = {name: timed_phases(phases) for name, phases in contenders.items()}
    for step in steps.values():
        step()  # warm-up
        step.ms = [[] for _ in PHASES]
    for name in turns(list(steps), rounds):
        for _ in range(number):
            steps[name]()
    lines = ["  phase (median ms)  " + "".join(f"{name:>24s}" for name in steps)]
    for i, phase in enumerate(PHASES):
        lines.append(f"  {phase:19s}" + "".join(f"{statistics.median(step.ms[i]):24.3f}"
                                                for step in steps.values()))
    lines.append("  minor page faults  " + "".join(
        f"{page_faults(whole_step(phases), number):24.1f}" for phases in contenders.values()))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=20, help="steps per round")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--opt", choices=["SGD", "Adam"], nargs="*", default=["SGD", "Adam"])
    parser.add_argument("--profile", action="store_true", help="cProfile minigrad's step instead")
    parser.add_argument("--phases", action="store_true",
                        help="time forward, loss, backward and update apart, and count page faults")
    args = parser.parse_args(argv)
    x, y, params = data(args.batch)
    print(f"MLP 784-512-256-10 step, batch {args.batch}, float32; numpy {np.__version__}; "
          f"threads: {threads()}")
    for opt in args.opt:
        if args.profile:
            step = whole_step(library_phases(mg, x, y, params, opt))
            step()
            cProfile.runctx("for _ in range(200): step()", {}, {"step": step}, "/tmp/mlp.prof")
            pstats.Stats("/tmp/mlp.prof").sort_stats("tottime").print_stats(25)
            continue
        contenders = {f"minigrad {opt}": library_phases(mg, x, y, params, opt),
                      f"NumPy by hand {opt}": numpy_phases(x, y, params, opt)}
        try:
            import torch
            contenders[f"PyTorch {opt}"] = library_phases(torch, x, y, params, opt)
        except ImportError:
            print("(PyTorch: not installed)")
        if args.phases:
            print(f"{opt}: each phase timed alone, {args.rounds} interleaved rounds of {args.number} steps")
            print(phase_table(contenders, args.rounds, args.number))
            continue
        times = interleaved({name: whole_step(phases) for name, phases in contenders.items()},
                            args.rounds, args.number)
        print(f"{opt}: {args.rounds} interleaved rounds of {args.number} steps")
        print(summary(times, reference=[f"NumPy by hand {opt}", f"PyTorch {opt}"]))

if __name__ == "__main__":
    main()
