"""The kernel table: what the array API standard lacks, one small class per backend.

``ArrayAPIBackend`` is the generic entry that serves any standard namespace: its kernels move
data to the host explicitly, compute there with NumPy and move the result back. NumPy and CuPy
subclass it with native kernels. Nothing outside ``minigrad/backend`` branches on the backend.
"""

import functools
import math

import numpy as np

from .. import dtypes


class ArrayAPIBackend:
    """A backend over an array API namespace ``xp`` whose arrays live on ``native_device(index)``."""

    name = "array_api"
    device_type = None  # the device string prefix, e.g. "cpu" or "cuda"

    def __init__(self, xp, name=None, device_type=None, devices=None):
        self.xp = xp
        if name is not None:
            self.name = name
        if device_type is not None:
            self.device_type = device_type
        self._devices = devices  # index -> native device object
        self.array_type = type(xp.empty(0))
        self.dtype_of = {}
        self.native_dtype = {}
        for d in dtypes.ALL:
            native = getattr(xp, d.name, None)
            if native is not None:
                native = xp.empty(0, dtype=native).dtype  # NumPy: np.dtype, not the scalar type
                self.dtype_of[native] = d
                self.native_dtype[d] = native
        self.float_dtypes = frozenset(n for d, n in self.native_dtype.items() if d.is_floating_point)

    @functools.cached_property
    def ops(self):
        """Elementwise functions that write into ``out=``: NumPy's and CuPy's own; for a namespace
        without ``out=`` (the array API standard), stand-ins that compute and copy."""
        return _CopyInto(self.xp)

    def native(self, dtype):
        """This backend's array dtype for a minigrad dtype; a clear error when it has none."""
        try:
            return self.native_dtype[dtype]
        except KeyError:
            raise TypeError(f"dtype {dtype} is not supported by the {self.name} backend") from None

    # --- devices -------------------------------------------------------------------------
    def available(self):
        """None when usable, else a sentence saying what is missing."""
        return None

    def device_count(self):
        return len(self._devices) if self._devices else 1

    def native_device(self, index):
        return self._devices[index or 0]

    def device_index(self, array):
        if not self._devices:
            return None
        for i, dev in enumerate(self._devices):
            if array.device == dev:
                return i
        raise ValueError(f"array on unknown device {array.device!r}")

    def synchronize(self):
        pass

    # --- host exchange (explicit transfers only) ---------------------------------------------
    def asarray(self, data, dtype, index):
        """A new array on this backend's device ``index`` from host data (lists, scalars, NumPy)."""
        if isinstance(data, np.ndarray) or np.isscalar(data) or isinstance(data, (list, tuple)):
            data = np.asarray(data, dtype=None if dtype is None else dtype.name)
            return self.from_numpy(data, index)
        return self.xp.asarray(data, dtype=None if dtype is None else self.native_dtype[dtype],
                               device=self.native_device(index))

    def from_numpy(self, host, index):
        return self.xp.asarray(host, device=self.native_device(index))

    def arange(self, n, index):
        return self.xp.arange(n, device=self.native_device(index))

    def full(self, shape, value, native_dtype, index):
        return self.xp.full(shape, value, dtype=native_dtype, device=self.native_device(index))

    def empty(self, shape, native_dtype, index):
        """An uninitialised array, for buffers every element of which is written before it is read."""
        return self.xp.empty(shape, dtype=native_dtype, device=self.native_device(index))

    def contiguous(self, x):
        """``x`` laid out row-major (C order), copied only if it is not: BLAS and strided windows
        run faster on it. The standard has no memory layout; a flat reshape copies in row-major
        order when it must, and the reshape back is a view."""
        return self.xp.reshape(self.xp.reshape(x, (-1,)), tuple(x.shape))

    def pack(self, view, shape):
        """A contiguous copy of ``view`` with ``shape`` (a column matrix from a window view): one
        copy. Backends may serve it from buffers released earlier; CuPy's allocator pools memory
        already, so here it is a plain reshape."""
        return self.xp.reshape(view, shape)

    def buffer(self, shape, native_dtype, index):
        """An uninitialised array for a large block made afresh on every call (a convolution's
        output, a gradient's image): a buffer released earlier where the backend keeps them
        (NumPy's), else ``empty``."""
        return self.empty(shape, native_dtype, index)

    def assign(self, dst, src):
        """Write ``src`` into the storage of ``dst`` (in-place ops)."""
        dst[...] = src

    def expand(self, x, shape):
        """``x`` broadcast to ``shape``: a view, writable where the backend allows (PyTorch's
        ``expand()`` is; writes that would reach one element twice are refused before they
        happen, see ``overlaps_itself``)."""
        return self.xp.broadcast_to(x, shape)

    def overlaps_itself(self, array):
        """Whether two elements of ``array`` are one memory location (an ``expand()``'s zero
        stride along an axis of two or more elements; an empty array has none)."""
        shape = array.shape
        return 0 not in shape and any(s == 0 and n > 1 for s, n in zip(self.strides(array), shape))

    def is_contiguous(self, array):
        """Whether the array's elements lie in row-major order without gaps. The standard has no
        strides: an array wrapping a NumPy array (array-api-strict's) is asked through it, as
        ``shares_memory`` does, and any other counts as contiguous."""
        flags = getattr(getattr(array, "_array", None), "flags", None)
        return True if flags is None else bool(flags.c_contiguous)

    def data_pointer(self, array):
        """The address of the array's first element (of the NumPy array strict's wraps)."""
        return getattr(array, "_array", array).__array_interface__["data"][0]

    def strides(self, array):
        """The array's strides in elements: NumPy's and CuPy's own (through array-api-strict's
        wrapped array too), else row-major."""
        inner = getattr(array, "_array", array)
        steps = getattr(inner, "strides", None)
        if steps is not None:
            return tuple(s // inner.itemsize for s in steps)
        out, step = [], 1
        for n in reversed(array.shape):
            out.append(step)
            step *= max(n, 1)
        return tuple(reversed(out))

    def matmul(self, a, b):
        """``a @ b`` by NumPy's rules, a stack of matrices times one matrix as one product over
        all the stack's rows: NumPy runs it as one small product per matrix, 2.6x slower for
        bench_gpt's (16, 64, 128) @ (128, 384) (1.34 ms against 0.52 ms)."""
        if a.ndim > 2 and b.ndim == 2 and self.is_contiguous(a):
            rows = self.xp.matmul(self.xp.reshape(a, (math.prod(a.shape[:-1]), a.shape[-1])), b)
            return self.xp.reshape(rows, tuple(a.shape[:-1]) + (b.shape[1],))
        return self.xp.matmul(a, b)

    def shares_memory(self, a, b):
        """Whether array ``a`` is a view into ``b``'s memory (a view op's output, or a copy?)."""
        return _owner(a) is _owner(b)

    def to_numpy(self, array):
        cpu = self.xp.__array_namespace_info__().default_device()
        return np.from_dlpack(array.to_device(cpu))

    # --- kernels missing from the standard ---------------------------------------------------
    def _host(self, fn, *arrays, index=None):
        index = self.device_index(arrays[0]) if index is None else index
        out = fn(*[self.to_numpy(a) if hasattr(a, "shape") else a for a in arrays])
        return self.from_numpy(np.asarray(out, order="C"), index)

    def zero_where(self, mask, x):
        """``x`` with 0 where ``mask`` holds (a select: inf and NaN there become 0 too)."""
        return self.xp.where(mask, self.xp.zeros_like(x), x)

    def einsum(self, equation, *operands):
        return self._host(lambda *ops: np.einsum(equation, *ops), *operands)

    def erf(self, x):
        from .numpy_backend import _erf
        return self._host(_erf, x)

    def erfinv(self, x):
        from .numpy_backend import _erfinv
        return self._host(_erfinv, x)

    def lgamma(self, x):
        from .numpy_backend import _lgamma
        return self._host(_lgamma, x)

    def polygamma(self, n, x):
        from .numpy_backend import _polygamma
        return self._host(lambda a: _polygamma(n, a), x)

    def pad(self, x, pad_width, mode, value):
        kw = {"constant_values": value} if mode == "constant" else {}
        return self._host(lambda a: np.pad(a, pad_width, mode=mode, **kw), x)

    def getitem(self, x, key):
        """Indexing with integer or boolean arrays mixed with slices (NumPy semantics)."""
        return self._host(lambda a, *k: a[_rebuild_key(key, k)], x, *_arrays_in(key))

    def index_add(self, x, key, values, copy=True):
        """``out = x.copy(); out[key] += values`` with repeated indices accumulating (scatter-add).
        With ``copy=False``, ``x`` is the caller's own: NumPy and CuPy add into it, no copy."""
        def scatter(a, v, *k):
            out = a.copy()
            np.add.at(out, _rebuild_key(key, k), v)
            return out
        return self._host(scatter, x, values, *_arrays_in(key))

    def setitem(self, x, key, values):
        """In-place ``x[key] = values`` for keys the standard does not cover; returns the new array."""
        def put(a, v, *k):
            a = a.copy()
            a[_rebuild_key(key, k)] = v
            return a
        return self._host(put, x, values, *_arrays_in(key))

    def unique(self, x, dim):
        """Sorted distinct values (slices along ``dim``; elements when None), inverse and counts."""
        index = self.device_index(x)
        found = _np_unique(self.to_numpy(x), dim)
        return tuple(self.from_numpy(np.ascontiguousarray(r), index) for r in found)

    def logcumsumexp(self, x):
        """yᵢ = log Σ_{j≤i} exp(xⱼ) along the last axis, exactly (a running log-add-exp)."""
        return self._host(lambda a: np.logaddexp.accumulate(a, axis=-1), x)

    def index_reduce(self, x, key, values, reduce):
        """``out = x.copy()``, then ``out[key] = reduce(out[key], values)`` with repeated indices
        combining (``reduce`` is ``"prod"``, ``"amax"`` or ``"amin"``: scatter_reduce's kernels)."""
        def scatter(a, v, *k):
            out = a.copy()
            _NP_REDUCE_AT[reduce].at(out, _rebuild_key(key, k), v)
            return out
        return self._host(scatter, x, values, *_arrays_in(key))

    def windows(self, x, window, stride, dilation):
        """Sliding windows of (N, C, H, W) as (N, C, OH, OW, KH, KW) for convolution and pooling."""
        return self._host(lambda a: _np_windows(a, window, stride, dilation), x)

    def diagonal(self, x, offset):
        """The ``offset``-th diagonal of the last two axes, as the last axis: a writable view of
        ``x`` where the backend can make one (PyTorch's diagonal is a view), else a copy."""
        return self._host(lambda a: np.diagonal(a, offset, -2, -1).copy(), x)

    def unfold(self, x, dim, size, step):
        """Every window of ``size`` elements ``step`` apart along ``dim``: that axis becomes the
        window count and a last axis of ``size`` is added. A view of ``x`` where the backend can
        make one (PyTorch's unfold is a view; read-only where windows overlap, so that no write
        lands twice), else a copy."""
        return self._host(lambda a: _np_unfold(a, dim, size, step).copy(), x)

    def random(self, generator, kind, shape, dtype, index, **kw):
        """Random numbers drawn on the host from ``generator``'s NumPy stream, then moved here."""
        kw = {k: self.to_numpy(v) if hasattr(v, "shape") else v for k, v in kw.items()}  # array parameters
        host = draw(generator.numpy_rng(), kind, shape, dtype, **kw)
        return self.from_numpy(host, index)


_NP_REDUCE_AT = {"prod": np.multiply, "amax": np.maximum, "amin": np.minimum}


def _np_unique(a, dim):
    values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim,
                                        equal_nan=False)  # each NaN is its own value, as PyTorch
    return values, inverse.reshape(-1), counts


