"""Activation checkpointing: peak memory and time of forward + backward, with and without it.

Two models, float32, on the CPU, each step ``model(x).sum().backward()`` from the same seed:

- ``mlp``: 32 blocks of Linear(256, 256), GELU and Dropout(0.1), batch 512 (8.4 MB of parameters);
  plain, then ``checkpoint_sequential`` in 4 and in 8 segments (non-reentrant), and in 8 segments
  reentrant.
- ``transformer``: 8 ``nn.TransformerEncoderLayer`` (d_model 128, 4 heads, feed-forward 512,
  dropout 0.1, batch first) on 16 sequences of 128 positions; plain, then each layer checkpointed
  (non-reentrant, then reentrant).

The input requires grad in every mode (the reentrant form gives the first segment's parameters
no gradient otherwise, as PyTorch's does).

Memory: the peak of NumPy's allocations under ``tracemalloc`` during one step, less what was held
before it (the model, the batch); the gradients, allocated during backward in every mode, are in
it. The NumPy backend's buffer pool (up to 16 freed arrays of each shape kept for reuse, which
``tracemalloc`` counts as held) is switched off while measuring, so that the figure is what live
arrays need, as ``torch.cuda.max_memory_allocated`` counts; ``--keep-pool`` measures with it on.

Gradients: each mode's are compared with the plain step's, element for element, and printed as
"identical" (bit for bit) or the largest difference; then again in float64.

Time: the median and worst of interleaved rounds (see ``_timing.py``), milliseconds per step, with
the pool on as shipped.

Measured (2026-12-08, 2 shared vCPUs, numpy 2.4, pool off; quoted in ``docs/autograd.md``): the
MLP's peak 49.1 MiB plain, 19.3 MiB in 4 segments (0.39x), 14.3 MiB in 8 (0.29x), 15.1 MiB in 8
reentrant (0.31x), at 1.2-1.3x the plain step's time; the transformer's 219.9 MiB plain, 37.9 MiB
with each layer checkpointed (0.17x; reentrant 39.4 MiB), at about 1.6x the time. Every mode's
gradients were identical to the plain step's, in float32 and float64. With the pool on, the
figures are lower (41.1 and 178.4 MiB plain; 8.7 and 25.3 MiB checkpointed): the warm-up step
leaves freed arrays in the pool, counted before the step, which the step then reuses.

Run: python benchmarks/bench_checkpoint.py [--rounds 3] [--keep-pool] [--models mlp transformer]
(from the repository root with minigrad importable, e.g. ``PYTHONPATH=.``).
"""

import argparse
import contextlib
import gc
import statistics
import tracemalloc

import numpy as np
from _timing import interleaved, threads

import minigrad as mg
from minigrad.backend import numpy_backend
from minigrad.utils.checkpoint import checkpoint, checkpoint_sequential

MiB = 2 ** 20


def mlp(dtype):
    mg.manual_seed(0)
    blocks = [m for _ in range(32) for m in (mg.nn.Linear(256, 256), mg.nn.GELU(), mg.nn.Dropout(0.1))]
    return mg.nn.Sequential(*blocks).to(dtype), mg.randn(512, 256, dtype=dtype, requires_grad=True)


def transformer(dtype):
    mg.manual_seed(0)
    layers = mg.nn.ModuleList(mg.nn.TransformerEncoderLayer(128, 4, 512, dropout=0.1, batch_first=True)
                              for _ in range(8))
    return layers.to(dtype), mg.randn(16, 128, 128, dtype=dtype, requires_grad=True)


def per_layer(layers, reentrant):
    def run(x):
        for layer in layers:
            x = checkpoint(layer, x, use_reentrant=reentrant)
        return x
    return run


def plain_layers(layers):
    def run(x):
        for layer in layers:
            x = layer(x)
        return x
    return run


MODELS = {  # name: (build, {mode: model -> callable(x)})
    "mlp": (mlp, {
        "plain": lambda m: m,
        "4 segments": lambda m: lambda x: checkpoint_sequential(m, 4, x, use_reentrant=False),
        "8 segments": lambda m: lambda x: checkpoint_sequential(m, 8, x, use_reentrant=False),
        "8 segments, reentrant": lambda m: lambda x: checkpoint_sequential(m, 8, x, use_reentrant=True),
    }),
    "transformer": (transformer, {
        "plain": plain_layers,
        "each layer": lambda m: per_layer(m, False),
        "each layer, reentrant": lambda m: per_layer(m, True),
    }),
}


def step(model, run, x):
    """One forward + backward from seed 1 (the same dropout masks in every mode); the gradients."""
    params = [x, *model.parameters()]
    for p in params:
        p.grad = None
    mg.manual_seed(1)
    run(x).sum().backward()
    return [p.grad for p in params]


@contextlib.contextmanager
def pool(keep):
    """The NumPy backend's buffer pool on (``keep``) or off: every array then comes from np.empty."""
    saved = numpy_backend._POOLED_FROM
    if not keep:
        numpy_backend._POOLED_FROM = float("inf")
    try:
        yield
    finally:
        numpy_backend._POOLED_FROM = saved


def peak(model, run, x):
    """MiB above what was held before the step, at the step's peak."""
    step(model, run, x)  # warm: lazily made buffers and caches are not the step's
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        step(model, run, x)
        return (tracemalloc.get_traced_memory()[1] - before) / MiB
    finally:
        tracemalloc.stop()


def difference(grads, reference):
    worst = max(float(np.max(np.abs(g.numpy() - r.numpy()))) for g, r in zip(grads, reference))
    return "identical" if all(np.array_equal(g.numpy(), r.numpy()) for g, r in zip(grads, reference)) \
        else f"max |diff| {worst:.2e}"


def report(name, rounds, keep_pool):
    build, modes = MODELS[name]
    model, x = build(mg.float32)
    runs = {mode: make(model) for mode, make in modes.items()}
    with pool(keep_pool):
        peaks = {mode: peak(model, run, x) for mode, run in runs.items()}
    reference = step(model, runs["plain"], x)
    same = {mode: difference(step(model, run, x), reference) for mode, run in runs.items()}
    model64, x64 = build(mg.float64)
    runs64 = {mode: make(model64) for mode, make in modes.items()}
    reference64 = step(model64, runs64["plain"], x64)
    same64 = {mode: difference(step(model64, run, x64), reference64) for mode, run in runs64.items()}
    times = interleaved({mode: (lambda run=run: step(model, run, x)) for mode, run in runs.items()},
                        rounds, 1, warmup=1)
    pool_state = "on" if keep_pool else "off"
    print(f"\n{name}: peak MiB above the model and batch (buffer pool {pool_state}); ms per step, "
          f"median [worst] of {rounds} rounds; gradients vs. plain, float32 and float64")
    base_peak, base_time = peaks["plain"], statistics.median(times["plain"])
    for mode in runs:
        ts = times[mode]
        median = statistics.median(ts)
        print(f"  {mode:22s} {peaks[mode]:7.1f} MiB ({peaks[mode] / base_peak:4.2f}x)  "
              f"{median:7.1f} [{max(ts):7.1f}] ms ({median / base_time:4.2f}x)  {same[mode]}, {same64[mode]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-pool", action="store_true", help="measure with the buffer pool on")
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    args = parser.parse_args(argv)
    print(f"threads: {threads()}")
    for name in args.models:
        report(name, args.rounds, args.keep_pool)


if __name__ == "__main__":
    main()
