"""The function spellings of Tensor methods (``mg.exp(x)`` for ``x.exp()``), as in PyTorch."""

from .ops.elementwise import where as _where
from .ops.linalg import (  # noqa: F401
    addmm,
    baddbmm,
    bmm,
    cdist,
    diag,
    diagonal,
    dot,
    einsum,
    mm,
    mv,
    outer,
    trace,
    tril,
    triu,
)
from .ops.movement import cat, chunk, movedim, narrow, repeat_interleave, roll, split, stack, tile  # noqa: F401
from .ops.pointwise import isclose, logcumsumexp  # noqa: F401
from .ops.sorting import (  # noqa: F401
    argsort,
    bincount,
    histc,
    histogram,
    kthvalue,
    masked_select,
    median,
    nonzero,
    sort,
    take_along_dim,
    topk,
    unique,
)
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


def prod(input, dim=None, keepdim=False, *, keepdims=None):
    return input.prod(dim, keepdim, keepdims=keepdims)


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


def is_tensor(obj):
    """Whether ``obj`` is a minigrad Tensor."""
    return isinstance(obj, Tensor)


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


swapdims = swapaxes


def unbind(input, dim=0):
    return input.unbind(dim)


def unflatten(input, dim, sizes):
    return input.unflatten(dim, sizes)