def _owner(array):
    """The array that owns ``array``'s memory: NumPy and CuPy views name it in ``.base``;
    array-api-strict wraps a NumPy array."""
    array = getattr(array, "_array", array)
    while getattr(array, "base", None) is not None:
        array = array.base
    return array


def _arrays_in(key):
    return tuple(k for k in (key if isinstance(key, tuple) else (key,)) if hasattr(k, "shape"))


def _rebuild_key(key, host_arrays):
    """Replace the device arrays inside an index key by their host copies, in order."""
    it = iter(host_arrays)
    parts = key if isinstance(key, tuple) else (key,)
    rebuilt = tuple(next(it) if hasattr(k, "shape") else k for k in parts)
    return rebuilt if isinstance(key, tuple) else rebuilt[0]


def _np_windows(a, window, stride, dilation):
    n, c, h, w = a.shape
    (kh, kw), (sh, sw), (dh, dw) = window, stride, dilation
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    s = a.strides
    return np.lib.stride_tricks.as_strided(
        a, (n, c, oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2] * dh, s[3] * dw),
        writeable=False)


def _np_unfold(a, dim, size, step):
    count = (a.shape[dim] - size) // step + 1
    s = a.strides
    return np.lib.stride_tricks.as_strided(a, a.shape[:dim] + (count,) + a.shape[dim + 1:] + (size,),
                                           s[:dim] + (s[dim] * step,) + s[dim + 1:] + (s[dim],),
                                           writeable=a.flags.writeable and step >= size)


