"""makemore part 5 (Karpathy's lecture "Building a WaveNet"): the character model grows a tree.

The lecture's own layers, written as plain classes over tensors the way it writes them: ``Linear``
(``torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5``), ``BatchNorm1d`` with running
statistics updated under ``torch.no_grad()``, ``Embedding`` (``self.weight[IX]``),
``FlattenConsecutive`` (``x.view(B, T//n, C*n)``: pairs of consecutive characters side by side,
then ``squeeze(1)`` at the top), ``Tanh`` and ``Sequential``. Eight characters of context are
fused two at a time through three levels, a dilated causal convolution in all but name.

The lecture's bug and its fix are both here: with 3-D input (B, T, C) the batch norm must average
over ``dim=(0, 1)``, so each of the C channels gets one mean, not one per position. The program
checks the fixed layer against ``nn.BatchNorm1d`` on ``x.transpose(1, 2)`` (PyTorch's layout, N, C, L):
the same running statistics (both update the running variance with the unbiased variance), and
outputs that differ only by normalising with the unbiased rather than the biased variance.

Training is the lecture's loop: minibatches from ``torch.randint``, ``F.cross_entropy``,
``p.grad = None``, ``p.data += -lr * p.grad`` with a step decay; the losses are averaged per
hundred steps with ``torch.tensor(lossi).view(-1, 100).mean(1)``; ``@torch.no_grad()`` evaluates
the splits with every layer's ``training`` flag off; names are sampled with ``torch.multinomial``.
The lecture trains 200,000 steps on 32,000 names; on the 200 names bundled with
``makemore_batchnorm_backprop.py`` the 22,000 parameters overfit after about 800 steps (the
held-out loss rises again), so the program trains 800 (600 in the dry run) and asserts the
held-out loss beats the context-free guess (the training set's character frequencies).
Run: python makemore_wavenet.py [--dry-run]
"""

import argparse
import math
import random

from makemore_batchnorm_backprop import WORDS, build_dataset

import minigrad as torch
import minigrad.nn as nn
import minigrad.nn.functional as F


class Linear:

    def __init__(self, fan_in, fan_out, bias=True):
        self.weight = torch.randn((fan_in, fan_out), generator=g) / fan_in**0.5  # note: kaiming init
        self.bias = torch.zeros(fan_out) if bias else None

    def __call__(self, x):
        self.out = x @ self.weight
        if self.bias is not None:
            self.out += self.bias
        return self.out

    def parameters(self):
        return [self.weight] + ([] if self.bias is None else [self.bias])


class BatchNorm1d:

    def __init__(self, dim, eps=1e-5, momentum=0.1):
        self.eps = eps
        self.momentum = momentum
        self.training = True
        # parameters (trained with backprop)
        self.gamma = torch.ones(dim)
        self.beta = torch.zeros(dim)
        # buffers (trained with a running 'momentum update')
        self.running_mean = torch.zeros(dim)
        self.running_var = torch.ones(dim)

    def __call__(self, x):
        # calculate the forward pass
        if self.training:
            if x.ndim == 2:
                dim = 0
            elif x.ndim == 3:
                dim = (0, 1)
            xmean = x.mean(dim, keepdim=True)  # batch mean
            xvar = x.var(dim, keepdim=True)  # batch variance
        else:
            xmean = self.running_mean
            xvar = self.running_var
        xhat = (x - xmean) / torch.sqrt(xvar + self.eps)  # normalize to unit variance
        self.out = self.gamma * xhat + self.beta
        # update the buffers
        if self.training:
            with torch.no_grad():
                self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * xmean
                self.running_var = (1 - self.momentum) * self.running_var + self.momentum * xvar
        return self.out

    def parameters(self):
        return [self.gamma, self.beta]


class Tanh:
    def __call__(self, x):
        self.out = torch.tanh(x)
        return self.out

    def parameters(self):
        return []


class Embedding:

    def __init__(self, num_embeddings, embedding_dim):
        self.weight = torch.randn((num_embeddings, embedding_dim))

    def __call__(self, IX):
        self.out = self.weight[IX]
        return self.out

    def parameters(self):
        return [self.weight]


