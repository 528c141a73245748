"""The function spellings of Tensor methods (``mg.exp(x)`` for ``x.exp()``), as in PyTorch."""

from .ops.elementwise import where  # noqa: F401
from .ops.linalg import einsum  # noqa: F401
from .ops.movement import cat, chunk, split, stack  # noqa: F401


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


def clamp(input, min=None, max=None):
    return input.clamp(min, max)


clip = clamp


def maximum(input, other):
    return input.maximum(other)


def minimum(input, other):
    return input.minimum(other)


def matmul(input, other):
    return input @ other


def sum(input, dim=None, keepdim=False, dtype=None):
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input, dim=None, keepdim=False):
    return input.mean(dim, keepdim)


def prod(input, dim=None, keepdim=False):
    return input.prod(dim, keepdim)


def var(input, dim=None, keepdim=False, *, correction=1, unbiased=None):
    return input.var(dim, keepdim, correction=correction, unbiased=unbiased)


def std(input, dim=None, keepdim=False, *, correction=1, unbiased=None):
    return input.std(dim, keepdim, correction=correction, unbiased=unbiased)


def max(input, dim=None, keepdim=False):
    return input.max(dim, keepdim)


def min(input, dim=None, keepdim=False):
    return input.min(dim, keepdim)


def amax(input, dim=None, keepdim=False):
    return input.amax(dim, keepdim)


def amin(input, dim=None, keepdim=False):
    return input.amin(dim, keepdim)


def argmax(input, dim=None, keepdim=False):
    return input.argmax(dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    return input.argmin(dim, keepdim)


def logsumexp(input, dim=None, keepdim=False):
    return input.logsumexp(dim, keepdim)


def norm(input, p=2, dim=None, keepdim=False):
    return input.norm(p, dim, keepdim)


def softmax(input, dim):
    return input.softmax(dim)


def log_softmax(input, dim):
    return input.log_softmax(dim)


def cumsum(input, dim):
    return input.cumsum(dim)


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
