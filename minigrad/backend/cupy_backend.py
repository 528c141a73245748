"""The GPU backend: CuPy through array-api-compat's standard namespace, with CuPy's native kernels.

CuPy is imported only when this backend is first used, so the CPU path never needs it.
"""

from .base import ArrayAPIBackend, draw


def _load_cupy():
    try:
        import cupy
    except ImportError:
        return None, ("CUDA requested but CuPy is not installed: "
                      "pip install 'minigrad[gpu]' (cupy-cuda12x and array-api-compat)")
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as err:  # CUDA driver missing or broken: CuPy raises its own types
        return None, f"CUDA requested but no usable GPU was found (CuPy is installed): {err}"
    if count == 0:
        return None, "CUDA requested but no GPU was found (CuPy is installed, 0 devices)"
    return cupy, None


class CupyBackend(ArrayAPIBackend):
    name = "cupy"
    device_type = "cuda"

    def __init__(self):
        self._cupy, self._why_not = _load_cupy()
        if self._cupy is not None:
            try:  # CuPy's own namespace still lacks parts of the standard (e.g. cumulative_sum)
                from array_api_compat import cupy as xp
            except ImportError:
                self._cupy, self._why_not = None, (
                    "CUDA requested but array-api-compat is not installed: pip install 'minigrad[gpu]'")
                return
            super().__init__(xp)
            self.ops = self._cupy  # its functions write into ``out=``

    def available(self):
        return self._why_not

    def device_count(self):
        return 0 if self._cupy is None else self._cupy.cuda.runtime.getDeviceCount()

    def native_device(self, index):
        return self._cupy.cuda.Device(index or 0)

    def device_index(self, array):
        return array.device.id

    def synchronize(self):
        self._cupy.cuda.runtime.deviceSynchronize()

    def memory_used(self, index):
        """Bytes of live arrays in CuPy's default pool on GPU ``index``."""
        with self.native_device(index):
            return self._cupy.get_default_memory_pool().used_bytes()

    def memory_reserved(self, index):
        """Bytes CuPy's default pool holds on GPU ``index``: live arrays plus cached free blocks."""
        with self.native_device(index):
            return self._cupy.get_default_memory_pool().total_bytes()

    def empty_cache(self):
        """Release the cached free blocks of CuPy's pools (every GPU's, and pinned host memory)."""
        for index in range(self.device_count()):
            with self.native_device(index):  # CuPy's pool frees the current device's blocks only
                self._cupy.get_default_memory_pool().free_all_blocks()
        self._cupy.get_default_pinned_memory_pool().free_all_blocks()

    def device_name(self, index):
        return self._cupy.cuda.runtime.getDeviceProperties(index)["name"].decode()

    def asarray(self, data, dtype, index):
        with self.native_device(index):
            return self._cupy.asarray(data, dtype=None if dtype is None else dtype.name)

    def from_numpy(self, host, index):
        with self.native_device(index):
            return self._cupy.asarray(host)

    def arange(self, n, index):
        with self.native_device(index):
            return self._cupy.arange(n)

    def full(self, shape, value, native_dtype, index):
        with self.native_device(index):
            return self._cupy.full(shape, value, dtype=native_dtype)

    def is_contiguous(self, array):
        return array.flags.c_contiguous

    def data_pointer(self, array):
        return array.data.ptr

    def empty(self, shape, native_dtype, index):
        with self.native_device(index):
            return self._cupy.empty(shape, dtype=native_dtype)

    def contiguous(self, x):
        return self._cupy.ascontiguousarray(x)

    def to_numpy(self, array):
        return array.get()

    def einsum(self, equation, *operands):
        return self._cupy.einsum(equation, *operands)

    def erf(self, x):
        import cupyx.scipy.special
        return cupyx.scipy.special.erf(x)

    def erfinv(self, x):
        import cupyx.scipy.special
        return cupyx.scipy.special.erfinv(x)

    def lgamma(self, x):
        import cupyx.scipy.special
        return cupyx.scipy.special.gammaln(x)

    def polygamma(self, n, x):
        import cupyx.scipy.special
        out = cupyx.scipy.special.digamma(x) if n == 0 else cupyx.scipy.special.polygamma(n, x)
        return out.astype(x.dtype, copy=False)

    def pad(self, x, pad_width, mode, value):
        kw = {"constant_values": value} if mode == "constant" else {}
        return self._cupy.pad(x, pad_width, mode=mode, **kw)

    def getitem(self, x, key):
        return x[key]

    def index_add(self, x, key, values, copy=True):
        import cupyx
        out = x.copy() if copy else x
        cupyx.scatter_add(out, key, values)
        return out

    def setitem(self, x, key, values):
        x[key] = values
        return x

    def unique(self, x, dim):
        values, inverse, counts = self._cupy.unique(x, return_inverse=True, return_counts=True, axis=dim,
                                                    equal_nan=False)  # as _np_unique
        return values, inverse.reshape(-1), counts

    def index_reduce(self, x, key, values, reduce):
        if reduce == "prod":  # cupyx has no scatter-multiply: the host kernel
            return super().index_reduce(x, key, values, reduce)
        import cupyx
        out = x.copy()
        (cupyx.scatter_max if reduce == "amax" else cupyx.scatter_min)(out, key, values)
        return out

    def diagonal(self, x, offset):
        return x.diagonal(offset, -2, -1)  # a view in CuPy, writable

    def unfold(self, x, dim, size, step):
        count = (x.shape[dim] - size) // step + 1
        s = x.strides
        windows = self._cupy.lib.stride_tricks.as_strided(
            x, x.shape[:dim] + (count,) + x.shape[dim + 1:] + (size,),
            s[:dim] + (s[dim] * step,) + s[dim + 1:] + (s[dim],))
        # CuPy has no read-only views: overlapping windows, where a write would land twice, are a copy
        return windows if step >= size else windows.copy()

    def windows(self, x, window, stride, dilation):
        n, c, h, w = x.shape
        (kh, kw), (sh, sw), (dh, dw) = window, stride, dilation
        oh = (h - dh * (kh - 1) - 1) // sh + 1
        ow = (w - dw * (kw - 1) - 1) // sw + 1
        s = x.strides
        return self._cupy.lib.stride_tricks.as_strided(
            x, (n, c, oh, ow, kh, kw), (s[0], s[1], s[2] * sh, s[3] * sw, s[2] * dh, s[3] * dw))

    def random(self, generator, kind, shape, dtype, index, **kw):
        with self.native_device(index):
            return draw(generator.cupy_rng(index), kind, shape, dtype, **kw)
