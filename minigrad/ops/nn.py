"""Fused ops for ``nn``: one graph node (and one pass over memory) where a chain of small ops
would be slow or unstable: the affine map of ``Linear``, log-softmax + NLL, batch statistics.
"""

from ..autograd.function import Function


class Linear(Function):
    """y = x Wᵀ + b  (x: (…, in), W: (out, in), b: (out,)).

    dx = dy W;  dW = Σ dyᵀ x over the leading dimensions;  db = Σ dy.
    """

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        y = x @ ctx.xp.permute_dims(weight, (1, 0))
        if bias is not None:
            y = y + bias
        ctx.save_for_backward(x, weight)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = grad @ weight if needs[0] else None
        g2 = grad.reshape(-1, grad.shape[-1]) if grad.ndim != 2 else grad
        gw = g2.mT @ (x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x) if needs[1] else None
        gb = g2.sum(0) if len(needs) > 2 and needs[2] else None
        return gx, gw, gb
