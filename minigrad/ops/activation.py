"""Activations PyTorch computes as one kernel each: hardsigmoid, hardswish, mish, GLU and PReLU.

One node per call, named as PyTorch's (``HardswishBackward0``, ...), with PyTorch's values at
the kinks (±3 for the hard ones); each backward is written in Tensor ops, so they differentiate
twice.
"""

from ..autograd.function import Op
from .elementwise import _sigmoid, where
from .movement import cat


class Hardsigmoid(Op):
    """y = min(max(x + 3, 0), 6) / 6;  dy/dx = 1/6 on -3 < x < 3, else 0 (0 at ±3, as PyTorch)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ctx.xp.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where((x > -3) & (x < 3), grad / 6, 0.0)


class Hardswish(Op):
    """y = x · min(max(x + 3, 0), 6) / 6;  dy/dx = 0 for x ≤ -3, x/3 + 1/2 for -3 < x < 3, 1 from 3 on
    (PyTorch's choice at the kinks)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * ctx.xp.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x <= -3, 0.0, where(x < 3, grad * (x / 3 + 0.5), grad))


class Mish(Op):
    """y = x · tanh(softplus(x)) (Misra, 2019), softplus(x) = log(1 + eˣ) taken as
    max(x, 0) + log(1 + e^-|x|) (no overflow);  dy/dx = t + x σ(x) (1 - t²), t = tanh(softplus(x)).
    """

    @staticmethod
    def forward(ctx, x):
        xp = ctx.xp
        ctx.save_for_backward(x)
        return x * xp.tanh(xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x))))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = x.softplus().tanh()
        return grad * (t + x * x.sigmoid() * (1 - t * t))


class Glu(Op):
    """y = a ⊙ σ(b), (a, b) the halves of x along ``dim`` (Dauphin et al., 2017);
    da = dy σ(b), db = dy a σ(b) (1 - σ(b)), joined back along ``dim``."""

    @staticmethod
    def forward(ctx, x, dim):
        a, b = _halves(x, dim)
        ctx.save_for_backward(x)
        return a * _sigmoid(ctx.xp, b)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a, b = _halves(x, ctx.attrs["dim"])
        s = b.sigmoid()
        da = grad * s
        return cat([da, da * a * (1 - s)], ctx.attrs["dim"])


def _halves(x, dim):
    """The first and second half of ``x`` along ``dim`` (arrays or Tensors)."""
    h = x.shape[dim] // 2
    lead = (slice(None),) * dim
    return x[lead + (slice(0, h), ...)], x[lead + (slice(h, None), ...)]


class PreluKernel(Op):
    """y = x if x > 0 else w x (w broadcast against x);  dx = dy where x > 0 else w dy,
    dw = 0 where x > 0 else x dy (summed back to w's shape by the engine)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return ctx.xp.where(x > 0, x, w * x)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        dx, dw = ctx.needs_input_grad
        positive = x > 0
        return ((where(positive, grad, w * grad) if dx else None),
                (where(positive, 0.0, x * grad) if dw else None))
