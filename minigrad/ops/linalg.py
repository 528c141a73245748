"""Matrix products: ``matmul`` (batched, NumPy's 1-d rules), ``einsum``, PyTorch's strict
spellings of them (``mm``, ``bmm``, ``mv``, ``dot``, ``addmm``, ...), triangles and diagonals."""

import math
import string

from .. import dtypes as _dtypes
from .._coerce import _broadcast_shape, _dim
from ..autograd import views
from ..autograd.function import Op
from .elementwise import where
from .indexing import ScatterAdd
from .movement import cat, pad, stack


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
        for m, n in zip(reversed(a.shape[:-2]), reversed(b.shape[:-2])):
            if m != n and 1 not in (m, n):
                raise RuntimeError(f"matmul: the batch dimensions {tuple(a.shape[:-2])} and "
                                   f"{tuple(b.shape[:-2])} do not broadcast (shapes {tuple(a.shape)} and "
                                   f"{tuple(b.shape)})")
        return ctx.device.backend.matmul(a, b)

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
        if need_b and b.ndim == 2 and a.ndim > 2 and not ta:
            # a stack times one matrix: dB = Σ over the stack of Aᵀ dC is one product over all
            # the stack's rows, not a product per matrix and a sum (bench_gpt's shapes: 0.87 -> 0.55 ms)
            a, grad = a.reshape(-1, a.shape[-1]), grad.reshape(-1, grad.shape[-1])
        if need_b:  # B transposed: dB = (op(A)ᵀ @ dC)ᵀ = dCᵀ @ op(A)
            db = (MatMul.apply(grad, a, transpose=(True, ta)) if tb
                  else MatMul.apply(a, grad, transpose=(not ta, False)))
        return da, db


# PyTorch's strict spellings record nodes of their own names (MmBackward0, ...): the same maths.
class Mm(MatMul):
    """mm's op: MatMul of two matrices."""


class Bmm(MatMul):
    """bmm's op: MatMul of two batches of matrices."""


class Mv(MatMul):
    """mv's op: MatMul of a matrix and a vector."""


class Dot(MatMul):
    """dot's op: MatMul of two vectors."""


PRODUCT_BY_NDIM = {(2, 2): Mm, (2, 1): Mv, (1, 1): Dot}
"""The op ``a @ b`` records, by the operands' numbers of dimensions, so that its node has the name
PyTorch's matmul gives it (MmBackward0, ...); MatMul otherwise."""


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
    inputs, output = equation.split("->")
    subs, operands = zip(*(_diagonals(i, sub, t)
                           for i, (sub, t) in enumerate(zip(inputs.split(","), operands))))
    sizes = {}
    for i, (sub, t) in enumerate(zip(subs, operands)):
        if len(sub) != t.ndim:
            raise RuntimeError(f"einsum: subscripts {sub!r} of operand {i} do not match its {t.ndim} "
                               f"dimensions (shape {tuple(t.shape)})")
        for label, n in zip(sub, t.shape):
            if sizes.setdefault(label, n) != n and 1 not in (n, sizes[label]):
                raise RuntimeError(f"einsum: subscript {label!r} has size {n} in operand {i} (shape "
                                   f"{tuple(t.shape)}) but size {sizes[label]} in an earlier operand")
    dtype = _einsum_dtype(subs, output, operands)
    operands = tuple(t if t.dtype is dtype else t.type(dtype) for t in operands)
    return Einsum.apply(*operands, equation=",".join(subs) + "->" + output)


def _einsum_dtype(subs, output, operands):
    """The dtype of PyTorch's einsum, which joins the operands left to right: a pair that sums an
    index the two share is a matrix product (bmm or dot), which takes one dtype; a pair that sums
    none is a broadcast product, which promotes (``einsum("i,i->i", f32, f64)`` is float64,
    ``einsum("i,i->", f32, f64)`` raises)."""
    dtype, held = operands[0].dtype, set(subs[0])
    for k in range(1, len(operands)):
        later = set(output).union(*subs[k + 1:])
        if (held & set(subs[k])) - later:
            _dtypes.require_same("einsum", dtype, operands[k].dtype)
        else:
            dtype = _dtypes.promote_types(dtype, operands[k].dtype)
        held = (held | set(subs[k])) & later
    return dtype


