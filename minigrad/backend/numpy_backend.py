"""The CPU backend: NumPy's main namespace (its hot functions called the fast way), with NumPy's
native kernels."""

import functools
import math
import sys
import threading

import numpy as np

from .base import _NP_REDUCE_AT, ArrayAPIBackend, _np_diagonal, _np_unfold, _np_unique, _np_windows, draw
from .numpy_namespace import namespace

_PACKED_PER_SHAPE = 16  # a training step holds several arrays of one shape (each layer's outputs)
_PACKED_SHAPES = 64  # shapes remembered, least recently used dropped first (varying input sizes)
_PACKED_BYTES = 1 << 28  # all buffers kept, in use or not (bench_gpt's step keeps 32 MB, bench_rnn's 26 MB)
_POOLED_FROM = 1 << 16  # bytes: smaller arrays come from malloc's free lists, without page faults
_RELEASED = 3  # references to a free buffer: the pool's list, the loop variable, getrefcount's argument


def _erf(x):
    """erf elementwise: SciPy's when installed (imported on first use: it costs 0.2 s), else the
    exact but slower math.erf element by element. In x's dtype: SciPy computes float16 in float32."""
    return _erf_kernel()(x).astype(x.dtype, copy=False)


@functools.cache
def _erf_kernel():
    try:
        from scipy.special import erf
        return erf
    except ImportError:
        return lambda x: np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)


def _erfinv(y):
    """erf⁻¹ elementwise: SciPy's when installed, else Newton's method element by element; in y's
    dtype, as ``_erf``."""
    return _erfinv_kernel()(y).astype(y.dtype, copy=False)


@functools.cache
def _erfinv_kernel():
    try:
        from scipy.special import erfinv
        return erfinv
    except ImportError:
        return lambda y: np.frompyfunc(_erfinv_scalar, 1, 1)(y).astype(y.dtype)


def _erfinv_scalar(y):
    """x with erf(x) = y by Newton's method from x = 0, for |y| (then the sign of y).

    Up to |y| = ½ it solves erf(x) = |y|; beyond, erfc(x) = 1 - |y| (exact there), since erfc
    keeps its relative precision where erf rounds towards 1. Each step moves x by the residual
    over erf's slope 2/√π · exp(-x²). For x ≥ 0, erf is concave and erfc convex, so from x = 0
    the iterates rise monotonically to the root without overshooting.
    """
    if not -1.0 <= y <= 1.0:
        return math.nan
    if abs(y) == 1.0:
        return math.copysign(math.inf, y)
    a, x = abs(y), 0.0
    for _ in range(200):
        residual = a - math.erf(x) if a <= 0.5 else math.erfc(x) - (1.0 - a)
        step = residual / (2 / math.sqrt(math.pi) * math.exp(-x * x))
        x += step
        if step <= 1e-16 * x:
            break
    return math.copysign(x, y)


def _lgamma(x):
    """log|Γ(x)| elementwise: SciPy's gammaln when installed, else math.lgamma element by element."""
    return _special_kernel("gammaln")(x).astype(x.dtype, copy=False)


def _polygamma(n, x):
    """ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function ψ = (log Γ)' (n = 0: ψ itself):
    SciPy's when installed, else series element by element (``_polygamma_scalar``)."""
    kernel = _special_kernel("psi") if n == 0 else functools.partial(_special_kernel("polygamma"), n)
    return np.asarray(kernel(x)).astype(x.dtype, copy=False)


@functools.cache
def _special_kernel(name):
    try:
        import scipy.special
        return getattr(scipy.special, name)
    except ImportError:
        if name == "gammaln":
            return lambda x: np.frompyfunc(_lgamma_scalar, 1, 1)(x).astype(x.dtype)
        if name == "psi":
            return lambda x: np.frompyfunc(lambda v: _polygamma_scalar(0, v), 1, 1)(x).astype(x.dtype)
        return lambda n, x: np.frompyfunc(lambda v: _polygamma_scalar(n, v), 1, 1)(x).astype(x.dtype)


