"""A character-level GPT: a small decoder-only Transformer trained to continue a text one character
at a time, then sampled with top-k (in the style of nanoGPT's and the "Let's build GPT" lecture's).

The network: token and position embeddings, a stack of pre-norm ``nn.TransformerEncoderLayer``s
run with a causal mask (position t attends to positions 0..t only, so the stack is a decoder), a
final LayerNorm and a linear head onto the vocabulary. Training minimises the cross-entropy of
the next character with AdamW; generation samples from softmax(logits / temperature) restricted to
the top-k characters with ``torch.multinomial``.

Run: python char_gpt.py [--steps 300] [--dry-run]
"""

import argparse
import math

import minigrad as torch
import minigrad.nn as nn
from minigrad.nn import functional as F

TEXT = """\
The quick brown fox jumps over the lazy dog. The lazy dog sleeps in the sun, and the quick fox
runs into the wood. In the wood the fox finds a river; the river runs to the sea, and the sea is
wide and deep. The dog wakes, looks for the fox, and follows the river to the sea. There the dog
and the fox sit on the sand and watch the boats go by. When the sun goes down they walk home
along the river, through the wood, past the field where the dog slept, and the fox says to the
dog: tomorrow we run again. The dog says: tomorrow I sleep again. And so they do, every day.
"""


class GPT(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd, n_head, n_layer, dropout):
        super().__init__()
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, n_embd)
        self.position_embedding = nn.Embedding(block_size, n_embd)
        layer = nn.TransformerEncoderLayer(n_embd, n_head, dim_feedforward=4 * n_embd, dropout=dropout,
                                           activation="gelu", batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, n_layer, norm=nn.LayerNorm(n_embd),
                                            enable_nested_tensor=False)
        self.lm_head = nn.Linear(n_embd, vocab_size)

    def forward(self, idx, targets=None):
        B, T = idx.shape
        pos = torch.arange(T, device=idx.device)
        x = self.token_embedding(idx) + self.position_embedding(pos)
        mask = nn.Transformer.generate_square_subsequent_mask(T, device=idx.device)
        x = self.blocks(x, mask=mask, is_causal=True)
        logits = self.lm_head(x)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(B * T, -1), targets.view(B * T))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -self.block_size:]
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :] / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
            idx = torch.cat((idx, idx_next), dim=1)
        return idx


def main():
    parser = argparse.ArgumentParser(description="character-level GPT")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--block-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--dry-run", action="store_true", help="a few steps, to check that it runs")
    args = parser.parse_args()
    if args.dry_run:
        args.steps = 20
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else "cpu"

    chars = sorted(set(TEXT))
    vocab_size = len(chars)
    stoi = {ch: i for i, ch in enumerate(chars)}
    itos = {i: ch for i, ch in enumerate(chars)}

    def encode(s):
        return [stoi[c] for c in s]

    def decode(ids):
        return "".join(itos[i] for i in ids)

    data = torch.tensor(encode(TEXT), dtype=torch.long)
    n = int(0.9 * len(data))
    train_data, val_data = data[:n], data[n:]

    def get_batch(split):
        source = train_data if split == "train" else val_data
        ix = torch.randint(len(source) - args.block_size, (args.batch_size,))
        x = torch.stack([source[i:i + args.block_size] for i in ix])
        y = torch.stack([source[i + 1:i + args.block_size + 1] for i in ix])
        return x.to(device), y.to(device)

    model = GPT(vocab_size, args.block_size, n_embd=64, n_head=4, n_layer=2, dropout=0.1).to(device)
    print(f"{sum(p.numel() for p in model.parameters()) / 1e3:.1f}k parameters, vocabulary of {vocab_size}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    @torch.no_grad()
    def estimate_loss(eval_iters=5):
        model.eval()
        out = {}
        for split in ("train", "val"):
            losses = torch.zeros(eval_iters)
            for k in range(eval_iters):
                _, loss = model(*get_batch(split))
                losses[k] = loss.item()
            out[split] = losses.mean().item()
        model.train()
        return out

    start = estimate_loss()
    print(f"step 0: train loss {start['train']:.4f}, val loss {start['val']:.4f}")
    # an untrained model predicts nearly uniformly: its loss is close to log(vocab_size)
    assert abs(start["train"] - math.log(vocab_size)) < 0.5, start
    for step in range(1, args.steps + 1):
        xb, yb = get_batch("train")
        _, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0 or step == args.steps:
            losses = estimate_loss()
            print(f"step {step}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
    end = estimate_loss()
    assert end["train"] < start["train"] - (0.5 if args.dry_run else 1.5), (start, end)

    model.eval()  # no dropout while sampling
    context = torch.tensor([encode("The ")], dtype=torch.long, device=device)
    new_tokens = 40 if args.dry_run else 200
    sample = model.generate(context, max_new_tokens=new_tokens, temperature=0.8, top_k=10)[0].tolist()
    text = decode(sample)
    print(text)
    assert len(sample) == 4 + new_tokens and set(text) <= set(chars)
    greedy = [model.generate(context, max_new_tokens=20, top_k=1)[0].tolist() for _ in range(2)]
    assert greedy[0] == greedy[1], "top-1 sampling is greedy decoding: the same every time"


if __name__ == "__main__":
    main()
