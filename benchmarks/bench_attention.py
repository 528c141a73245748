"""Causal self-attention, forward + backward: minigrad's fused op vs. the same maths as a chain of
minigrad ops vs. PyTorch's ``scaled_dot_product_attention``, in one process.

The workload of issue 14 (a small GPT's attention): batch 16, 4 heads, 64 positions, head size 32,
float32, ``is_causal=True``; each call runs the forward from leaf q, k, v that require grad and
``backward`` with a fixed upstream gradient. "manual" is nanoGPT's spelling:
``softmax((q @ kᵀ) · s masked_fill -inf above the diagonal) @ v``. Rounds are interleaved (every
contender once per round, so a change of load hits all alike); the median and the worst round's
mean milliseconds per call are reported, with the thread counts each library ran with.

Measured (2026-12-07, 2 vCPUs shared with ~8 other jobs, load average 8-11, numpy 2.4 + OpenBLAS,
torch 2.13.0+cpu), medians of 7 rounds: with ``--threads 1`` minigrad fused 5.9-9.2 ms, the op chain
7.8-12.7 ms, torch 5.9-10.0 ms (fused / torch 0.92-1.00x, chain / torch 1.27-1.33x); with default
threads (2 each) torch's spinning threads collapse on this loaded machine (137-177 ms) while
minigrad takes 9.6-18 ms: that ratio says more about the load than about either library.

Run: python benchmarks/bench_attention.py [--rounds 7] [--calls 20]
(from the repository root with minigrad importable, e.g. ``PYTHONPATH=.``; torch is optional).
"""

import argparse
import math
import os
import statistics

import numpy as np
from _timing import interleaved

import minigrad as mg
import minigrad.nn.functional as F

try:
    import torch
except ImportError:
    torch = None

B, H, T, D = 16, 4, 64, 32


def inputs():
    rng = np.random.default_rng(0)
    return [rng.standard_normal((B, H, T, D)).astype(np.float32) for _ in range(4)]  # q, k, v, dout


def minigrad_call(fused):
    q, k, v = (mg.tensor(a, requires_grad=True) for a in inputs()[:3])
    dout = mg.tensor(inputs()[3])
    above = ~mg.tensor(np.tril(np.ones((T, T), dtype=bool)))
    scale = 1.0 / math.sqrt(D)

    def call():
        for t in (q, k, v):
            t.grad = None
        if fused:
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * scale
            out = att.masked_fill(above, -math.inf).softmax(-1) @ v
        out.backward(dout)
    return call


def torch_call():
    q, k, v = (torch.tensor(a, requires_grad=True) for a in inputs()[:3])
    dout = torch.tensor(inputs()[3])

    def call():
        for t in (q, k, v):
            t.grad = None
        torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True).backward(dout)
    return call


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for minigrad (threadpoolctl) and torch's threads; default: each "
                             "library's own (on a loaded machine torch's spinning threads suffer most)")
    args = parser.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits
        threadpool_limits(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    contenders = {"minigrad fused": minigrad_call(True), "minigrad manual": minigrad_call(False)}
    if torch is not None:
        contenders["torch sdpa"] = torch_call()
    times = interleaved(contenders, args.rounds, args.calls)
    try:
        from threadpoolctl import threadpool_info
        blas = ", ".join(f"{i['internal_api']} {i['num_threads']}" for i in threadpool_info())
    except ImportError:
        blas = "unknown (threadpoolctl not installed)"
    print(f"causal attention fwd+bwd, (B, heads, T, d) = ({B}, {H}, {T}, {D}) float32, "
          f"{os.cpu_count()} CPUs, numpy {np.__version__}, BLAS threads: {blas}"
          + (f", torch {torch.__version__} with {torch.get_num_threads()} threads" if torch else ""))
    print(f"{args.rounds} interleaved rounds of {args.calls} calls; ms per call")
    print(f"{'':18}{'median':>9}{'worst':>9}")
    for name, ts in times.items():
        print(f"{name:18}{statistics.median(ts):9.2f}{max(ts):9.2f}")
    ref = statistics.median(times["torch sdpa"]) if torch else None
    if ref:
        for name in ("minigrad fused", "minigrad manual"):
            print(f"{name} / torch sdpa (medians): {statistics.median(times[name]) / ref:.2f}x")


if __name__ == "__main__":
    main()
