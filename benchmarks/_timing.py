"""Shared by the optimizer and MLP benchmarks: interleaved rounds and the thread counts in use."""

import os
import statistics
import time


def interleaved(fns, rounds, number, warmup=3):
    """Milliseconds per call of each function in ``fns`` (a dict), one list entry per round.

    Each round times ``number`` calls of every function, one function after another, so that a
    slow spell of the (shared) machine hits them all alike. The order rotates from round to round:
    PyTorch's OpenMP threads keep spinning for a while after its last parallel region and slow
    whatever runs next, so no contender should always follow it.
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = fns[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append(1e3 * (time.perf_counter() - start) / number)
    return times


def summary(times, reference=None):
    """One line per function: median and worst, and the median's ratio to each of ``reference``."""
    lines = []
    for name, ms in times.items():
        ratios = "".join(f"  {statistics.median(ms) / statistics.median(times[r]):5.2f}x {r}"
                         for r in reference or () if r in times and r != name)
        lines.append(f"  {name:28s} median {statistics.median(ms):7.3f} ms  worst {max(ms):7.3f} ms{ratios}")
    return "\n".join(lines)


def threads():
    """The thread counts this process runs with (BLAS pools, PyTorch's intra-op threads)."""
    parts = [f"{os.cpu_count()} CPUs"]
    try:
        from threadpoolctl import threadpool_info
        parts += [f"{p['internal_api']} {p['num_threads']}" for p in threadpool_info()]
    except ImportError:
        parts.append("BLAS threads: threadpoolctl not installed")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        if var in os.environ:
            parts.append(f"{var}={os.environ[var]}")
    try:
        import torch
        parts.append(f"torch intra-op {torch.get_num_threads()}")
    except ImportError:
        pass
    return ", ".join(parts)