def _np_diagonal(a, offset):
    # np.diagonal's view is read-only: the same strides (one step down plus one across) writable
    r, c = max(0, -offset), max(0, offset)
    n = max(0, min(a.shape[-2] - r, a.shape[-1] - c))
    corner = a[..., min(r, a.shape[-2]):, min(c, a.shape[-1]):]
    s = a.strides
    return np.lib.stride_tricks.as_strided(corner, a.shape[:-2] + (n,), s[:-2] + (s[-2] + s[-1],),
                                           writeable=a.flags.writeable)


def draw(rng, kind, shape, dtype, **kw):
    """Draw from a NumPy or CuPy ``Generator`` (they share this interface), cast to ``dtype``.

    Scaled and shifted in place: NumPy's ``*`` and ``+`` turn a 0-d array into a NumPy scalar,
    which in-place tensor ops (``a -= lr * g``) could not update.
    """
    if kind == "uniform":
        out = rng.random(shape)
        out *= kw["high"] - kw["low"]
        out += kw["low"]
    elif kind == "normal":
        out = rng.standard_normal(shape)
        out *= kw["std"]
        out += kw["mean"]
    elif kind == "integers":
        out = rng.integers(kw["low"], kw["high"], size=shape)
    elif kind == "permutation":  # CuPy's Generator has no permutation: sort random keys
        out = rng.random(shape[0]).argsort()
    elif kind == "bernoulli":
        out = rng.random(shape) < kw["p"]
    elif kind == "gamma":  # Γ(α, 1), α an array broadcast to shape (no gradient: PyTorch's rsample has one)
        out = rng.standard_gamma(kw["alpha"], size=shape)
    elif kind == "poisson":
        out = rng.poisson(kw["lam"], size=shape)
    elif kind == "binomial":
        out = rng.binomial(kw["n"], kw["p"], size=shape)
    else:
        raise ValueError(f"unknown random kind {kind!r}")
    return out.astype(dtype.name, copy=False)


class _CopyInto:
    """Elementwise functions with ``out=`` for a namespace that has none (the array API standard):
    each computes its result and copies it into ``out``."""

    _operators = {"add": "__add__", "subtract": "__sub__", "multiply": "__mul__", "divide": "__truediv__"}

    def __init__(self, xp):
        self.xp = xp

    def __getattr__(self, name):
        if name in self._operators:  # the operator takes Python scalars on any standard version
            op = self._operators[name]

            def fn(a, b):
                return getattr(a, op)(b) if not isinstance(a, (int, float)) else getattr(b, "__r" + op[2:])(a)
        else:
            fn = getattr(self.xp, name)

        def with_out(*args, out=None, **kwargs):
            result = fn(*args, **kwargs)
            if out is None:
                return result
            out[...] = result
            return out
        setattr(self, name, with_out)
        return with_out

    def concatenate(self, arrays, axis=None, out=None):
        out[...] = self.xp.concat([self.xp.reshape(a, (-1,)) for a in arrays])
        return out

    def copy(self, a):
        return self.xp.asarray(a, copy=True)

    def copyto(self, dst, src):
        dst[...] = src
