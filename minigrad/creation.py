"""Tensor factories: ``tensor``, ``zeros``, ``arange``, ... each with ``dtype``, ``device``,
``requires_grad``; ``from_numpy`` and ``from_dlpack`` share memory instead of copying."""

import numbers

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes
from .tensor import Tensor


def _device(device):
    return _backend.default_device() if device is None else _backend.device(device)


def _finish(array, dev, requires_grad):
    return Tensor._wrap(array, dev).requires_grad_(requires_grad) if requires_grad \
        else Tensor._wrap(array, dev)


def _host_default(host):
    """PyTorch's inference for Python data: floats -> default dtype, ints -> int64."""
    if host.dtype.kind == "f":
        return host.astype(_dtypes.get_default_dtype().name, copy=False)
    if host.dtype.kind in "iu":
        return host.astype(np.int64, copy=False)
    if host.dtype.kind == "b":
        return host
    raise TypeError(f"tensor: cannot build a tensor from data of type {host.dtype}")


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, NumPy or backend arrays).

    Python floats become the default dtype (float32), ints int64; arrays keep their dtype.
    """
    if isinstance(data, Tensor):
        out = data.detach().clone()
        dev = out.device if device is None else _backend.device(device)
        out = out.to(dev)
        array = out.array
    else:
        source = None if isinstance(data, (np.ndarray, numbers.Number, list, tuple)) \
            else _backend.device_of(data)
        if source is not None:  # already an array of a backend: stay on its device unless told
            dev = source if device is None else _backend.device(device)
            if dev != source:
                raise RuntimeError(f"tensor: data lives on {source}, not {dev}; move it explicitly")
            array = dev.xp.asarray(data, copy=True)
        else:
            dev = _device(device)
            host = np.array(data)
            if not isinstance(data, np.ndarray):  # an explicit dtype converts once, not via float32
                host = _host_default(host) if dtype is None else host.astype(_dtypes.as_dtype(dtype).name)
            array = dev.backend.from_numpy(host, dev.index) if dev.type != "cpu" else host
    if dtype is not None:
        native = dev.backend.native(_dtypes.as_dtype(dtype))
        if array.dtype != native:
            array = dev.xp.astype(array, native)
    return _finish(array, dev, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or Tensor when it can."""
    if isinstance(data, Tensor) and dtype is None and (device is None or data.device == device):
        return data
    if isinstance(data, np.ndarray) and dtype is None and _device(device).type == "cpu":
        return from_numpy(data)
    return tensor(data, dtype, device)


def from_numpy(array):
    """A CPU tensor sharing memory with ``array`` (its dtype kept)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    return Tensor._wrap(array, _backend.device("cpu"))


def from_dlpack(obj):
    """Zero-copy import of any DLPack producer (NumPy, CuPy, PyTorch, another minigrad tensor)."""
    kind, index = obj.__dlpack_device__()
    if int(kind) == 1:  # kDLCPU
        return from_numpy(np.from_dlpack(obj))
    dev = _backend.device(f"cuda:{index}")
    return Tensor._wrap(dev.xp.from_dlpack(obj), dev)


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it, as PyTorch)."""
    dev = _device(device)
    if dtype is None:
        dtype = _dtypes.bool_ if isinstance(fill_value, bool) else _dtypes.int64 \
            if isinstance(fill_value, int) else _dtypes.get_default_dtype()
    native = dev.backend.native(_dtypes.as_dtype(dtype))
    return _finish(dev.backend.full(_shape((size,)), fill_value, native, dev.index), dev, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return full(_shape(size), 0.0, dtype=dtype or _dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return full(_shape(size), 1.0, dtype=dtype or _dtypes.get_default_dtype(), device=device,
                requires_grad=requires_grad)


empty = zeros


def _like(t, value, dtype, device, requires_grad):
    return full(t.shape, value, dtype=dtype or t.dtype, device=device or t.device,
                requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False):
    return _like(t, 0, dtype, device, requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False):
    return _like(t, 1, dtype, device, requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False):
    return _like(t, fill_value, dtype, device, requires_grad)


empty_like = zeros_like


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The identity matrix (n x m)."""
    dev = _device(device)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    host = np.eye(n, n if m is None else m, dtype=dtype.name)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; integer unless an argument is a float."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        integral = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = _dtypes.int64 if integral else _dtypes.get_default_dtype()
    dev = _device(device)
    host = np.arange(start, end, step).astype(_dtypes.as_dtype(dtype).name)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    dev = _device(device)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    host = np.linspace(start, end, int(steps)).astype(dtype.name)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, requires_grad)