def _diagonals(i, sub, t):
    """A label repeated within one operand (``"ii"``) takes that operand's diagonal over those
    axes, as NumPy and PyTorch do; the gradient is ``diagonal``'s."""
    for label in dict.fromkeys(sub):
        while sub.count(label) > 1 and len(sub) == t.ndim:
            first, second = sub.index(label), sub.index(label, sub.index(label) + 1)
            if t.shape[first] != t.shape[second]:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {i} but the sizes "
                                   f"don't match, {t.shape[second]} != {t.shape[first]}")
            t = t.diagonal(0, first, second)
            sub = sub[:first] + sub[first + 1:second] + sub[second + 1:] + label
    return sub, t


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


# --- matrix products with PyTorch's shape rules (each one a matmul) --------------------------------
def _same_dtype(name, a, b):
    _dtypes.require_same(name, a.dtype, b.dtype)


def mm(input, mat2):
    """The product of two matrices, (n, m) @ (m, p) -> (n, p); no broadcasting (``matmul`` has it)."""
    _check_mm("mm", input, mat2)
    return Mm.apply(input, mat2)


def _check_mm(name, input, mat2):
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{name}: both arguments must be matrices, got shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)}")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"{name}: mat1 and mat2 shapes cannot be multiplied "
                           f"({input.shape[0]}x{input.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    _same_dtype(name, input, mat2)


def bmm(input, mat2):
    """Batched matrix product, (b, n, m) @ (b, m, p) -> (b, n, p); no broadcasting."""
    _check_bmm("bmm", input, mat2)
    return Bmm.apply(input, mat2)


def _check_bmm(name, input, mat2):
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"{name}: both arguments must be 3-d tensors, got shapes {tuple(input.shape)} and "
                           f"{tuple(mat2.shape)}")
    if mat2.shape[:2] != (input.shape[0], input.shape[2]):
        raise RuntimeError(f"{name}: expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: "
                           f"[{mat2.shape[0]}, {mat2.shape[1]}]")
    _same_dtype(name, input, mat2)


def mv(input, vec):
    """Matrix times vector, (n, m) @ (m,) -> (n,)."""
    if input.ndim != 2 or vec.ndim != 1 or input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"mv: size mismatch, got matrix {tuple(input.shape)} and vector "
                           f"{tuple(vec.shape)}")
    _same_dtype("mv", input, vec)
    return Mv.apply(input, vec)


def dot(input, other):
    """The inner product Σ aᵢ bᵢ of two 1-d tensors of the same size and dtype."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.shape != other.shape:
        raise RuntimeError(f"dot: inconsistent tensor size, got {input.shape[0]} and {other.shape[0]} "
                           "elements")
    _same_dtype("dot", input, other)
    return Dot.apply(input, other)


def outer(input, vec2):
    """The outer product aᵢ bⱼ of two 1-d tensors, (n,) x (m,) -> (n, m)."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D arguments, got shapes {tuple(input.shape)} and "
                           f"{tuple(vec2.shape)}")
    return input.unsqueeze(-1) * vec2


class Addmm(Op):
    """Y = β C + α A B (C broadcast to the product's shape; not read when β = 0, as PyTorch);
    dC = β dY, dA = α dY Bᵀ, dB = α Aᵀ dY."""

    @staticmethod
    def forward(ctx, c, a, b, beta, alpha):
        ctx.save_for_backward(a, b)
        y = ctx.device.backend.matmul(a, b)
        if alpha != 1:
            y *= alpha
        if beta != 0:  # NaN or inf in an unread C do not propagate
            y += c if beta == 1 else beta * c
        return y

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        beta, alpha = ctx.attrs["beta"], ctx.attrs["alpha"]
        dc, da, db = ctx.needs_input_grad
        g = grad if alpha == 1 else grad * alpha
        return (((grad if beta == 1 else grad * beta) if dc else None),
                (MatMul.apply(g, b, transpose=(False, True)) if da else None),
                (MatMul.apply(a, g, transpose=(True, False)) if db else None))


