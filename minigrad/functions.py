"""The function spellings of Tensor methods (``mg.exp(x)`` for ``x.exp()``), as in PyTorch."""

from . import creation as _creation
from ._coerce import is_tensor  # noqa: F401
from .ops.elementwise import where as _where
from .ops.linalg import (  # noqa: F401
    addmm,
    baddbmm,
    block_diag,
    bmm,
    cartesian_prod,
    cdist,
    corrcoef,
    cov,
    cross,
    diag,
    diag_embed,
    diagflat,
    diagonal,
    dot,
    einsum,
    inner,
    kron,
    mm,
    mv,
    outer,
    tensordot,
    trace,
    tril,
    triu,
)
from .ops.movement import (  # noqa: F401
    atleast_1d,
    atleast_2d,
    atleast_3d,
    cat,
    chunk,
    column_stack,
    combinations,
    diff,
    dsplit,
    dstack,
    fliplr,
    flipud,
    hsplit,
    hstack,
    movedim,
    narrow,
    repeat_interleave,
    roll,
    rot90,
    row_stack,
    split,
    stack,
    tensor_split,
    tile,
    vsplit,
    vstack,
)
from .ops.pointwise import isclose, logcumsumexp  # noqa: F401
from .ops.sorting import (  # noqa: F401
    argsort,
    bincount,
    bucketize,
    cummax,
    cummin,
    histc,
    histogram,
    kthvalue,
    masked_select,
    median,
    nanmedian,
    nanquantile,
    nonzero,
    quantile,
    searchsorted,
    sort,
    take_along_dim,
    topk,
    unique,
)
from .ops.transcendental import logaddexp, logaddexp2, logit, polygamma, xlogy  # noqa: F401
from .tensor import Tensor


def exp(input):
    return input.exp()


def log(input):
    return input.log()


def log1p(input):
    return input.log1p()


def sqrt(input):
    return input.sqrt()


def rsqrt(input):
    return input.rsqrt()


def abs(input):
    return input.abs()


def sign(input):
    return input.sign()


def sin(input):
    return input.sin()


def cos(input):
    return input.cos()


def tan(input):
    return input.tan()


def tanh(input):
    return input.tanh()


def sigmoid(input):
    return input.sigmoid()


def relu(input):
    return input.relu()


def erf(input):
    return input.erf()


def erfinv(input):
    return input.erfinv()


def clamp(input, min=None, max=None):
    return input.clamp(min, max)


clip = clamp


def maximum(input, other):
    return input.maximum(other)


def minimum(input, other):
    return input.minimum(other)


def matmul(input, other):
    return input @ other


def sum(input, dim=None, keepdim=False, dtype=None, *, keepdims=None):
    return input.sum(dim, keepdim, dtype=dtype, keepdims=keepdims)


def mean(input, dim=None, keepdim=False, *, dtype=None, keepdims=None):
    return input.mean(dim, keepdim, dtype=dtype, keepdims=keepdims)


def prod(input, dim=None, keepdim=False, *, dtype=None, keepdims=None):
    return input.prod(dim, keepdim, dtype=dtype, keepdims=keepdims)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=1, keepdims=None):
    return input.var(dim, unbiased, keepdim, correction=correction, keepdims=keepdims)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=1, keepdims=None):
    return input.std(dim, unbiased, keepdim, correction=correction, keepdims=keepdims)


def max(input, dim=None, keepdim=False, *, keepdims=None):
    return input.max(dim, keepdim, keepdims=keepdims)


def min(input, dim=None, keepdim=False, *, keepdims=None):
    return input.min(dim, keepdim, keepdims=keepdims)


def amax(input, dim=None, keepdim=False, *, keepdims=None):
    return input.amax(dim, keepdim, keepdims=keepdims)


def amin(input, dim=None, keepdim=False, *, keepdims=None):
    return input.amin(dim, keepdim, keepdims=keepdims)


def argmax(input, dim=None, keepdim=False, *, keepdims=None):
    return input.argmax(dim, keepdim, keepdims=keepdims)


def argmin(input, dim=None, keepdim=False, *, keepdims=None):
    return input.argmin(dim, keepdim, keepdims=keepdims)


def logsumexp(input, dim=None, keepdim=False, *, keepdims=None):
    return input.logsumexp(dim, keepdim, keepdims=keepdims)


def norm(input, p=2, dim=None, keepdim=False, *, keepdims=None):
    return input.norm(p, dim, keepdim, keepdims=keepdims)


def softmax(input, dim, dtype=None):
    return input.softmax(dim, dtype)


def log_softmax(input, dim, dtype=None):
    return input.log_softmax(dim, dtype)


def cumsum(input, dim, *, dtype=None):
    return input.cumsum(dim, dtype=dtype)


def reshape(input, shape):
    return input.reshape(shape)


def flatten(input, start_dim=0, end_dim=-1):
    return input.flatten(start_dim, end_dim)


def squeeze(input, dim=None):
    return input.squeeze(dim)


