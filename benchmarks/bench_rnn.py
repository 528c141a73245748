"""Word-language-model training step (PyTorch's word_language_model example): minigrad vs. PyTorch.

Embedding(1000, 200) -> 2-layer LSTM(200, 200), sequence first, bptt 35, batch 20, the hidden
state carried from step to step detached -> Linear(200 -> 1000); cross-entropy over all 35·20
positions, ``clip_grad_norm_(0.25)`` and the example's update ``p.data.add_(p.grad, alpha=-20)``.
Both libraries start from the same weights and read the same token stream; default thread
settings; median and worst of interleaved rounds (see ``_compare.py``).

Run: PYTHONPATH=. python benchmarks/bench_rnn.py [--rounds 7] [--steps 5]
         [--threads N | --cpu-time] [--profile | --ops]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from _compare import training_step_cli  # noqa: E402

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
    title = f"word-LM step (2-layer LSTM {NINP}->{NHID}, bptt {BPTT}, batch {BATCH})"
    training_step_cli(__doc__, title, make_step, torch, default_steps=5)


if __name__ == "__main__":
    main()