class FlattenConsecutive:

    def __init__(self, n):
        self.n = n

    def __call__(self, x):
        B, T, C = x.shape
        x = x.view(B, T//self.n, C*self.n)
        if x.shape[1] == 1:
            x = x.squeeze(1)
        self.out = x
        return self.out

    def parameters(self):
        return []


class Sequential:

    def __init__(self, layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        self.out = x
        return self.out

    def parameters(self):
        # get parameters of all layers and stretch them out into one list
        return [p for layer in self.layers for p in layer.parameters()]


def check_batchnorm_against_nn():
    """The lecture's BatchNorm1d over (B, T, C) and nn.BatchNorm1d over (B, C, T) agree."""
    x = torch.randn(32, 4, 6, generator=g) * 3 + 1
    mine, theirs = BatchNorm1d(6), nn.BatchNorm1d(6)
    out, ref = mine(x), theirs(x.transpose(1, 2)).transpose(1, 2)
    assert torch.allclose(mine.running_mean.view(-1), theirs.running_mean, atol=1e-6)
    assert torch.allclose(mine.running_var.view(-1), theirs.running_var, atol=1e-5)
    n = 32 * 4  # one mean per channel over B*T values: unbiased var = biased var * n / (n - 1)
    assert torch.allclose(out * math.sqrt(n / (n - 1)), ref, atol=1e-3)
    mine.training = False
    theirs.eval()
    assert torch.allclose(mine(x), theirs(x.transpose(1, 2)).transpose(1, 2), atol=1e-5)


def main():
    global g
    parser = argparse.ArgumentParser()
    parser.add_argument('--max-steps', type=int, default=800)
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args()
    max_steps = 600 if args.dry_run else args.max_steps

    chars = sorted(list(set(''.join(WORDS))))
    stoi = {s: i+1 for i, s in enumerate(chars)}
    stoi['.'] = 0
    itos = {i: s for s, i in stoi.items()}
    vocab_size = len(itos)
    block_size = 8  # context length: how many characters do we take to predict the next one?
    random.seed(42)
    words = WORDS[:]
    random.shuffle(words)
    n1 = int(0.8*len(words))
    n2 = int(0.9*len(words))
    Xtr, Ytr = build_dataset(words[:n1], stoi, block_size)
    Xdev, Ydev = build_dataset(words[n1:n2], stoi, block_size)
    Xte, Yte = build_dataset(words[n2:], stoi, block_size)
    for x, y in zip(Xtr[:10], Ytr[:10]):
        print(''.join(itos[ix.item()] for ix in x), '-->', itos[y.item()])

    torch.manual_seed(42)  # seed rng for reproducibility
    g = torch.Generator().manual_seed(2147483647)
    check_batchnorm_against_nn()

    n_embd = 10  # the dimensionality of the character embedding vectors
    n_hidden = 68  # the number of neurons in the hidden layer of the MLP
    model = Sequential([
        Embedding(vocab_size, n_embd),
        FlattenConsecutive(2), Linear(n_embd * 2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        FlattenConsecutive(2), Linear(n_hidden*2, n_hidden, bias=False), BatchNorm1d(n_hidden), Tanh(),
        Linear(n_hidden, vocab_size),
    ])

    # parameter init
    with torch.no_grad():
        model.layers[-1].weight *= 0.1  # last layer make less confident

    parameters = model.parameters()
    print(sum(p.nelement() for p in parameters))  # number of parameters in total
    for p in parameters:
        p.requires_grad = True

    # the shapes through the tree of the lecture: 8 characters, fused pairwise three times
    ix = torch.randint(0, Xtr.shape[0], (4,))
    logits = model(Xtr[ix])
    shapes = [tuple(layer.out.shape) for layer in model.layers]
    print(shapes)
    assert shapes[:4] == [(4, 8, 10), (4, 4, 20), (4, 4, 68), (4, 4, 68)]
    assert shapes[-4:] == [(4, 68), (4, 68), (4, 68), (4, 27)]
    assert model.layers[3].running_mean.shape == (1, 1, 68)  # one mean per channel

    # same optimization as last time
    batch_size = 32
    lossi = []

    for i in range(max_steps):

        # minibatch construct
        ix = torch.randint(0, Xtr.shape[0], (batch_size,), generator=g)
        Xb, Yb = Xtr[ix], Ytr[ix]  # batch X,Y

        # forward pass
        logits = model(Xb)
        loss = F.cross_entropy(logits, Yb)  # loss function

        # backward pass
        for p in parameters:
            p.grad = None
        loss.backward()

        # update: simple SGD
        lr = 0.1 if i < max_steps * 3 // 4 else 0.01  # step learning rate decay
        for p in parameters:
            p.data += -lr * p.grad

        # track stats
        if i % 500 == 0:  # print every once in a while
            print(f'{i:7d}/{max_steps:7d}: {loss.item():.4f}')
        lossi.append(loss.log10().item())

    curve = torch.tensor(lossi).view(-1, 100).mean(1)
    print('log10 loss per 100 steps:', [round(v, 3) for v in curve.tolist()])
    assert curve[-1] < curve[0] - 0.1, curve

    # put layers into eval mode (needed for batchnorm especially)
    for layer in model.layers:
        layer.training = False

    # evaluate the loss
    @torch.no_grad()  # this decorator disables gradient tracking inside pytorch
    def split_loss(split):
        x, y = {
            'train': (Xtr, Ytr),
            'val': (Xdev, Ydev),
            'test': (Xte, Yte),
        }[split]
        logits = model(x)
        loss = F.cross_entropy(logits, y)
        print(split, loss.item())
        return loss.item()

    split_loss('train')
    val = split_loss('val')
    freq = torch.bincount(Ytr, minlength=vocab_size).float() / Ytr.shape[0]
    freq_loss = F.nll_loss(freq.log().expand(len(Ydev), -1), Ydev).item()
    print(f'character frequencies alone: {freq_loss:.4f}')
    assert val < freq_loss, (val, freq_loss)

    # sample from the model
    names = []
    for _ in range(10):
        out = []
        context = [0] * block_size  # initialize with all ...
        while True:
            # forward pass the neural net
            logits = model(torch.tensor([context]))
            probs = F.softmax(logits, dim=1)
            # sample from the distribution
            ix = torch.multinomial(probs, num_samples=1, generator=g).item()
            # shift the context window and track the samples
            context = context[1:] + [ix]
            out.append(ix)
            # if we sample the special '.' token, break
            if ix == 0:
                break
        names.append(''.join(itos[i] for i in out))
    print(' '.join(names))
    assert all(name.endswith('.') for name in names)


if __name__ == '__main__':
    main()