def unsqueeze(input, dim):
    return input.unsqueeze(dim)


def transpose(input, dim0, dim1):
    return input.transpose(dim0, dim1)


def permute(input, dims):
    return input.permute(dims)


def broadcast_to(input, shape):
    return input.broadcast_to(shape)


def flip(input, dims):
    return input.flip(dims)


def index_select(input, dim, index):
    return input.index_select(dim, index)


def gather(input, dim, index):
    return input.gather(dim, index)


def isnan(input):
    return input.isnan()


def isfinite(input):
    return input.isfinite()


# --- v2 additions ------------------------------------------------------------------------------------
def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other``; with only ``condition``, the indices
    where it holds (``nonzero(condition, as_tuple=True)``)."""
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    return _where(condition, input, other)


def numel(input):
    return input.numel()


def pow(input, exponent):
    """input ** exponent; either may be a Python number."""
    return input ** exponent if isinstance(input, Tensor) else exponent.__rpow__(input)


def square(input):
    return input.square()


def reciprocal(input):
    return input.reciprocal()


def log2(input):
    return input.log2()


def log10(input):
    return input.log10()


def floor(input):
    return input.floor()


def ceil(input):
    return input.ceil()


def round(input, *, decimals=0):
    return input.round(decimals)


def trunc(input):
    return input.trunc()


fix = trunc


def frac(input):
    return input.frac()


def fmod(input, other):
    return input.fmod(other)


def atan2(input, other):
    return input.atan2(other)


arctan2 = atan2


def hypot(input, other):
    return input.hypot(other)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return input.nan_to_num(nan, posinf, neginf)


def isinf(input):
    return input.isinf()


def cumprod(input, dim, *, dtype=None):
    return input.cumprod(dim, dtype=dtype)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=1, keepdims=None):
    """``(std, mean)`` over ``dim``; positional arguments as ``std``'s."""
    keepdim = keepdim if keepdims is None else keepdims
    std = input.std(dim, unbiased, keepdim, correction=correction)
    return std, input.mean(None if isinstance(dim, bool) else dim, keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=1, keepdims=None):
    """``(var, mean)`` over ``dim``; positional arguments as ``var``'s."""
    keepdim = keepdim if keepdims is None else keepdims
    var = input.var(dim, unbiased, keepdim, correction=correction)
    return var, input.mean(None if isinstance(dim, bool) else dim, keepdim)


def count_nonzero(input, dim=None):
    return input.count_nonzero(dim)


def all(input, dim=None, keepdim=False, *, keepdims=None):
    return input.all(dim, keepdim, keepdims=keepdims)


def any(input, dim=None, keepdim=False, *, keepdims=None):
    return input.any(dim, keepdim, keepdims=keepdims)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.allclose(other, rtol, atol, equal_nan)


def equal(input, other):
    return input.equal(other)


def logical_not(input):
    return input.logical_not()


def logical_and(input, other):
    return input.logical_and(other)


def logical_or(input, other):
    return input.logical_or(other)


