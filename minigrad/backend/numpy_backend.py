"""The CPU backend: NumPy's main namespace (its hot functions called the fast way), with NumPy's
native kernels."""

import functools
import math

import numpy as np

from .base import ArrayAPIBackend, _np_windows, draw
from .numpy_namespace import namespace


def _erf(x):
    """erf elementwise: SciPy's when installed (imported on first use: it costs 0.2 s), else the
    exact but slower math.erf element by element."""
    return _erf_kernel()(x)


@functools.cache
def _erf_kernel():
    try:
        from scipy.special import erf
        return erf
    except ImportError:
        return lambda x: np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)


class NumpyBackend(ArrayAPIBackend):
    name = "numpy"
    device_type = "cpu"

    def __init__(self):
        super().__init__(namespace)

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

    def empty(self, shape, native_dtype, index):
        return np.empty(shape, dtype=native_dtype)

    def contiguous(self, x):
        return np.ascontiguousarray(x)

    def to_numpy(self, array):
        return array

    def einsum(self, equation, *operands):
        return np.einsum(equation, *operands, optimize=len(operands) > 2)

    def erf(self, x):
        return _erf(x)

    def pad(self, x, pad_width, mode, value):
        kw = {"constant_values": value} if mode == "constant" else {}
        return np.pad(x, pad_width, mode=mode, **kw)

    def getitem(self, x, key):
        return x[key]

    def index_add(self, x, key, values):
        out = x.copy()
        np.add.at(out, key, values)
        return out

    def setitem(self, x, key, values):
        x[key] = values
        return x

    def windows(self, x, window, stride, dilation):
        return _np_windows(x, window, stride, dilation)

    def random(self, generator, kind, shape, dtype, index, **kw):
        return draw(generator.numpy_rng(), kind, shape, dtype, **kw)
