"""Statistics PyTorch offers beside the plain reductions: sums and means that skip NaN, the
minimum and maximum together, covariance and correlation matrices.

All are written with existing ops, so their gradients are those ops' gradients.
"""

from collections import namedtuple

from .elementwise import where

MinMax = namedtuple("aminmax", ["min", "max"])


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Σ x over the values that are not NaN (0 for none); the gradient is 0 at the NaNs."""
    return where(input.isnan(), 0, input).sum(dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the values that are not NaN (NaN where every value is)."""
    if not (input.dtype.is_floating_point or dtype is not None and dtype.is_floating_point):
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got {input.dtype}")
    counted = (~input.isnan()).sum(dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / counted


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (all elements when None), with ``.min`` and ``.max``."""
    if input.numel() == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation "
                           "has no identity")
    if dim is None:
        return MinMax(input.amin(), input.amax()) if not keepdim else MinMax(
            input.amin(tuple(range(input.ndim)), True), input.amax(tuple(range(input.ndim)), True))
    return MinMax(input.amin(dim, keepdim), input.amax(dim, keepdim))


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in columns).

    With weights w = fweights·aweights: x̄ = Σ w x / Σ w and
    cov = (x - x̄) diag(w) (x - x̄)ᵀ / (Σ w - correction·Σ(w·aweights)/Σ w) (just Σ w - correction
    without aweights); a 1-D input is one variable.
    """
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    if not x.dtype.is_floating_point:
        x = x.float()
    n = x.shape[1]
    weights = None
    for name, w in (("fweights", fweights), ("aweights", aweights)):
        if w is None:
            continue
        if w.ndim > 1 or w.shape[0] != n:
            raise RuntimeError(f"cov(): expected {name} to have one dimension of size {n} (the number of "
                               f"observations), got shape {list(w.shape)}")
        if name == "fweights" and w.dtype.is_floating_point:
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got {w.dtype}")
        if bool((w < 0).any()):
            raise RuntimeError(f"cov(): {name} cannot be negative")
        weights = w if weights is None else weights * w
    if weights is None:
        total = n
        mean = x.mean(1, keepdim=True)
        norm = total - correction
    else:
        weights = weights.type(x.dtype)
        total = weights.sum()
        mean = (x * weights).sum(1, keepdim=True) / total
        shrink = (weights * aweights).sum() / total if aweights is not None else 1
        norm = total - correction * shrink
    centred = x - mean
    scaled = centred * weights if weights is not None else centred
    out = scaled @ centred.t() / norm
    return out.squeeze() if input.ndim < 2 else out


def corrcoef(input):
    """Pearson's correlation coefficients of the rows: cov[i, j] / √(cov[i, i]·cov[j, j]), clipped
    to [-1, 1] against round-off."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    return (c / std.unsqueeze(1) / std.unsqueeze(0)).clamp(-1, 1)
