"""Cost per op in long chains (forward + backward), against PyTorch and micrograd, same process.

Two chains, float32, default thread settings:

- ``cycle``: 1,000 ops cycling ``y*1.0001``, ``y+0.001``, ``tanh(y)`` on a 4-element tensor, then
  ``sum().backward()``; reported per op.
- ``scalar``: 20,000 steps of ``y = y + 1e-6*y`` on one element (two ops a step), then
  ``backward()``; reported per chain. micrograd (a pure-Python scalar engine) runs it too.

Each library's chain runs once per round, rounds interleaved (a short pause before each, the order
rotating; see ``_timing.py``) so that a slow spell of the machine hits every library alike; the
median and the worst of the rounds are printed.

The scalar chain's graph grows to 40,000 nodes, each a Python object that CPython's cyclic
garbage collector tracks (with the tuple of its edges: 4 tracked objects a step). Once some 42,000
have piled up since the last full collection (a quarter of the objects that one left), a full
collection walks every object of the process, PyTorch's 170,000 included: one such collection
costs minigrad's chain 0.1 s in the same process as PyTorch, while PyTorch's graph lives in C++
and is never walked. micrograd's graph (a Value, its set of parents and its backward closure per
node) is walked too, and is a reference cycle that only a full collection frees; each turn
therefore starts after ``gc.collect()`` (``_timing.turns``), or that garbage would be collected
inside the next library's turn.

Run: ``python benchmarks/bench_chain.py [--rounds 7] [--solo]``. PyTorch and micrograd are used
when installed (``pip install torch micrograd``), and said when not. ``--solo`` runs each
library's chain in a fresh process of its own per round, with no other library imported: the
heap its collector walks is then its own.
"""

import argparse
import importlib
import statistics
import sys

from _timing import child_round, in_own_processes, interleaved, threads

LIBRARIES = {"minigrad": "minigrad", "torch": "torch", "micrograd": "micrograd.engine"}


def load(name):
    """The library ``name`` (micrograd: its ``Value``), or None when it is not installed."""
    try:
        module = importlib.import_module(LIBRARIES[name])
    except ImportError:
        return None
    return module.Value if name == "micrograd" else module


def cycle_chain(lib, n=1000):
    x = lib.ones(4, requires_grad=True)
    y = x
    for i in range(n):
        k = i % 3
        y = y * 1.0001 if k == 0 else y + 0.001 if k == 1 else y.tanh()
    y.sum().backward()


def scalar_chain(lib, n=20000):
    x = lib.ones(1, requires_grad=True)
    y = x
    for _ in range(n):
        y = y + 1e-6 * y
    y.sum().backward()


def scalar_chain_micrograd(Value, n=20000):
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y + 1e-6 * y
    y.backward()


CHAINS = {  # name: (title, ops per chain, the libraries that run it, chains per solo round)
    "cycle": ("cycle: 1,000 ops on 4 elements", 1000, ("minigrad", "torch"), 20),
    "scalar": ("scalar: 20,000 steps of y + 1e-6*y", 1, ("minigrad", "torch", "micrograd"), 3),
}


def chain_of(chain, name, lib):
    if chain == "cycle":
        return lambda: cycle_chain(lib)
    if name == "micrograd":
        return lambda: scalar_chain_micrograd(lib)
    return lambda: scalar_chain(lib)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--solo", action="store_true",
                        help="each library in a fresh process of its own per round, the others not imported")
    parser.add_argument("--child", choices=LIBRARIES, help=argparse.SUPPRESS)
    parser.add_argument("--chain", choices=CHAINS, help=argparse.SUPPRESS)
    parser.add_argument("--steps", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sys.setrecursionlimit(100_000)  # micrograd's backward is recursive
    if args.child:
        child_round(chain_of(args.chain, args.child, load(args.child)), args.steps, warmup=1)
        return
    libs = {name: load(name) for name in LIBRARIES}
    where = ", each library in a process of its own" if args.solo else ""
    print(f"threads: {threads()}{where}")
    for name, lib in libs.items():
        if lib is None:
            print(f"({name} not installed: the chains run without it)")
    for chain, (title, per, names, solo_number) in CHAINS.items():
        names = [n for n in names if libs[n] is not None]
        if args.solo:
            times, _ = in_own_processes(__file__, names, args.rounds, solo_number, ["--chain", chain])
        else:
            times = interleaved({n: chain_of(chain, n, libs[n]) for n in names}, args.rounds, 1, warmup=1)
        unit, scale = ("us/op", 1e3 / per) if per > 1 else ("ms/chain", 1)
        print(f"\n{title} ({args.rounds} interleaved rounds; {unit}: median [worst])")
        base = statistics.median(times["minigrad"])
        for lib, ts in times.items():
            median, worst = statistics.median(ts), max(ts)
            ratio = "" if lib == "minigrad" else f"   minigrad / {lib} = {base / median:.2f}x"
            print(f"  {lib:10s} {median * scale:9.2f}  [{worst * scale:9.2f}]{ratio}")


if __name__ == "__main__":
    main()
