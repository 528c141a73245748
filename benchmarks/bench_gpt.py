"""Small GPT training step (nanoGPT's layout): minigrad vs. PyTorch, and where minigrad's time goes.

vocab 65, block 64, n_embd 128, 4 heads, 2 layers, batch 16; manual attention (one Linear for
q, k and v, a causal mask applied with ``masked_fill``, softmax), tanh-GELU MLP, pre-LayerNorm,
residuals, weight-tied head, cross-entropy, ``optim.AdamW(lr=3e-4)``. Median and worst of
interleaved rounds (``_compare.py``); ``--ops`` prints minigrad's time per op class (the forward
of every op, backward ops included), where the time goes.

Run: PYTHONPATH=. python benchmarks/bench_gpt.py [--rounds 7] [--steps 5] [--ops]
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
from _compare import training_step_cli  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

VOCAB, BLOCK, EMBD, HEADS, LAYERS, BATCH = 65, 64, 128, 4, 2, 16


def make_step(lib):
    """One AdamW training step of the same GPT in ``lib`` (minigrad or torch)."""
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(EMBD, 3 * EMBD)
            self.c_proj = nn.Linear(EMBD, EMBD)
            mask = np.tril(np.ones((BLOCK, BLOCK), dtype=np.float32)).reshape(1, 1, BLOCK, BLOCK)
            self.register_buffer("bias", lib.tensor(mask))

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(EMBD, dim=2)
            k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
            q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)
            v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
            att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
            att = F.softmax(att, dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
            return self.c_proj(y)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1, self.attn = nn.LayerNorm(EMBD), CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(EMBD)
            self.mlp = nn.Sequential(nn.Linear(EMBD, 4 * EMBD), nn.GELU(approximate="tanh"),
                                     nn.Linear(4 * EMBD, EMBD))

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Embedding(VOCAB, EMBD), nn.Embedding(BLOCK, EMBD)
            self.h = nn.ModuleList([Block() for _ in range(LAYERS)])
            self.ln_f = nn.LayerNorm(EMBD)
            self.lm_head = nn.Linear(EMBD, VOCAB, bias=False)
            self.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT

        def forward(self, idx, targets):
            pos = lib.arange(0, idx.size(1))
            x = self.wte(idx) + self.wpe(pos)
            for block in self.h:
                x = block(x)
            logits = self.lm_head(self.ln_f(x))
            return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    lib.manual_seed(0)
    model = GPT()
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    rng = np.random.default_rng(0)
    data = rng.integers(0, VOCAB, (BATCH, BLOCK + 1))
    x, y = lib.tensor(data[:, :-1]), lib.tensor(data[:, 1:])

    def step():
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss
    return step


def main():
    title = f"small GPT step (n_embd {EMBD}, {LAYERS} layers, block {BLOCK}, batch {BATCH})"
    training_step_cli(__doc__, title, make_step, torch, default_steps=5)


if __name__ == "__main__":
    main()
