"""Collectives that are recorded in the autograd graph (PyTorch: ``torch.distributed.nn.functional``).

``all_reduce(x)`` returns y = Σ_q x_q (the sum over ranks q) on every rank. Each rank's loss
L_r depends on y, so the gradient that reaches rank r's input is the sum of every rank's
gradient with respect to y:

    ∂(Σ_q L_q)/∂x_r = Σ_q ∂L_q/∂y

— the backward of a sum-all-reduce is a sum-all-reduce of the gradients. ``SyncBatchNorm``
builds its cross-rank batch statistics from it, so their gradients flow to every rank.
"""

from ..autograd.function import Op
from .collectives import start_all_reduce

__all__ = ["all_reduce"]


class AllReduceSum(Op):
    """y = Σ_ranks x (a new tensor; x is untouched);  dL/dx = Σ_ranks dL/dy."""

    @staticmethod
    def forward(ctx, x):
        out = ctx.xp.asarray(x, copy=True)
        start_all_reduce(out, ctx.device, "sum").wait()
        return out

    @staticmethod
    def backward(ctx, grad):
        return AllReduceSum.apply(grad)


def all_reduce(tensor, op="sum"):
    """The sum of ``tensor`` over all ranks, as a new tensor that gradients flow through.

    Only ``op="sum"`` (the one PyTorch differentiates too) is supported.
    """
    if str(op).lower() != "sum":
        raise ValueError(f"functional.all_reduce: only op='sum' is differentiable here, got {op!r}")
    return AllReduceSum.apply(tensor)
