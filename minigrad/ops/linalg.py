"""Matrix products: ``matmul`` (batched, NumPy's 1-d rules) and ``einsum``."""

import string

from ..autograd.function import Op


class MatMul(Op):
    """C = op(A) @ op(B);  dA = dC @ op(B)ᵀ, dB = op(A)ᵀ @ dC (batch axes summed back by the engine).

    ``op`` transposes the last two axes of an operand whose ``transpose`` flag is set: backward
    uses the flags so a gradient is one node, not a transpose and a product. A 1-d operand
    (never transposed) is a row (left) or column (right) vector, removed from the result afterwards.
    """

    @staticmethod
    def forward(ctx, a, b, transpose=(False, False)):
        if a.ndim == 0 or b.ndim == 0:
            raise RuntimeError("matmul: both arguments need at least 1 dimension, got "
                               f"{tuple(a.shape)} and {tuple(b.shape)}")
        ctx.save_for_backward(a, b)
        if transpose[0]:
            a = ctx.xp.matrix_transpose(a)
        if transpose[1]:
            b = ctx.xp.matrix_transpose(b)
        k_a, k_b = a.shape[-1], b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise RuntimeError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                               f"multiplied ({k_a} != {k_b})")
        return ctx.xp.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad * b if need_a else None), (grad * a if need_b else None)
        if a.ndim == 1:  # (k) @ (..., k, n) -> (..., n)
            g = grad.unsqueeze(-2)
            return ((g @ b.mT).squeeze(-2) if need_a else None), (a.unsqueeze(-1) * g if need_b else None)
        if b.ndim == 1:  # (..., m, k) @ (k) -> (..., m)
            g = grad.unsqueeze(-1)
            return (g * b if need_a else None), ((a.mT @ g).squeeze(-1) if need_b else None)
        ta, tb = ctx.attrs.get("transpose", (False, False))
        da = db = None
        if need_a:  # A transposed: dA = (dC @ op(B)ᵀ)ᵀ = op(B) @ dCᵀ
            da = (MatMul.apply(b, grad, transpose=(tb, True)) if ta
                  else MatMul.apply(grad, b, transpose=(False, not tb)))
        if need_b:  # B transposed: dB = (op(A)ᵀ @ dC)ᵀ = dCᵀ @ op(A)
            db = (MatMul.apply(grad, a, transpose=(True, ta)) if tb
                  else MatMul.apply(a, grad, transpose=(not ta, False)))
        return da, db


class Einsum(Op):
    """Einstein summation over explicit subscripts ``"ij,jk->ik"`` (normalised by ``einsum``).

    The gradient of operand i is the einsum of dy with the other operands onto i's subscripts;
    an index found in no other operand nor the output is broadcast back.
    """

    @staticmethod
    def forward(ctx, *operands, equation):
        ctx.save_for_backward(*operands)
        return ctx.device.backend.einsum(equation, *operands)

    @staticmethod
    def backward(ctx, grad):
        operands = ctx.saved_tensors
        inputs, output = ctx.attrs["equation"].split("->")
        subs = inputs.split(",")
        grads = []
        for i, sub in enumerate(subs):
            if not ctx.needs_input_grad[i]:
                grads.append(None)
                continue
            others = [(s, t) for j, (s, t) in enumerate(zip(subs, operands)) if j != i]
            present = set(output).union(*(s for s, _ in others))
            target = "".join(c for c in sub if c in present)
            eq = ",".join([output] + [s for s, _ in others]) + "->" + target
            g = einsum(eq, grad, *(t for _, t in others))
            if target != sub:  # indices summed inside operand i alone: broadcast back
                shape = operands[i].shape
                g = g.reshape(tuple(n if c in present else 1 for c, n in zip(sub, shape))).broadcast_to(shape)
            grads.append(g)
        return tuple(grads)


def einsum(equation, *operands):
    """Einstein summation, e.g. ``einsum("bij,bjk->bik", a, b)``; ``...`` and implicit output work.

    >>> import minigrad as mg
    >>> a = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> mg.einsum("ij,j->i", a, mg.tensor([1.0, 1.0]))
    tensor([3., 7.])
    >>> mg.einsum("ij->", a)
    tensor(10.)"""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    equation = _normalise(equation.replace(" ", ""), [t.ndim for t in operands])
    for sub in equation.split("->")[0].split(","):
        if len(set(sub)) != len(sub):
            raise NotImplementedError(f"einsum: repeated index within one operand ({sub!r}) "
                                      "is not supported")
    return Einsum.apply(*operands, equation=equation)


def _normalise(equation, ndims):
    """Expand ``...`` into spare letters and make the output explicit."""
    lhs, arrow, rhs = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(ndims):
        raise ValueError(f"einsum: {len(inputs)} operand subscripts for {len(ndims)} operands")
    spare = [c for c in string.ascii_letters if c not in equation]
    widest = max((n - len(s.replace("...", "")) for s, n in zip(inputs, ndims) if "..." in s), default=0)
    ellipsis = "".join(spare[:widest])
    expanded = []
    for s, n in zip(inputs, ndims):
        if "..." in s:
            k = n - len(s.replace("...", ""))
            s = s.replace("...", ellipsis[widest - k:])
        if len(s) != n:
            raise ValueError(f"einsum: subscripts {s!r} do not match an operand of {n} dimensions")
        expanded.append(s)
    if arrow:
        out = rhs.replace("...", ellipsis)
    else:
        letters = "".join(expanded)
        once = (c for c in set(letters) if letters.count(c) == 1 and c not in ellipsis)
        out = ellipsis + "".join(sorted(once))
    return ",".join(expanded) + "->" + out