def _lgamma_scalar(x):
    try:
        return math.lgamma(x)
    except ValueError:  # a pole (0, -1, -2, ...): Γ is infinite there
        return math.inf


_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66)  # B₂, B₄, ..., B₁₀


def _polygamma_scalar(n, x):
    """ψ⁽ⁿ⁾(x) by the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) - (-1)ⁿ n!/x^(n+1) up to x ≥ 10, then the
    asymptotic series in Bernoulli numbers; ψ(x) below 0 by reflection, ψ(1 - x) - π/tan(πx)."""
    if math.isnan(x):
        return math.nan
    if x <= 0 and x == math.floor(x):  # a pole: ψ(0) = -inf as PyTorch, NaN at the negative integers
        return (-math.inf if n == 0 else math.inf) if x == 0 else math.nan
    if n == 0 and x < 0:
        return _polygamma_scalar(0, 1 - x) - math.pi / math.tan(math.pi * x)
    total, sign, fact = 0.0, (-1) ** (n + 1), math.factorial(n)
    while x < 10:
        total += sign * fact / x ** (n + 1)
        x += 1
    if n == 0:
        return total + math.log(x) - 1 / (2 * x) - sum(b / (2 * k * x ** (2 * k))
                                                       for k, b in enumerate(_BERNOULLI, 1))
    series = math.factorial(n - 1) / x ** n + fact / (2 * x ** (n + 1))
    series += sum(b * math.factorial(2 * k + n - 1) / (math.factorial(2 * k) * x ** (2 * k + n))
                  for k, b in enumerate(_BERNOULLI, 1))
    return total + sign * series


