"""Shared by the workload benchmarks: interleaved rounds against a reference, median and worst.

Each contender is a zero-argument ``step`` callable. Rounds are interleaved (round 1 of every
contender, then round 2, ...) so that a change of load on a shared machine hits all alike; a
round's figure is the mean of ``steps`` calls. The summary is the median and the worst round.
"""

import os
import statistics
import time

import numpy as np


def thread_counts(torch=None):
    """A line naming the thread pools in use: BLAS (via threadpoolctl when installed) and torch's."""
    parts = [f"{os.cpu_count()} CPUs"]
    try:
        from threadpoolctl import threadpool_info
        parts += [f"{p['internal_api']} {p['num_threads']} threads" for p in threadpool_info()]
    except ImportError:
        parts.append("BLAS threads unknown (threadpoolctl not installed)")
    if torch is not None:
        parts.append(f"torch {torch.__version__} {torch.get_num_threads()} threads")
    return f"numpy {np.__version__}; " + ", ".join(parts)


def interleaved(contenders, rounds, steps, warmup=2):
    """Per-round mean milliseconds per step of each contender: {name: [ms, ...]}."""
    for step in contenders.values():
        for _ in range(warmup):
            step()
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, step in contenders.items():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            times[name].append((time.perf_counter() - start) / steps * 1e3)
    return times


def report(title, times, reference="torch"):
    """Print median and worst ms/step of each contender and their ratios to ``reference``."""
    print(title)
    ref = times.get(reference)
    for name, ms in times.items():
        line = f"  {name:10s} median {statistics.median(ms):8.2f} ms   worst {max(ms):8.2f} ms"
        if ref is not None and name != reference:
            line += (f"   ratio median {statistics.median(ms) / statistics.median(ref):5.2f}x"
                     f"  worst {max(ms) / max(ref):5.2f}x")
        print(line)
    print("  (machine shared with other jobs: figures are noisy; rounds interleaved)")
