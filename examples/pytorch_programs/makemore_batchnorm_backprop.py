"""A makemore-style character MLP with BatchNorm, backpropagated by hand.

The network reads the previous ``block_size`` characters of a name through an embedding table
``C``, a linear layer, a batch normalization and a tanh, and predicts the next character
(27 classes: the letters and '.', which marks both ends of a name).

1. One forward pass is written out as small steps (every intermediate a tensor), and the
   gradient of the loss with respect to each intermediate is derived by hand, step by step from
   the loss back to ``C``. Each is compared with the gradient autograd leaves in ``.grad``
   (``retain_grad()``), in float64: the largest absolute difference is printed and must be
   below 1e-10. The two may differ only by the order of floating-point operations: gradients here
   are at most about 1 and sums run over at most a few hundred terms, so rounding (2⁻⁵³ ≈ 1e-16
   per operation) stays near 1e-16 · 100 = 1e-14; 1e-10 leaves room, and a wrong formula is off
   by far more.
2. The fused forms are checked the same way: cross-entropy's gradient softmax(logits) - onehot
   over n, and batch normalization's backward as one expression.
3. The network is trained with those hand-written gradients only (no ``loss.backward()``), then
   the same network with ``nn.BatchNorm1d`` and autograd. On held-out names, the best guess that
   ignores the context (the training set's character frequencies) costs about 2.76 nats per
   character, guessing uniformly log 27 ≈ 3.30; after 1,500 steps (the dry run) or 2,000 (the
   default) both networks reach about 2.3-2.5, so each must beat the frequency guess by at least
   0.2 nats. The list of names is small (200 names, 1,241 training examples), so longer training
   overfits: by 4,000 steps the held-out loss is rising again. The second network then samples
   new names with ``torch.multinomial`` from a seeded ``torch.Generator``.
"""

import argparse
import math
import random

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F

WORDS = """emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily elizabeth mila
ella avery sofia camila aria scarlett victoria madison luna grace chloe penelope layla riley zoey nora
lily eleanor hannah lillian addison aubrey ellie stella natalie zoe leah hazel violet aurora savannah
audrey brooklyn bella claire skylar lucy paisley everly anna caroline nova genesis emilia kennedy
samantha maya willow kinsley naomi aaliyah elena sarah ariana allison gabriella alice madelyn cora ruby
eva serenity autumn adeline hailey gianna valentina isla eliana quinn nevaeh ivy sadie piper lydia
alexa josephine emery julia delilah arianna vivian kaylee sophie brielle madeline liam noah william
james oliver benjamin elijah lucas mason logan alexander ethan jacob michael daniel henry jackson
sebastian aiden matthew samuel david joseph carter owen wyatt john jack luke jayden dylan grayson levi
isaac gabriel julian mateo anthony jaxon lincoln joshua christopher andrew theodore caleb ryan asher
nathan thomas leo isaiah charles josiah hudson christian hunter connor eli ezra aaron landon adrian
jonathan nolan jeremiah easton elias colton cameron carson robert angel maverick nicholas dominic
jaxson greyson adam ian austin santiago jordan cooper brayden roman evan ezekiel xavier jose jace
jameson leonardo bryson axel everett parker kayden miles sawyer jason""".split()


def build_dataset(words, stoi, block_size):
    X, Y = [], []
    for w in words:
        context = [0] * block_size
        for ch in w + ".":
            ix = stoi[ch]
            X.append(context)
            Y.append(ix)
            context = context[1:] + [ix]
    return torch.tensor(X), torch.tensor(Y)


def cmp(s, dt, t):
    ex = torch.all(dt == t.grad).item()
    app = torch.allclose(dt, t.grad)
    maxdiff = (dt - t.grad).abs().max().item()
    print(f"{s:15s} | exact: {str(ex):5s} | approximate: {str(app):5s} | maxdiff: {maxdiff:.3g}")
    return maxdiff