class Baddbmm(Addmm):
    """``Addmm`` of batches of matrices."""


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """β·input + α·(mat1 @ mat2), ``input`` broadcast to the product's shape (ignored when β = 0)."""
    _check_mm("addmm", mat1, mat2)
    _check_addend("addmm", input, (mat1.shape[0], mat2.shape[1]))
    _same_dtype("addmm", input, mat1)
    return Addmm.apply(input, mat1, mat2, beta=beta, alpha=alpha)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·(batch1 @ batch2) batched, ``input`` broadcast to the product's shape."""
    _check_bmm("baddbmm", batch1, batch2)
    _check_addend("baddbmm", input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    _same_dtype("baddbmm", input, batch1)
    return Baddbmm.apply(input, batch1, batch2, beta=beta, alpha=alpha)


def _check_addend(name, input, shape):
    lead = len(shape) - input.ndim
    if lead < 0 or any(n not in (1, m) for n, m in zip(input.shape, shape[lead:])):
        raise RuntimeError(f"{name}: input of shape {tuple(input.shape)} does not broadcast to the product's "
                           f"shape {shape}")


def _scaled_sum(name, input, product, beta, alpha):
    _check_addend(name, input, tuple(product.shape))
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # as PyTorch: input is not read, so NaN or inf in it do not propagate
        return product
    return product + (input if beta == 1 else input * beta)


DISTANCE_DTYPES = frozenset((_dtypes.float32, _dtypes.float64))
"""The dtypes of PyTorch's cdist and pdist kernels (no float16, no integers)."""


def cdist(x1, x2, p=2.0):
    """Pairwise p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M): (..., P, R),
    both of one dtype, float32 or float64 (PyTorch's kernels)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, got shapes {tuple(x1.shape)} and "
                           f"{tuple(x2.shape)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    _dtypes.require("cdist", x1.dtype, DISTANCE_DTYPES)
    _dtypes.require_same("cdist", x1.dtype, x2.dtype)
    return (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, dim=-1)


# --- triangles and diagonals ---------------------------------------------------------------------------
class Triangle(Op):
    """y = the lower (``upper=False``: on and below diagonal k) or upper triangle of each matrix;
    dx = the same triangle of dy."""

    @staticmethod
    def forward(ctx, x, diagonal=0, upper=False):
        return (ctx.xp.triu if upper else ctx.xp.tril)(x, k=diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Triangle.apply(grad, diagonal=ctx.attrs["diagonal"], upper=ctx.attrs["upper"])


class Tril(Triangle):
    """``tril``: the lower triangle."""


class Triu(Triangle):
    """``triu``: the upper triangle."""


def tril(input, diagonal=0):
    """The lower triangle of the matrices in ``input`` (the rest zeroed), on and below the
    ``diagonal``-th diagonal (0 the main one, positive above it).

    >>> import minigrad as mg
    >>> mg.tril(mg.ones(3, 3)).tolist()
    [[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    """
    return _triangle("tril", input, diagonal, upper=False)


def triu(input, diagonal=0):
    """The upper triangle of the matrices in ``input``, on and above the ``diagonal``-th diagonal."""
    return _triangle("triu", input, diagonal, upper=True)


def tril_(input, diagonal=0):
    """``tril`` written into ``input`` (``Tensor.tril_``)."""
    return _triangle("tril_", input, diagonal, upper=False, inplace=True)


def triu_(input, diagonal=0):
    """``triu`` written into ``input`` (``Tensor.triu_``)."""
    return _triangle("triu_", input, diagonal, upper=True, inplace=True)


def _triangle(name, input, diagonal, upper, inplace=False):
    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got shape "
                           f"{tuple(input.shape)}")
    if inplace:
        return views.apply_inplace(input, Triangle, diagonal=int(diagonal), upper=upper)
    return (Triu if upper else Tril).apply(input, diagonal=int(diagonal), upper=upper)


def _diagonal_key(device, rows, cols, offset):
    """Row and column index arrays of the ``offset``-th diagonal of a rows x cols matrix."""
    start_r, start_c = max(0, -offset), max(0, offset)
    n = max(0, min(rows - start_r, cols - start_c))
    i = device.backend.arange(n, device.index)
    return (Ellipsis, i + start_r, i + start_c)


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The ``offset``-th diagonal of the matrices formed by ``dim1`` and ``dim2``, as the last axis.

    >>> import minigrad as mg
    >>> mg.diagonal(mg.tensor([[1, 2], [3, 4]])).tolist()
    [1, 4]
    """
    return _diagonal(input, offset, dim1, dim2)


class Diagonal(Op):
    """y = the ``offset``-th diagonal of x's last two axes, as the last axis: a view of x, as
    PyTorch's (``A.diagonal().add_(eps)`` writes into A);  dx = dy placed back on that diagonal."""

    is_view = True

    @staticmethod
    def forward(ctx, x, offset):
        ctx.in_shape = x.shape
        return ctx.device.backend.diagonal(x, offset)

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.in_shape[-2:]
        key = _diagonal_key(grad.device, rows, cols, ctx.attrs["offset"])
        return ScatterAdd.apply(grad, key=key, shape=ctx.in_shape)


def _diagonal(input, offset, dim1, dim2):
    d1, d2 = _dim(dim1, input.ndim), _dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal: dimensions dim1 and dim2 cannot be identical, got {dim1} and {dim2}")
    rest = [d for d in range(input.ndim) if d not in (d1, d2)]
    return Diagonal.apply(input.permute(*rest, d1, d2), offset=int(offset))


def diag(input, diagonal=0):
    """A 1-d input: the square matrix with it on the ``diagonal``-th diagonal. A 2-d input: that
    diagonal, as a new 1-d tensor (not a view: PyTorch's diag copies)."""
    if input.ndim == 2:
        return _diagonal(input, diagonal, 0, 1).clone()
    if input.ndim != 1:
        raise RuntimeError(f"diag(): supports 1D or 2D tensors, got {input.ndim}D")
    n = input.shape[0] + abs(int(diagonal))
    return ScatterAdd.apply(input, key=_diagonal_key(input.device, n, n, int(diagonal)), shape=(n, n))


class Trace(Op):
    """t = Σᵢ xᵢᵢ over the main diagonal of a matrix;  dx = dt on that diagonal, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x):
        ctx.in_shape = x.shape
        return ctx.xp.sum(ctx.device.backend.diagonal(x, 0))

    @staticmethod
    def backward(ctx, grad):
        rows, cols = ctx.in_shape
        key = _diagonal_key(grad.device, rows, cols, 0)
        return ScatterAdd.apply(grad.expand(min(rows, cols)), key=key, shape=ctx.in_shape)


def trace(input):
    """The sum of the main diagonal of a matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return Trace.apply(input)



# --- products and statistics built from the ops above (their gradients are those ops') -----------------
def kron(input, other):
    """The Kronecker product: out[i·m + k] = input[i] · other[k] on every axis (the lower-
    dimensional operand gets leading 1s).

    >>> import minigrad as mg
    >>> kron(mg.tensor([1, 2]), mg.tensor([1, 10])).tolist()
    [1, 10, 2, 20]
    """
    n = max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + tuple(input.shape))
    b = other.reshape((1,) * (n - other.ndim) + tuple(other.shape))
    spread_a = a.reshape(tuple(s for d in a.shape for s in (d, 1)))
    spread_b = b.reshape(tuple(s for d in b.shape for s in (1, d)))
    return (spread_a * spread_b).reshape(tuple(i * j for i, j in zip(a.shape, b.shape)))


def tensordot(a, b, dims=2):
    """Σ over the paired axes of a and b: ``dims`` = k pairs a's last k axes with b's first k, or
    ``([a axes], [b axes])``; the result's axes are a's free ones, then b's.

    >>> import minigrad as mg
    >>> tensordot(mg.ones(2, 3), mg.ones(3, 4), dims=1).shape
    (2, 4)
    """
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        dims_a, dims_b = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError(f"both dimension lists should have same length, got {dims_a} and {dims_b}")
    dims_a, dims_b = [_dim(d, a.ndim) for d in dims_a], [_dim(d, b.ndim) for d in dims_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a.shape[da]} in "
                               f"dim {da} and second has size {b.shape[db]} in dim {db}")
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    k = math.prod(a.shape[d] for d in dims_a)
    left = a.permute(free_a + dims_a).reshape(-1, k)
    right = b.permute(dims_b + free_b).reshape(k, -1)
    return (left @ right).reshape(tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b))