def logical_xor(input, other):
    return input.logical_xor(other)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input.addcmul(tensor1, tensor2, value=value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    return input.addcdiv(tensor1, tensor2, value=value)


def lerp(input, end, weight):
    return input.lerp(end, weight)


def masked_fill(input, mask, value):
    return input.masked_fill(mask, value)


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    return input.scatter(dim, index, src, value, reduce=reduce)


def scatter_add(input, dim, index, src):
    return input.scatter_add(dim, index, src)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    return input.scatter_reduce(dim, index, src, reduce, include_self=include_self)


def index_add(input, dim, index, source, *, alpha=1):
    return input.index_add(dim, index, source, alpha=alpha)


def index_put(input, indices, values, accumulate=False):
    return input.index_put(indices, values, accumulate)


def index_copy(input, dim, index, source):
    return input.index_copy(dim, index, source)


def index_fill(input, dim, index, value):
    return input.index_fill(dim, index, value)


def masked_scatter(input, mask, source):
    return input.masked_scatter(mask, source)


moveaxis = movedim


def swapaxes(input, axis0, axis1):
    return input.transpose(axis0, axis1)


def swapdims(input, dim0, dim1):
    return input.transpose(dim0, dim1)


def unbind(input, dim=0):
    return input.unbind(dim)


def unflatten(input, dim, sizes):
    return input.unflatten(dim, sizes)


# --- arithmetic under PyTorch's function names -----------------------------------------------------
def add(input, other, *, alpha=1):
    """input + alpha · other."""
    return _as_tensor(input, other).add(other, alpha=alpha)


def sub(input, other, *, alpha=1):
    """input - alpha · other."""
    return _as_tensor(input, other).sub(other, alpha=alpha)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha · input."""
    return input.rsub(other, alpha=alpha)


def mul(input, other):
    return _as_tensor(input, other) * other


multiply = mul


def div(input, other, *, rounding_mode=None):
    """input / other, rounded toward zero or down by ``rounding_mode`` ("trunc", "floor")."""
    return _as_tensor(input, other).div(other, rounding_mode=rounding_mode)


divide = div


def true_divide(input, other):
    return _as_tensor(input, other) / other


def floor_divide(input, other):
    return _as_tensor(input, other) // other


def remainder(input, other):
    """input - other · floor(input / other): the sign of ``other`` (Python's ``%``)."""
    return _as_tensor(input, other).remainder(other)


def neg(input):
    return -input


negative = neg


def clamp_min(input, min):
    return input.clamp(min=min)


def clamp_max(input, max):
    return input.clamp(max=max)


def _as_tensor(input, other):
    """A Python number as first operand (``mg.remainder(-3, t)``) becomes a tensor like ``other``."""
    if isinstance(input, Tensor):
        return input
    return _creation.tensor(input, device=other.device)


# --- transcendental functions ----------------------------------------------------------------------
def expm1(input):
    return input.expm1()


def exp2(input):
    return input.exp2()


def sinh(input):
    return input.sinh()


def cosh(input):
    return input.cosh()


def asin(input):
    return input.asin()


def acos(input):
    return input.acos()


def atan(input):
    return input.atan()


def asinh(input):
    return input.asinh()


def acosh(input):
    return input.acosh()


def atanh(input):
    return input.atanh()


arcsin = asin
arccos = acos
arctan = atan
arcsinh = asinh
arccosh = acosh
arctanh = atanh


def lgamma(input):
    return input.lgamma()


def digamma(input):
    return input.digamma()


# --- reductions, selection, pointwise and matrix helpers under PyTorch's function names --------------
from .ops.linalg import addbmm, addmv, addr, chain_matmul, dist, renorm  # noqa: E402, F401
from .ops.pointwise import (  # noqa: E402, F401
    copysign,
    cumulative_trapezoid,
    deg2rad,
    float_power,
    fmax,
    fmin,
    heaviside,
    rad2deg,
    trapezoid,
)
from .ops.reduce import aminmax, nanmean, nansum  # noqa: E402, F401
from .ops.sorting import argwhere, isin, mode, msort, unique_consecutive  # noqa: E402, F401
from .special import erfc, sinc  # noqa: E402, F401

trapz = trapezoid


def clone(input, *, memory_format=None):
    return input.clone()


def logdet(input):
    """log det A (NaN for a negative determinant, -inf for a singular matrix)."""
    sign, logabs = input.slogdet()
    return where(sign < 0, float("nan"), logabs)


def matrix_power(input, n):
    from .linalg import matrix_power as power
    return power(input, n)


def pinverse(input, rcond=1e-15):
    from .linalg import pinv
    return pinv(input, rtol=rcond)


def broadcast_shapes(*shapes):
    """The shape that tensors of these shapes broadcast to."""
    from ._coerce import _broadcast_shape
    out = ()
    for shape in shapes:
        out = _broadcast_shape(out, (shape,) if isinstance(shape, int) else tuple(shape))
    return out


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views; a tensor of that shape
    already is returned itself, as PyTorch's)."""
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t if t.shape == shape else t.broadcast_to(shape) for t in tensors)


def is_nonzero(input):
    """``bool(input)`` of a one-element tensor."""
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous" if input.numel()
                           else "Boolean value of Tensor with no values is ambiguous")
    return bool(input.item())


def bitwise_and(input, other):
    return input & other


def bitwise_or(input, other):
    return input | other


def bitwise_xor(input, other):
    return input ^ other


def bitwise_not(input):
    return ~input


def take(input, index):
    """``input`` read at ``index`` as if it were 1-d (the result has ``index``'s shape)."""
    return input.take(index)


def signbit(input):
    return input.signbit()


def sgn(input):
    return input.sgn()

# --- more of PyTorch's function spellings of Tensor methods ------------------------------------
def positive(input):
    return input


def detach(input):
    return input.detach()


def t(input):
    return input.t()


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return False  # minigrad has no complex dtypes


def is_signed(input):
    return input.is_signed()


def is_same_size(input, other):
    return input.is_same_size(other)


def conj(input):
    return input


resolve_conj = conj
resolve_neg = conj
real = conj


def isneginf(input):
    return input.isneginf()


def isposinf(input):
    return input.isposinf()


def isreal(input):
    return input.isreal()


def eq(input, other):
    return input == other


def ne(input, other):
    return input != other


def lt(input, other):
    return input < other


def le(input, other):
    return input <= other


def gt(input, other):
    return input > other


def ge(input, other):
    return input >= other


greater = gt
greater_equal = ge
less = lt
less_equal = le
not_equal = ne


def bitwise_left_shift(input, other):
    return input << other


def bitwise_right_shift(input, other):
    return input >> other


def select(input, dim, index):
    return input.select(dim, index)


def ravel(input):
    return input.reshape(-1)


def split_with_sizes(input, split_sizes, dim=0):
    return input.split_with_sizes(split_sizes, dim)


def vdot(input, other):
    return input.vdot(other)


concat = cat
concatenate = cat
absolute = abs