class NumpyBackend(ArrayAPIBackend):
    name = "numpy"
    device_type = "cpu"

    def __init__(self):
        super().__init__(namespace)
        self._packed = {}  # (shape, dtype) -> buffers handed out by buffer(), oldest shape first
        self._packed_bytes = 0
        self._lock = threading.Lock()

    ops = np  # its functions write into ``out=``

    def pack(self, view, shape):
        """The copy of ``view`` into a ``buffer`` of ``shape``: one copy."""
        buffer = self.buffer(shape, view.dtype, None)
        buffer.reshape(view.shape)[...] = view  # a view of the contiguous buffer
        return buffer

    def matmul(self, a, b):
        """``a @ b`` (``ArrayAPIBackend.matmul``'s one product for a stack times a matrix) written
        into a ``buffer``: every Linear's output and every product of a backward pass."""
        if a.ndim < 2 or b.ndim < 2:
            return np.matmul(a, b)  # a vector operand: its axis leaves the result
        dtype = a.dtype if a.dtype == b.dtype else np.result_type(a, b)
        if a.ndim > 2 and b.ndim == 2 and a.flags.c_contiguous:
            rows = a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
            out = self.buffer((rows.shape[0], b.shape[1]), dtype, None)
            return np.matmul(rows, b, out=out).reshape(a.shape[:-1] + (b.shape[1],))
        batch = a.shape[:-2]
        if batch != b.shape[:-2]:
            batch = np.broadcast_shapes(batch, b.shape[:-2])
        return np.matmul(a, b, out=self.buffer(batch + (a.shape[-2], b.shape[-1]), dtype, None))

    def buffer(self, shape, dtype, index):
        """An uninitialised array: a buffer of an earlier call that every holder has released, if any.

        Large blocks made afresh each step (a convolution's column matrix, 9x its input for a
        3x3 kernel; layer outputs; a backward pass's products and temporaries) are returned to
        the OS when freed and their pages faulted back in every time (measured: 3 of the 4 ms the
        column copy took inside the issue's CNN step; with the outputs and images too,
        bench_conv's step still took 1,536 faults, 17.7 -> 15.0 ms of CPU). The refcount test is
        exact: any view of a buffer holds a reference to it. Below ``_POOLED_FROM`` bytes an
        array comes from ``np.empty`` (malloc's free lists serve those without faults); at most
        ``_PACKED_PER_SHAPE`` buffers of each of the ``_PACKED_SHAPES`` most recently used
        shapes, ``_PACKED_BYTES`` in all, are kept, so inputs of ever new sizes do not pile up
        buffers.
        """
        dtype = np.dtype(dtype)
        if math.prod(shape) * dtype.itemsize < _POOLED_FROM:
            return np.empty(shape, dtype)
        key = (tuple(shape), dtype)
        with self._lock:
            buffers = self._packed.pop(key, [])
            self._packed[key] = buffers  # now the most recently used shape
            for buffer in buffers:
                if sys.getrefcount(buffer) == _RELEASED:
                    break
            else:
                buffer = np.empty(shape, dtype)
                if len(buffers) < _PACKED_PER_SHAPE and buffer.nbytes <= _PACKED_BYTES:
                    buffers.append(buffer)
                    self._packed_bytes += buffer.nbytes
                while len(self._packed) > _PACKED_SHAPES or self._packed_bytes > _PACKED_BYTES:
                    self._packed_bytes -= sum(b.nbytes for b in self._packed.pop(next(iter(self._packed))))
            return buffer

    def device_count(self):
        return 1

    def native_device(self, index):
        return "cpu"

    def device_index(self, array):
        return None

    def asarray(self, data, dtype, index):
        return np.asarray(data, dtype=None if dtype is None else dtype.name)

    def from_numpy(self, host, index):
        return host

    def arange(self, n, index):
        return np.arange(n)

    def full(self, shape, value, native_dtype, index):
        out = np.empty(shape, dtype=native_dtype)  # np.full's Python wrapper costs twice as much
        out.fill(value)
        return out

    def is_contiguous(self, array):
        return array.flags.c_contiguous

    def empty(self, shape, native_dtype, index):
        return np.empty(shape, dtype=native_dtype)

    def contiguous(self, x):
        return np.ascontiguousarray(x)

    def to_numpy(self, array):
        return array

    def zero_where(self, mask, x):
        """NumPy's ``where`` costs ~10x a multiply on a random mask; multiplying the values' bits,
        as integers, by the kept positions (1, or 0 where masked: all bits cleared, +0.0) selects
        at a multiply's cost (relu's backward on (128, 512) float32: 22 -> 17 µs; the integer AND
        with mask - 1 it replaces made two passes more)."""
        if x.dtype.kind != "f" or not x.ndim:
            return np.where(mask, x.dtype.type(0), x)
        bits = np.dtype(f"i{x.dtype.itemsize}")
        keep = np.logical_not(mask).view(np.uint8)
        return np.multiply(x.view(bits), keep).view(x.dtype)

    def einsum(self, equation, *operands):
        return np.einsum(equation, *operands, optimize=len(operands) > 2)

    def erf(self, x):
        return _erf(x)

    def erfinv(self, x):
        return _erfinv(x)

    def lgamma(self, x):
        return _lgamma(x)

    def polygamma(self, n, x):
        return _polygamma(n, x)

    def pad(self, x, pad_width, mode, value):
        kw = {"constant_values": value} if mode == "constant" else {}
        return np.pad(x, pad_width, mode=mode, **kw)

    def getitem(self, x, key):
        return x[key]

    def index_add(self, x, key, values, copy=True):
        out = x.copy() if copy else x
        np.add.at(out, key, values)
        return out

    def setitem(self, x, key, values):
        x[key] = values
        return x

    def unique(self, x, dim):
        return _np_unique(x, dim)

    def logcumsumexp(self, x):
        return np.logaddexp.accumulate(x, axis=-1)

    def index_reduce(self, x, key, values, reduce):
        out = x.copy()
        _NP_REDUCE_AT[reduce].at(out, key, values)
        return out

    def windows(self, x, window, stride, dilation):
        return _np_windows(x, window, stride, dilation)

    def diagonal(self, x, offset):
        return _np_diagonal(x, offset)

    def expand(self, x, shape):
        # np.broadcast_to's view is read-only: the same strides, writable
        strides = np.broadcast_to(x, shape).strides
        return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)

    def unfold(self, x, dim, size, step):
        return _np_unfold(x, dim, size, step)

    def random(self, generator, kind, shape, dtype, index, **kw):
        return draw(generator.numpy_rng(), kind, shape, dtype, **kw)
