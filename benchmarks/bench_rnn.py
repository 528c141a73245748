"""Word-language-model training step (PyTorch's word_language_model example): minigrad vs. PyTorch.

Embedding(1000, 200) -> 2-layer LSTM(200, 200), sequence first, bptt 35, batch 20, the hidden
state carried from step to step detached -> Linear(200 -> 1000); cross-entropy over all 35·20
positions, ``clip_grad_norm_(0.25)`` and the example's update ``p.data.add_(p.grad, alpha=-20)``.
Both libraries start from the same weights and read the same token stream; default thread
settings; median and worst of interleaved rounds (see ``_compare.py``).

Run: PYTHONPATH=. python benchmarks/bench_rnn.py [--rounds 7] [--steps 5]
         [--threads N | --cpu-time] [--profile | --ops]
"""

import argparse
import cProfile
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from _compare import interleaved, op_times, report, thread_counts, torch_op_times  # noqa: E402

import minigrad as mg  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

NTOKEN, NINP, NHID, NLAYERS, BPTT, BATCH, LR, CLIP = 1000, 200, 200, 2, 35, 20, 20.0, 0.25


def make_step(lib):
    """One training step of the model built with ``lib`` (minigrad or torch), hidden state carried."""
    nn = lib.nn
    lib.manual_seed(0)

    class RNNModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Embedding(NTOKEN, NINP)
            self.rnn = nn.LSTM(NINP, NHID, NLAYERS)
            self.decoder = nn.Linear(NHID, NTOKEN)

        def forward(self, input, hidden):
            output, hidden = self.rnn(self.encoder(input), hidden)
            return self.decoder(output).view(-1, NTOKEN), hidden

    model = RNNModel()
    rng = np.random.default_rng(0)
    stream = rng.integers(0, NTOKEN, (BPTT * 8 + 1, BATCH))
    batches = [(lib.tensor(stream[i:i + BPTT]), lib.tensor(stream[i + 1:i + 1 + BPTT]).reshape(-1))
               for i in range(0, BPTT * 8, BPTT)]
    criterion = nn.CrossEntropyLoss()
    hidden = [tuple(lib.zeros(NLAYERS, BATCH, NHID) for _ in range(2))]
    position = [0]

    def step():
        data, targets = batches[position[0] % len(batches)]
        position[0] += 1
        hidden[0] = tuple(h.detach() for h in hidden[0])
        model.zero_grad()
        output, hidden[0] = model(data, hidden[0])
        loss = criterion(output, targets)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-LR)
        return loss
    return step


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for minigrad (via threadpoolctl) and torch's threads; "
                             "default: each library's own choice")
    parser.add_argument("--cpu-time", action="store_true",
                        help="CPU time of the process instead of wall time, on one thread per library "
                             "(implies --threads 1): the work done, whatever else the machine runs")
    parser.add_argument("--profile", action="store_true", help="cProfile 10 minigrad steps")
    parser.add_argument("--ops", action="store_true", help="where the time goes, per op (minigrad and torch)")
    args = parser.parse_args()
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
    print(thread_counts(torch))
    report(f"word-LM step (2-layer LSTM {NINP}->{NHID}, bptt {BPTT}, batch {BATCH}), "
           f"{args.rounds} rounds of {args.steps} steps"
           + (", CPU time of the process" if args.cpu_time else ""), times)
    if torch is None:
        print("torch not installed: no reference figure")
    if limits is not None:
        limits.unregister()


if __name__ == "__main__":
    main()