def inner(input, other):
    """Σ over the last axes of both (a product when either is 0-d): shape input[:-1] + other[:-1]."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (``torch.cross``: without ``dim``, the first
    axis of size 3, as PyTorch's deprecated default); operands broadcast.

    c = (a₂b₃ - a₃b₂, a₃b₁ - a₁b₃, a₁b₂ - a₂b₁): shifts of the operands multiplied and subtracted.
    """
    if dim is None:
        shape = _broadcast_shape(input.shape, other.shape)
        dim = next((d for d, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shapes {tuple(input.shape)} and "
                               f"{tuple(other.shape)})")
    return linalg_cross(input, other, dim=dim)


def linalg_cross(input, other, *, dim=-1):
    """``mg.linalg.cross``: the cross product of 3-vectors along ``dim`` (default the last); the
    other axes broadcast, but both inputs need the same number of them, as PyTorch's."""
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    _dtypes.require_same("cross", input.dtype, other.dtype)  # PyTorch does not promote them
    _dtypes.require("cross", input.dtype, _dtypes.NOT_BOOL)
    d = _dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    return LinalgCross.apply(input, other, dim=d)


class LinalgCross(Op):
    """c = a × b along ``dim`` (the other axes broadcast): cᵢ = aᵢ₊₁ bᵢ₊₂ - aᵢ₊₂ bᵢ₊₁, indices mod 3;
    da = b × dc, db = dc × a."""

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.save_for_backward(a, b)
        roll = ctx.xp.roll
        return roll(a, -1, axis=dim) * roll(b, -2, axis=dim) - roll(a, -2, axis=dim) * roll(b, -1, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da, db = ctx.needs_input_grad
        dim = ctx.attrs["dim"]
        return ((LinalgCross.apply(b, grad, dim=dim) if da else None),
                (LinalgCross.apply(grad, a, dim=dim) if db else None))


def block_diag(*tensors):
    """The block-diagonal matrix of ``tensors`` (0-d as 1x1, 1-d as one row), zeros elsewhere.

    >>> import minigrad as mg
    >>> block_diag(mg.tensor([[1, 2]]), mg.tensor(3)).tolist()
    [[1, 2, 0], [0, 0, 3]]
    """
    blocks = []
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} "
                               f"has {t.ndim} dimensions")
        blocks.append(t.reshape((1,) * (2 - t.ndim) + tuple(t.shape)))
    if not blocks:
        raise RuntimeError("block_diag: expected at least one tensor")
    width = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        rows.append(pad(b, (left, width - left - b.shape[1])))
        left += b.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """Every combination of one element from each 1-d tensor, as rows (the first varying slowest).

    >>> import minigrad as mg
    >>> cartesian_prod(mg.tensor([1, 2]), mg.tensor([3, 4])).tolist()
    [[1, 3], [1, 4], [2, 3], [2, 4]]
    """
    from ..creation import meshgrid
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    return stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], 1)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns): C = (X - x̄)(X - x̄)ᵀ / (N - correction); a 1-d input is one variable (a 0-d result).

    ``fweights`` (integer repeat counts) and ``aweights`` (observation weights) weight each
    column: x̄ = Σ wᵢxᵢ / Σ wᵢ and the divisor is Σ w - correction·Σ w·a / Σ w (numpy.cov's).
    """
    if input.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.ndim} dimensions")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    if not x.dtype.is_floating_point:
        x = x.float()
    n = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is not None:
            if weights.ndim > 1 or weights.numel() != n:
                raise RuntimeError(f"cov(): expected {name} to have one dimension with as many elements as "
                                   f"the input has columns ({n}), got shape {tuple(weights.shape)}")
            if name == "fweights" and weights.dtype.is_floating_point:
                raise RuntimeError(f"cov(): expected fweights to have integral dtype but got {weights.dtype}")
            if bool((weights < 0).any()):
                raise RuntimeError(f"cov(): {name} cannot be negative")
            w = weights if w is None else w * weights
    if w is None:
        total = float(n)
        mean = x.mean(1, keepdim=True)
        divisor = total - correction
    else:
        w = w.type(x.dtype)
        total = w.sum()
        mean = (x * w).sum(1, keepdim=True) / total
        divisor = total - (correction * (w * aweights).sum() / total if aweights is not None else correction)
    centred = x - mean
    weighted = centred if w is None else centred * w
    c = (weighted @ centred.mT) / (divisor.clamp(min=0) if w is not None else max(divisor, 0))
    return c.reshape(()) if input.ndim < 2 else c


def corrcoef(input):
    """Pearson correlation coefficients of the rows: cov / √(diag ⊗ diag), clipped to [-1, 1]."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = diagonal(c).sqrt()
    return (c / d.unsqueeze(1) / d.unsqueeze(0)).clamp(-1, 1)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose ``offset``-th diagonal over (``dim1``, ``dim2``) holds the last axis of
    ``input``, zeros elsewhere (the inverse of ``diagonal``).

    >>> import minigrad as mg
    >>> diag_embed(mg.tensor([[1, 2]])).tolist()
    [[[1, 0], [0, 2]]]
    """
    from ..creation import eye
    n, k = input.shape[-1], abs(int(offset))
    square = where(eye(n, dtype=_dtypes.bool_, device=input.device), input.unsqueeze(-1), 0)  # +0 off it
    if offset:  # shift the diagonal right (above) or down (below)
        square = pad(square, (k, 0, 0, k) if offset > 0 else (0, k, k, 0))
    ndim = input.ndim + 1
    d1, d2 = _dim(dim1, ndim), _dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return square.movedim((-2, -1), (d1, d2))


def diagflat(input, offset=0):
    """The square matrix with the flattened ``input`` on its ``offset``-th diagonal."""
    return diag(input.reshape(-1), offset)


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """β·input + α·(mat @ vec)."""
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """β·input + α·(vec1 ⊗ vec2)."""
    return _scaled_sum("addr", input, outer(vec1, vec2), beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """β·input + α·Σ_b batch1[b] @ batch2[b] (the batch of products summed)."""
    return _scaled_sum("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)


def multi_dot(tensors):
    """The product of a chain of matrices (the first may be a vector, as may the last), multiplied
    left to right."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    out = tensors[0]
    for t in tensors[1:]:
        out = out @ t
    return out


def chain_matmul(*matrices):
    """PyTorch's deprecated ``multi_dot`` of matrices given as separate arguments."""
    return multi_dot(matrices)


def dist(input, other, p=2):
    """‖input - other‖_p over all elements (broadcast together)."""
    return (input - other).norm(p)


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` rescaled to p-norm ``maxnorm`` where its norm exceeds it (PyTorch
    divides by norm + 1e-7)."""
    dim = _dim(dim, input.ndim)
    norms = input.norm(p, dim=tuple(d for d in range(input.ndim) if d != dim), keepdim=True)
    return input * where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
