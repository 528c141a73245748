"""A small LLaMA-style language model on characters: the modern decoder block as open-weight models
write it, trained to continue a text.

The block: RMSNorm before attention and before the MLP (no mean subtracted, no bias), rotary position
embeddings (each query/key pair of features rotated by an angle proportional to its position, so
attention scores depend on relative position only), causal ``scaled_dot_product_attention``, and a
SwiGLU MLP, w2(silu(w1 x) * w3 x). The output head shares the embedding's weight. AdamW decays
only the matrices, the learning rate follows a warm-up then a cosine (``LambdaLR``), gradients are
clipped to norm 1, and generation is greedy.

Run: python llama_lm.py [--steps 300] [--dry-run]
"""

import argparse
import math

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F

TEXT = """\
Once upon a time a small robot lived in a lighthouse by the sea. Every night the robot climbed the
stairs, wiped the great lamp and turned it on, and every morning it climbed down again and swept the
sand from the steps. Ships passed in the dark and saw the light, and the sailors said: the robot is
awake. One winter the lamp broke. The robot climbed the stairs, looked at the broken lamp, and sat
down to think. Then it opened its own chest, took out its small bright heart, and set it in the lamp.
That night the ships passed in the dark and saw the light, and the sailors said: the robot is awake.
"""


def rotary_tables(head_dim, length, base=10000.0):
    """cos and sin of the angle t·θᵢ, θᵢ = base^(-2i/head_dim), for positions t < length."""
    theta = 1.0 / (base ** (torch.arange(0, head_dim, 2).float() / head_dim))
    angles = torch.outer(torch.arange(length).float(), theta)
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):
    """Each pair (x₁ᵢ, x₂ᵢ) of the two halves of the features turned by its position's angle."""
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin), dim=-1)


class Attention(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.wqkv = nn.Linear(dim, 3 * dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        q, k, v = self.wqkv(x).split(d, dim=2)
        q, k, v = (z.view(b, t, self.n_heads, d // self.n_heads).transpose(1, 2) for z in (q, k, v))
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.wo(y.transpose(1, 2).contiguous().view(b, t, d))


class SwiGLU(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, dim, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.attention_norm = nn.RMSNorm(dim, eps=1e-5)
        self.attention = Attention(dim, n_heads)
        self.ffn_norm = nn.RMSNorm(dim, eps=1e-5)
        self.feed_forward = SwiGLU(dim, 4 * dim)

    def forward(self, x, cos, sin):
        x = x + self.attention(self.attention_norm(x), cos, sin)
        return x + self.feed_forward(self.ffn_norm(x))


class Llama(nn.Module):
    def __init__(self, vocab_size, block_size, dim=64, n_heads=4, n_layers=2):
        super().__init__()
        self.block_size = block_size
        self.tok_embeddings = nn.Embedding(vocab_size, dim)
        self.layers = nn.ModuleList([Block(dim, n_heads) for _ in range(n_layers)])
        self.norm = nn.RMSNorm(dim, eps=1e-5)
        self.output = nn.Linear(dim, vocab_size, bias=False)
        self.output.weight = self.tok_embeddings.weight  # weight tying
        cos, sin = rotary_tables(dim // n_heads, block_size)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx, targets=None):
        t = idx.shape[1]
        h = self.tok_embeddings(idx)
        for layer in self.layers:
            h = layer(h, self.cos[:t], self.sin[:t])
        logits = self.output(self.norm(h))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens):
        for _ in range(max_new_tokens):
            logits, _ = self(idx[:, -self.block_size:])
            idx = torch.cat((idx, logits[:, -1, :].argmax(dim=-1, keepdim=True)), dim=1)
        return idx


def main():
    parser = argparse.ArgumentParser(description="LLaMA-style character model")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--block-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=1337)
    parser.add_argument("--dry-run", action="store_true", help="a few steps, to check that it runs")
    args = parser.parse_args()
    if args.dry_run:
        args.steps = 30
    torch.manual_seed(args.seed)

    chars = sorted(set(TEXT))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in TEXT], dtype=torch.long)

    def get_batch():
        ix = torch.randint(len(data) - args.block_size - 1, (args.batch_size,))
        x = torch.stack([data[i:i + args.block_size] for i in ix])
        y = torch.stack([data[i + 1:i + args.block_size + 1] for i in ix])
        return x, y

    model = Llama(len(chars), args.block_size)
    assert model.output.weight is model.tok_embeddings.weight
    # the rotation keeps each vector's length, so the query and key norms do not depend on position
    q = torch.randn(1, 1, args.block_size, 16)
    turned = rotate(q, model.cos, model.sin)
    assert torch.allclose(turned.norm(dim=-1), q.norm(dim=-1), atol=1e-5)

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    warmup = max(1, args.steps // 10)

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.1 + 0.45 * (1 + math.cos(math.pi * (step - warmup) / (args.steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    losses = []
    for step in range(args.steps):
        xb, yb = get_batch()
        _, loss = model(xb, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step}: loss {loss.item():.4f}, grad norm {float(norm):.3f}, "
                  f"lr {scheduler.get_last_lr()[0]:.2e}")
    # an untrained model predicts nearly uniformly: its first loss is close to log(vocabulary)
    assert abs(losses[0] - math.log(len(chars))) < 0.3, losses[0]
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first - (0.5 if args.dry_run else 1.5), (first, last)

    model.eval()
    prompt = torch.tensor([[stoi[c] for c in "The robot "]])
    out = model.generate(prompt, 60)[0].tolist()
    text = "".join(chars[i] for i in out)
    print(text)
    assert text.startswith("The robot ") and len(out) == 70
    assert model.generate(prompt, 10).tolist() == model.generate(prompt, 10).tolist()  # greedy: repeatable


if __name__ == "__main__":
    main()
