"""Shared by the workload benchmarks: interleaved rounds against a reference, median and worst.

Each contender is a zero-argument ``step`` callable. Rounds are interleaved (round 1 of every
contender, then round 2, ..., each after a settle pause, the order rotating: see
``_timing.interleaved``) so that a change of load on a shared machine hits all alike; a round's
figure is the mean of ``steps`` calls. The summary is the median and the worst round.
"""

import collections
import os
import statistics
import sys
import time

import numpy as np
from _timing import child_round, in_own_processes, interleaved


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


def op_times(step, steps=10):
    """Print minigrad's wall time per op class over ``steps`` calls of ``step`` (each op's
    array-level forward; backward passes are made of ops too) and the rest: graph bookkeeping,
    Python, the optimizer. Wall time, not process time: a BLAS call on two threads would count
    twice (and its spinning threads more) in process time."""
    from minigrad.autograd.function import Op
    spent, calls = collections.defaultdict(float), collections.Counter()

    def classes(base):
        for sub in base.__subclasses__():
            yield sub
            yield from classes(sub)

    originals = {}
    for cls in set(classes(Op)):
        if "forward" in cls.__dict__:
            originals[cls] = cls.__dict__["forward"]

            def timed(ctx, *args, _cls=cls, _fn=cls.forward, **kw):
                start = time.perf_counter()
                try:
                    return _fn(ctx, *args, **kw)
                finally:
                    spent[_cls.__name__] += time.perf_counter() - start
                    calls[_cls.__name__] += 1
            cls.forward = staticmethod(timed)
    try:
        step()
        spent.clear()
        calls.clear()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        total = (time.perf_counter() - start) / steps * 1e3
    finally:
        for cls, fn in originals.items():
            cls.forward = fn
    print(f"minigrad: {total:.1f} ms per step; op forwards (arrays only):")
    for name, t in sorted(spent.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {name:22s} {t / steps * 1e3:7.2f} ms  {calls[name] // steps:4d} calls/step")
    inside = sum(spent.values()) / steps * 1e3
    print(f"  all ops {inside:.1f} ms; outside ops (graph, Python, optimizer) {total - inside:.1f} ms; "
          f"{sum(calls.values()) // steps} op calls per step")


def torch_op_times(torch, step, steps=10):
    """PyTorch's own per-op account of the same workload (its profiler, self CPU time)."""
    from torch.profiler import ProfilerActivity, profile
    step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    print(f"torch, {steps} steps:")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=15))


def training_step_cli(doc, title, make_step, torch, default_steps):
    """The command line the training-step benchmarks share: interleaved rounds of minigrad's and
    torch's ``make_step(lib)``, or ``--ops`` (time per op) or ``--profile`` (cProfile of minigrad).

    ``title`` names the workload in the report; ``--threads N`` sets both libraries' threads,
    ``--cpu-time`` counts the process's CPU time on one thread each, ``--keep-freed-memory`` asks
    glibc to keep freed memory (large temporaries then stop page-faulting)."""
    import argparse
    import cProfile
    import pstats

    from _memory import keep_freed_memory

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=default_steps)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for minigrad (via threadpoolctl) and torch's threads; "
                             "default: each library's own choice")
    parser.add_argument("--cpu-time", action="store_true",
                        help="CPU time of the process instead of wall time, on one thread per library "
                             "(implies --threads 1): the work done, whatever else the machine runs")
    parser.add_argument("--profile", action="store_true", help="cProfile 10 minigrad steps")
    parser.add_argument("--ops", action="store_true", help="where the time goes, per op (minigrad and torch)")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="ask glibc to keep freed memory instead of returning it to the OS (applies to "
                             "both libraries)")
    parser.add_argument("--solo", action="store_true",
                        help="each library in a process of its own, a fresh one per round, as users run it "
                             "(in one process PyTorch's allocations spare minigrad page faults)")
    parser.add_argument("--child", choices=("minigrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.keep_freed_memory:
        keep_freed_memory()
    import minigrad as mg
    if args.child:
        child_round(make_step(torch if args.child == "torch" else mg), args.steps)
        return
    if args.solo:
        names = ["minigrad"] + (["torch"] if torch is not None else [])
        extra = ["--keep-freed-memory"] if args.keep_freed_memory else []
        times, faults = in_own_processes(sys.argv[0], names, args.rounds, args.steps, extra)
        print(thread_counts(torch) + ", each library in a process of its own"
              + (", glibc keeps freed memory" if args.keep_freed_memory else ""))
        report(f"{title}, {args.rounds} rounds of {args.steps} steps", times)
        print("  page faults per step (median): "
              + ", ".join(f"{name} {statistics.median(f):.0f}" for name, f in faults.items()))
        return
    step = make_step(mg)
    if args.ops:
        op_times(step)
        if torch is not None:
            torch_op_times(torch, make_step(torch))
        return
    if args.profile:
        step()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(10):
            step()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        return
    limits = None
    if args.cpu_time:
        args.threads = 1
    if args.threads:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    contenders = {"minigrad": step}
    if torch is not None:
        contenders["torch"] = make_step(torch)
    times = interleaved(contenders, args.rounds, args.steps,
                        clock=time.process_time if args.cpu_time else time.perf_counter)
    print(thread_counts(torch) + (", glibc keeps freed memory" if args.keep_freed_memory else ""))
    report(f"{title}, {args.rounds} rounds of {args.steps} steps"
           + (", CPU time of the process" if args.cpu_time else ""), times)
    if torch is None:
        print("torch not installed: no reference figure (pip install torch to compare)")
    if limits is not None:
        limits.unregister()
