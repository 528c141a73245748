"""Sampling ops: Bernoulli draws and categorical (multinomial) draws from given probabilities.

Uniform numbers come from the backend's kernel table (``backend.random``), drawn on the device
from the generator's stream; the rest is standard array code, so every backend runs it.
"""

from ..autograd.function import Op
from ..dtypes import float64


def _uniform(ctx, shape, generator):
    """Uniform float64 samples in [0, 1) on the op's device."""
    dev = ctx.device
    return dev.backend.random(generator, "uniform", shape, float64, dev.index, low=0.0, high=1.0)


class Bernoulli(Op):
    """y ~ Bernoulli(p) elementwise, as p's dtype (1.0 with probability p, else 0.0).

    Not differentiable: the gradient with respect to p is zero (as PyTorch's ``bernoulli``).
    """

    @staticmethod
    def forward(ctx, p, generator, prob=None):
        xp = ctx.xp
        if p.dtype not in ctx.device.backend.float_dtypes:
            raise RuntimeError(f"bernoulli: expected a floating point input, got "
                               f"{ctx.device.backend.dtype_of[p.dtype]}")
        if prob is None and p.size and not bool(xp.all((p >= 0) & (p <= 1))):
            raise RuntimeError("bernoulli: expected all probabilities in [0, 1]")
        if prob is not None and not 0 <= prob <= 1:
            raise RuntimeError(f"bernoulli: expected 0 <= p <= 1, got p={prob}")
        u = _uniform(ctx, p.shape, generator)
        return xp.astype(u < (xp.astype(p, u.dtype) if prob is None else prob), p.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.new_zeros(grad.shape)


class Multinomial(Op):
    """Indices drawn from the categorical distribution with weights ``p`` (each row, for 2-d p).

    With replacement: the index whose cumulative weight first exceeds u·Σp, u uniform (the
    inverse CDF, found by binary search). Without: the ``num_samples`` largest keys log(u)/pᵢ
    (Efraimidis and Spirakis, 2006), which has the distribution of drawing one at a time and
    renormalising, as PyTorch does.
    Weights need not sum to one. Integer output, no gradient.
    """

    @staticmethod
    def forward(ctx, p, num_samples, replacement, generator):
        xp = ctx.xp
        if p.ndim not in (1, 2):
            raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {tuple(p.shape)}")
        if p.dtype not in ctx.device.backend.float_dtypes:
            raise RuntimeError("multinomial only supports floating-point dtypes for input, got "
                               f"{ctx.device.backend.dtype_of[p.dtype]}")
        n = p.shape[-1]
        if num_samples <= 0:
            raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
        if not replacement and num_samples > n:
            raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                               f"replacement ({num_samples} > {n})")
        w = xp.astype(xp.reshape(p, (-1, n)), xp.float64)
        if not bool(xp.all(xp.isfinite(w) & (w >= 0))):
            raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or element < 0")
        if not bool(xp.all(xp.sum(w, axis=-1) > 0)):
            raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
        rows = w.shape[0]
        if replacement:
            cdf = xp.cumulative_sum(w, axis=-1)
            u = _uniform(ctx, (rows, num_samples), generator) * cdf[:, -1:]
            # one binary search per row: memory O(n + num_samples), not their product
            index = xp.stack([xp.searchsorted(cdf[r, :], u[r, :], side="right") for r in range(rows)])
            # u·Σp can round up to Σp: stay on the last category of positive weight
            last = n - 1 - xp.argmax(xp.flip(xp.astype(w > 0, xp.int64), axis=-1), axis=-1)
            index = xp.minimum(xp.astype(index, xp.int64), xp.astype(last, xp.int64)[:, None])
        else:
            u = 1 - _uniform(ctx, (rows, n), generator)  # in (0, 1]: log is finite
            keys = xp.where(w > 0, xp.log(u) / xp.where(w > 0, w, 1.0), -xp.inf)
            index = xp.argsort(-keys, axis=-1, stable=True)[:, :num_samples]
        return xp.reshape(xp.astype(index, xp.int64), p.shape[:-1] + (num_samples,))