def manual_backprop_check(Xtr, Ytr, vocab_size, block_size, g):
    """Every intermediate's gradient by hand against autograd's, float64."""
    n_embd, n_hidden, batch_size = 10, 64, 32
    dtype = torch.float64
    C = torch.randn((vocab_size, n_embd), generator=g, dtype=dtype)
    # Kaiming initialisation for tanh: gain 5/3 over the square root of fan-in
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g, dtype=dtype) * (5 / 3) / (
        (n_embd * block_size) ** 0.5)
    b1 = torch.randn(n_hidden, generator=g, dtype=dtype) * 0.1  # useless under BatchNorm; kept to check it
    W2 = torch.randn((n_hidden, vocab_size), generator=g, dtype=dtype) * 0.1  # small logits: loss ≈ log 27
    b2 = torch.randn(vocab_size, generator=g, dtype=dtype) * 0.1
    bngain = torch.randn((1, n_hidden), generator=g, dtype=dtype) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=g, dtype=dtype) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    for p in parameters:
        p.requires_grad = True

    n = batch_size
    ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
    Xb, Yb = Xtr[ix], Ytr[ix]

    # forward, chunked into steps that are each easy to differentiate
    emb = C[Xb]
    embcat = emb.view(emb.shape[0], -1)
    hprebn = embcat @ W1 + b1
    bnmeani = 1 / n * hprebn.sum(0, keepdim=True)
    bndiff = hprebn - bnmeani
    bndiff2 = bndiff ** 2
    bnvar = 1 / (n - 1) * (bndiff2).sum(0, keepdim=True)  # Bessel's correction: dividing by n-1
    bnvar_inv = (bnvar + 1e-5) ** -0.5
    bnraw = bndiff * bnvar_inv
    hpreact = bngain * bnraw + bnbias
    h = torch.tanh(hpreact)
    logits = h @ W2 + b2
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes  # subtract the max for numerical stability
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum ** -1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    loss = -logprobs[range(n), Yb].mean()

    for p in parameters:
        p.grad = None
    for t in [logprobs, probs, counts, counts_sum, counts_sum_inv, norm_logits, logit_maxes, logits, h,
              hpreact, bnraw, bnvar_inv, bnvar, bndiff2, bndiff, hprebn, bnmeani, embcat, emb]:
        t.retain_grad()
    loss.backward()

    # backward by hand, one step at a time
    dlogprobs = torch.zeros_like(logprobs)
    dlogprobs[range(n), Yb] = -1.0 / n
    dprobs = (1.0 / probs) * dlogprobs
    dcounts_sum_inv = (counts * dprobs).sum(1, keepdim=True)
    dcounts = counts_sum_inv * dprobs
    dcounts_sum = (-counts_sum ** -2) * dcounts_sum_inv
    dcounts += torch.ones_like(counts) * dcounts_sum
    dnorm_logits = counts * dcounts
    dlogits = dnorm_logits.clone()
    dlogit_maxes = (-dnorm_logits).sum(1, keepdim=True)
    dlogits += F.one_hot(logits.max(1).indices, num_classes=logits.shape[1]) * dlogit_maxes
    dh = dlogits @ W2.T
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(0)
    dhpreact = (1.0 - h ** 2) * dh
    dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
    dbnraw = bngain * dhpreact
    dbnbias = dhpreact.sum(0, keepdim=True)
    dbndiff = bnvar_inv * dbnraw
    dbnvar_inv = (bndiff * dbnraw).sum(0, keepdim=True)
    dbnvar = (-0.5 * (bnvar + 1e-5) ** -1.5) * dbnvar_inv
    dbndiff2 = (1.0 / (n - 1)) * torch.ones_like(bndiff2) * dbnvar
    dbndiff += (2 * bndiff) * dbndiff2
    dhprebn = dbndiff.clone()
    dbnmeani = (-dbndiff).sum(0)
    dhprebn += 1.0 / n * (torch.ones_like(hprebn) * dbnmeani)
    dembcat = dhprebn @ W1.T
    dW1 = embcat.T @ dhprebn
    db1 = dhprebn.sum(0)
    demb = dembcat.view(emb.shape)
    dC = torch.zeros_like(C)
    for k in range(Xb.shape[0]):
        for j in range(Xb.shape[1]):
            ix = Xb[k, j]
            dC[ix] += demb[k, j]

    checks = [("logprobs", dlogprobs, logprobs), ("probs", dprobs, probs),
              ("counts_sum_inv", dcounts_sum_inv, counts_sum_inv), ("counts_sum", dcounts_sum, counts_sum),
              ("counts", dcounts, counts), ("norm_logits", dnorm_logits, norm_logits),
              ("logit_maxes", dlogit_maxes, logit_maxes), ("logits", dlogits, logits), ("h", dh, h),
              ("W2", dW2, W2), ("b2", db2, b2), ("hpreact", dhpreact, hpreact), ("bngain", dbngain, bngain),
              ("bnbias", dbnbias, bnbias), ("bnraw", dbnraw, bnraw), ("bnvar_inv", dbnvar_inv, bnvar_inv),
              ("bnvar", dbnvar, bnvar), ("bndiff2", dbndiff2, bndiff2), ("bndiff", dbndiff, bndiff),
              ("bnmeani", dbnmeani, bnmeani), ("hprebn", dhprebn, hprebn), ("embcat", dembcat, embcat),
              ("W1", dW1, W1), ("b1", db1, b1), ("emb", demb, emb), ("C", dC, C)]
    worst = max(cmp(name, d, t) for name, d, t in checks)
    print(f"step by step: largest difference from autograd {worst:.3g}")
    assert worst < 1e-10, worst

    # cross-entropy in one go: dloss/dlogits = (softmax(logits) - onehot(y)) / n
    loss_fast = F.cross_entropy(logits, Yb)
    print("loss", loss.item(), "cross_entropy", loss_fast.item(), "diff:", (loss_fast - loss).item())
    assert abs(loss_fast.item() - loss.item()) < 1e-12
    dlogits = F.softmax(logits, 1)
    dlogits[range(n), Yb] -= 1
    dlogits /= n
    fused = cmp("logits (fused)", dlogits, logits)

    # batch normalization in one go, from dhpreact to dhprebn
    hpreact_fast = bngain * (hprebn - hprebn.mean(0, keepdim=True)) / torch.sqrt(
        hprebn.var(0, keepdim=True, unbiased=True) + 1e-5) + bnbias
    assert (hpreact_fast - hpreact).abs().max().item() < 1e-12
    dhprebn = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (
        dhpreact * bnraw).sum(0))
    fused = max(fused, cmp("hprebn (fused)", dhprebn, hprebn))
    assert fused < 1e-10, fused
    return worst, fused


