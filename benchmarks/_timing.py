"""Shared by the benchmarks: interleaved rounds (a settle pause, a rotating order), thread counts."""

import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import time

# Idle time before each contender's round. PyTorch's OpenMP threads and OpenBLAS's keep spinning
# for a while after their last parallel region; without a pause the next contender shares the
# cores with them (bench_mlp, SGD: PyTorch 7.07 -> 3.20 ms a step, minigrad 3.48 -> 2.95, NumPy
# 2.41 -> 2.39 with a 0.1 s pause), which measures the neighbour, not the library.
SETTLE_SECONDS = 0.1


def interleaved(fns, rounds, number, warmup=3, clock=time.perf_counter):
    """Milliseconds per call of each function in ``fns`` (a dict), one list entry per round.

    Each round times ``number`` calls of every function, one function after another, so that a
    slow spell of the (shared) machine hits them all alike; each starts after a pause of
    ``SETTLE_SECONDS`` (see above), and the order rotates from round to round so that no
    contender always follows the same one.

    ``clock=time.process_time`` measures the CPU time of the process instead of the wall time:
    with one thread per library, the work done, whatever the other jobs on a shared machine do
    (with more threads it would add up every thread's time, their waiting included).
    """
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times = {name: [] for name in fns}
    for name in turns(list(fns), rounds):
        fn = fns[name]
        start = clock()
        for _ in range(number):
            fn()
        times[name].append(1e3 * (clock() - start) / number)
    return times


def turns(names, rounds):
    """Each contender's turn, round after round, the order rotating from round to round and each
    turn after the ``SETTLE_SECONDS`` pause and a full garbage collection. The collection keeps
    one contender's garbage from being collected in the next one's turn: micrograd's graphs are
    reference cycles (each Value's backward closure holds the Value), which only a full
    collection frees, and one that ran inside minigrad's scalar chain of bench_chain cost it
    0.26-0.29 s of 0.64-0.69 s."""
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            gc.collect()
            time.sleep(SETTLE_SECONDS)
            yield name


def in_own_processes(script, names, rounds, number, args=()):
    """Like :func:`interleaved`, but each contender's round is a fresh process of its own:
    ``python script --child NAME --steps number *args``, which must print :func:`child_round`'s
    line last. Returns (ms per call, page faults per call), one list entry per round.

    This is how users run a library: alone. In one process, one library's allocations change
    the other's page faults (PyTorch's keep the top of glibc's heap in use, so minigrad's freed
    temporaries are not returned to the system and faulted back in), which flatters minigrad."""
    times = {name: [] for name in names}
    faults = {name: [] for name in names}
    for name in turns(list(names), rounds):
        command = [sys.executable, script, "--child", name, "--steps", str(number), *args]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times[name].append(result["ms"])
        faults[name].append(result["faults"])
    return times, faults


def child_round(fn, number, warmup=3):
    """One round in a process of its own (:func:`in_own_processes`): prints ms and page faults per call."""
    for _ in range(warmup):
        fn()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    for _ in range(number):
        fn()
    ms = 1e3 * (time.perf_counter() - start) / number
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / number
    print(json.dumps({"ms": ms, "faults": faults}))


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