def train_by_hand(Xtr, Ytr, Xval, Yval, vocab_size, block_size, g, max_steps):
    """The same network trained with the fused hand-written gradients; autograd is off."""
    n_embd, n_hidden, batch_size = 10, 64, 32
    C = torch.randn((vocab_size, n_embd), generator=g)
    W1 = torch.randn((n_embd * block_size, n_hidden), generator=g) * (5 / 3) / ((n_embd * block_size) ** 0.5)
    b1 = torch.randn(n_hidden, generator=g) * 0.1
    W2 = torch.randn((n_hidden, vocab_size), generator=g) * 0.1
    b2 = torch.randn(vocab_size, generator=g) * 0.1
    bngain = torch.randn((1, n_hidden), generator=g) * 0.1 + 1.0
    bnbias = torch.randn((1, n_hidden), generator=g) * 0.1
    parameters = [C, W1, b1, W2, b2, bngain, bnbias]
    n = batch_size
    with torch.no_grad():
        for i in range(max_steps):
            ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
            Xb, Yb = Xtr[ix], Ytr[ix]
            emb = C[Xb]
            embcat = emb.view(emb.shape[0], -1)
            hprebn = embcat @ W1 + b1
            bnmean = hprebn.mean(0, keepdim=True)
            bnvar = hprebn.var(0, keepdim=True, unbiased=True)
            bnvar_inv = (bnvar + 1e-5) ** -0.5
            bnraw = (hprebn - bnmean) * bnvar_inv
            hpreact = bngain * bnraw + bnbias
            h = torch.tanh(hpreact)
            logits = h @ W2 + b2
            loss = F.cross_entropy(logits, Yb)

            dlogits = F.softmax(logits, 1)
            dlogits[range(n), Yb] -= 1
            dlogits /= n
            dh = dlogits @ W2.T
            dW2 = h.T @ dlogits
            db2 = dlogits.sum(0)
            dhpreact = (1.0 - h ** 2) * dh
            dbngain = (bnraw * dhpreact).sum(0, keepdim=True)
            dbnbias = dhpreact.sum(0, keepdim=True)
            dhprebn = bngain * bnvar_inv / n * (n * dhpreact - dhpreact.sum(0) - n / (n - 1) * bnraw * (
                dhpreact * bnraw).sum(0))
            dembcat = dhprebn @ W1.T
            dW1 = embcat.T @ dhprebn
            db1 = dhprebn.sum(0)
            demb = dembcat.view(emb.shape)
            dC = torch.zeros_like(C)
            dC.index_add_(0, Xb.view(-1), demb.view(-1, n_embd))  # each row adds up its uses
            grads = [dC, dW1, db1, dW2, db2, dbngain, dbnbias]

            lr = 0.1 if i < max_steps * 3 // 4 else 0.01  # step decay for the last quarter
            for p, grad in zip(parameters, grads):
                p.data += -lr * grad
            if i % max(1, max_steps // 5) == 0:
                print(f"{i:7d}/{max_steps:7d}: {loss.item():.4f}")

        # evaluate with the batch statistics of the whole training set (the calibrated BatchNorm)
        hprebn = C[Xtr].view(Xtr.shape[0], -1) @ W1 + b1
        bnmean, bnvar = hprebn.mean(0, keepdim=True), hprebn.var(0, keepdim=True, unbiased=True)
        h = torch.tanh(bngain * (C[Xval].view(Xval.shape[0], -1) @ W1 + b1 - bnmean) * (bnvar + 1e-5) ** -0.5
                       + bnbias)
        return F.cross_entropy(h @ W2 + b2, Yval).item()


class MLP(nn.Module):
    def __init__(self, vocab_size, block_size, n_embd=10, n_hidden=64):
        super().__init__()
        self.C = nn.Embedding(vocab_size, n_embd)
        self.hidden = nn.Linear(n_embd * block_size, n_hidden, bias=False)  # BatchNorm's shift replaces it
        self.bn = nn.BatchNorm1d(n_hidden)
        self.out = nn.Linear(n_hidden, vocab_size)
        with torch.no_grad():
            self.out.weight *= 0.1  # a less confident start: initial loss near log(vocab_size)

    def forward(self, x):
        emb = self.C(x)
        return self.out(torch.tanh(self.bn(self.hidden(emb.view(emb.shape[0], -1)))))


def train_with_autograd(Xtr, Ytr, Xval, Yval, vocab_size, block_size, g, max_steps):
    model = MLP(vocab_size, block_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[max_steps * 3 // 4], gamma=0.1)
    model.train()
    for _ in range(max_steps):
        ix = torch.randint(0, Xtr.shape[0], (32,), generator=g)
        loss = F.cross_entropy(model(Xtr[ix]), Ytr[ix])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
    model.eval()  # BatchNorm1d now uses its running mean and variance
    with torch.no_grad():
        val_loss = F.cross_entropy(model(Xval), Yval).item()
    return model, val_loss


@torch.no_grad()
def sample_names(model, itos, block_size, g, count):
    names = []
    for _ in range(count):
        out = []
        context = [0] * block_size
        while True:
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            context = context[1:] + [ix]
            if ix == 0 or len(out) > 30:
                break
            out.append(ix)
        names.append("".join(itos[i] for i in out))
    return names


def main():
    parser = argparse.ArgumentParser(description="makemore MLP with BatchNorm and manual backprop")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--dry-run", action="store_true", help="a short training run")
    args = parser.parse_args()
    max_steps = 1500 if args.dry_run else args.steps
    torch.manual_seed(args.seed)  # nn's initialisation; the lecture's tensors draw from g below

    chars = sorted(set("".join(WORDS)))
    stoi = {s: i + 1 for i, s in enumerate(chars)}
    stoi["."] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab_size = len(itos)
    block_size = 3
    random.seed(42)
    words = WORDS[:]
    random.shuffle(words)
    n1 = int(0.9 * len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xval, Yval = build_dataset(words[n1:], stoi, block_size)
    print(f"{len(words)} names, {vocab_size} characters, {Xtr.shape[0]} training examples")

    g = torch.Generator().manual_seed(2147483647)
    manual_backprop_check(Xtr, Ytr, vocab_size, block_size, g)

    # the best constant guess: the training set's character frequencies
    freq = torch.bincount(Ytr, minlength=vocab_size).float() / Ytr.shape[0]
    baseline = -freq.log()[Yval].mean().item()
    val_by_hand = train_by_hand(Xtr, Ytr, Xval, Yval, vocab_size, block_size, g, max_steps)
    model, val_autograd = train_with_autograd(Xtr, Ytr, Xval, Yval, vocab_size, block_size, g, max_steps)
    print(f"val loss: unigram baseline {baseline:.4f}, trained by hand {val_by_hand:.4f}, "
          f"with nn.BatchNorm1d and autograd {val_autograd:.4f} (uniform guess {math.log(vocab_size):.4f})")
    assert val_by_hand < baseline - 0.2 and val_autograd < baseline - 0.2, (val_by_hand, val_autograd)

    names = sample_names(model, itos, block_size, g, 10)
    print("samples:", " ".join(names))
    assert all(set(name) <= set(chars) for name in names) and any(names)


if __name__ == "__main__":
    main()
