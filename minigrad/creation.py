"""Tensor factories: ``tensor``, ``zeros``, ``arange``, ... each with ``dtype``, ``device``,
``requires_grad``; ``from_numpy`` and ``from_dlpack`` share memory instead of copying."""

import math
import numbers

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes
from ._coerce import _limits, _new_size, _scalar_as
from .tensor import Tensor


def _device(device):
    return _backend.default_device() if device is None else _backend.device(device)


def _finish(array, dev, requires_grad):
    return Tensor._wrap(array, dev).requires_grad_(requires_grad) if requires_grad \
        else Tensor._wrap(array, dev)


_TYPED = {np.dtype(n) for n in ("float16", "float32", "int8", "uint8", "int16", "int32")}


def _host_default(host):
    """PyTorch's inference for Python data: floats -> default dtype, ints -> int64. A dtype that
    Python numbers cannot give came from NumPy scalars or tensors in the data (np.int32, float16):
    it is kept, as PyTorch keeps it."""
    if host.dtype in _TYPED:
        return host
    if host.dtype.kind == "f":
        return host.astype(_dtypes.get_default_dtype().name, copy=False)
    if host.dtype.kind in "iu":
        return host.astype(np.int64, copy=False)
    if host.dtype.kind == "b":
        return host
    raise TypeError(f"tensor(): cannot build a tensor from data of type {host.dtype}")


def _host_array(data):
    """``data`` (numbers, nested lists) as a NumPy array, or an error naming what cannot be one."""
    if isinstance(data, (list, tuple)):
        for item in data:
            if isinstance(item, Tensor) and item.numel() != 1:
                raise ValueError("tensor(): only one-element tensors can be elements of the data; got "
                                 f"one of shape {tuple(item.shape)} (mg.stack joins tensors)")
    try:
        host = np.array(data)
    except ValueError as err:  # ragged nesting
        raise ValueError(f"tensor(): expected a sequence of equal-length sequences ({err})") from None
    except OverflowError:
        host = np.array(data, dtype=object)
    if host.dtype.kind in "OUS":
        for leaf in host.ravel():
            if isinstance(leaf, str):
                raise TypeError(f"tensor(): invalid data type 'str' ('{leaf}' in the data)")
            if not isinstance(leaf, numbers.Number):
                raise TypeError(f"tensor(): could not infer dtype of {type(leaf).__name__} "
                                f"({leaf!r} in the data)")
    # NumPy keeps ints beyond int64 as uint64, float64 (mixed with smaller ones) or objects
    huge = host.dtype.kind in "uO" or (host.dtype.kind == "f" and host.size and np.abs(host).max() >= 2 ** 63)
    if huge and _huge_int(data) is not None:
        raise OverflowError(f"tensor(): value {_huge_int(data)} overflows int64 "
                            "(the range is -2**63 to 2**63 - 1)")
    return host


def _huge_int(data):
    """The first Python int in nested ``data`` outside int64's range (None if there is none)."""
    if isinstance(data, (list, tuple)):
        return next((v for v in map(_huge_int, data) if v is not None), None)
    if isinstance(data, numbers.Integral) and not -2 ** 63 <= data < 2 ** 63:
        return data
    return None


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new tensor holding a copy of ``data`` (numbers, nested lists, NumPy or backend arrays).

    Python floats become the default dtype (float32), ints int64; arrays keep their dtype.
    """
    if isinstance(dtype, str):  # PyTorch takes dtypes only: "float32" here is usually a slip
        raise TypeError(f"tensor(): argument 'dtype' must be a dtype such as mg.float32, not str {dtype!r}")
    if isinstance(data, np.generic):  # a NumPy scalar keeps its dtype, as an array does (PyTorch's)
        data = np.asarray(data)
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
            host = _host_array(data)
            if not isinstance(data, np.ndarray):  # an explicit dtype converts once, not via float32
                host = _host_default(host) if dtype is None else _converted(host, _dtypes.as_dtype(dtype))
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


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor, sharing memory where it can (``copy=True`` always copies, as PyTorch)."""
    out = tensor(obj, dtype, device) if copy else as_tensor(obj, dtype, device)
    if copy and isinstance(obj, Tensor):
        out = out.detach()
    return out.requires_grad_(requires_grad) if requires_grad else out


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


def _converted(host, dtype):
    """``host`` (made from Python data) in ``dtype``, each value checked as PyTorch checks it: an int
    wraps into an integer dtype, an unsigned one down to -max (-1 into uint8 is 255); a float must
    lie in the integer dtype's range (NaN, infinity, -1.5 or 300.0 into uint8 raise, where NumPy
    would make up a value)."""
    if dtype.category == "int" and host.size and host.dtype.kind in "iuf":
        low, high = _limits(dtype, host.dtype.kind != "f")
        if not (low <= host.min() and host.max() <= high):  # NaN fails both
            what = "" if np.isfinite(host).all() else " (NaN or infinity in the data)"
            raise RuntimeError(f"tensor(): value cannot be converted to type {dtype.name} without "
                               f"overflow{what}")
    return host.astype(dtype.name)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (dtype inferred from it, as PyTorch)."""
    return _full(_new_size((size,), "full"), fill_value, dtype, device, requires_grad)


def _full(size, fill_value, dtype, device, requires_grad):
    if not isinstance(fill_value, numbers.Number):
        raise TypeError(f"full(): fill_value must be a number, not {type(fill_value).__name__} "
                        f"{fill_value!r}")
    dev = _device(device)
    if dtype is None:
        dtype = _dtypes.bool_ if isinstance(fill_value, bool) else _dtypes.int64 \
            if isinstance(fill_value, numbers.Integral) else _dtypes.get_default_dtype()  # np.int64 too
    dtype = _dtypes.as_dtype(dtype)
    native = dev.backend.native(dtype)
    fill_value = _scalar_as(fill_value, dtype)
    return _finish(dev.backend.full(size, fill_value, native, dev.index), dev, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False):
    return _full(_new_size(size, "zeros"), 0.0, dtype or _dtypes.get_default_dtype(), device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    return _full(_new_size(size, "ones"), 1.0, dtype or _dtypes.get_default_dtype(), device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    """Zeros (PyTorch leaves the memory uninitialised; zeros are a valid choice of garbage)."""
    return _full(_new_size(size, "empty"), 0.0, dtype or _dtypes.get_default_dtype(), device, requires_grad)


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
    n, m = _new_size((n, n if m is None else m), "eye")
    host = np.eye(n, m, dtype=dtype.name)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, requires_grad)


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    """The (2, N) row and column indices of the lower triangle of a row x col matrix (entries with
    column - row ≤ ``offset``), in row-major order, as ``a[idx[0], idx[1]]`` reads them.

    >>> import minigrad as mg
    >>> mg.tril_indices(3, 3).tolist()
    [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]]
    """
    return _triangle_indices(np.tril_indices(max(row, 0), offset, max(col, 0)), dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    """The (2, N) row and column indices of the upper triangle of a row x col matrix (entries with
    column - row ≥ ``offset``), in row-major order.

    >>> import minigrad as mg
    >>> mg.triu_indices(2, 3, 1).tolist()
    [[0, 0, 1], [1, 2, 2]]
    """
    return _triangle_indices(np.triu_indices(max(row, 0), offset, max(col, 0)), dtype, device)


def _triangle_indices(rows_cols, dtype, device):
    dtype = _dtypes.int64 if dtype is None else _dtypes.as_dtype(dtype)
    if dtype.is_floating_point or dtype is _dtypes.bool_:
        raise NotImplementedError(f"tril_indices/triu_indices: not implemented for {dtype} (integers only)")
    dev = _device(device)
    host = np.stack(rows_cols).astype(dtype.name).reshape(2, -1)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, False)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from ``start`` up to (not including) ``end``; integer unless an argument is a float."""
    if end is None:
        start, end = 0, start
    for name, v in (("start", start), ("end", end), ("step", step)):
        if not isinstance(v, numbers.Real) or isinstance(v, bool) or not math.isfinite(v):
            raise TypeError(f"arange(): {name} must be a finite number, got {v!r}")
    if step == 0 or (end - start) * step < 0:
        raise RuntimeError(f"arange(): step must be nonzero and point from start to end "
                           f"(upper bound and lower bound inconsistent with step sign); got {start} to "
                           f"{end} in steps of {step}")
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
    if not isinstance(steps, numbers.Integral):
        raise TypeError(f"linspace(): steps must be an int, got {type(steps).__name__} {steps!r}")
    if steps < 0:
        raise RuntimeError(f"linspace(): the number of steps must be non-negative, got {steps}")
    host = np.linspace(start, end, steps).astype(dtype.name)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``steps`` values base^t for t evenly spaced from ``start`` to ``end`` inclusive."""
    dev = _device(device)
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else _dtypes.get_default_dtype()
    host = np.logspace(start, end, int(steps), base=base).astype(dtype.name)
    return _finish(dev.backend.from_numpy(host, dev.index), dev, requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    """A 0-d tensor holding ``s``, in the default float dtype unless ``dtype`` says otherwise."""
    return tensor(s, dtype=dtype or _dtypes.get_default_dtype(), device=device, requires_grad=requires_grad)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-d ``x``: columns x^(N-1), ..., x, 1 (increasing: 1, x, ...)."""
    if x.ndim != 1:
        raise RuntimeError(f"x must be a one-dimensional tensor, got {x.ndim} dimensions")
    n = x.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError(f"N must be non-negative, got {n}")
    powers = arange(n, device=x.device)
    if not increasing:
        powers = powers.flip(0)
    return x.unsqueeze(1) ** powers.unsqueeze(0)


# --- PyTorch's legacy typed constructors ----------------------------------------------------------
class _LegacyType(type):
    """``isinstance(t, mg.LongTensor)`` holds for CPU tensors of that dtype, as in PyTorch."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.device.type == "cpu"


def _legacy_new(cls, *data, device=None):
    if len(data) == 1 and isinstance(data[0], Tensor) and data[0].dtype is not cls.dtype:
        raise TypeError(f"{cls.__name__}(): expected a {cls.dtype} tensor, got {data[0].dtype}; use .to()")
    return Tensor(*data, dtype=cls.dtype, device=device)


def _legacy_type(name, dtype):
    doc = (f"``{name}(*sizes)``: an uninitialised {dtype.name} tensor; ``{name}(data)``: one holding "
           "``data`` (PyTorch's legacy constructor).")
    return _LegacyType(name, (), {"dtype": dtype, "__new__": _legacy_new, "__doc__": doc})


FloatTensor = _legacy_type("FloatTensor", _dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", _dtypes.float16)
LongTensor = _legacy_type("LongTensor", _dtypes.int64)
IntTensor = _legacy_type("IntTensor", _dtypes.int32)
ShortTensor = _legacy_type("ShortTensor", _dtypes.int16)
CharTensor = _legacy_type("CharTensor", _dtypes.int8)
ByteTensor = _legacy_type("ByteTensor", _dtypes.uint8)
BoolTensor = _legacy_type("BoolTensor", _dtypes.bool_)
LEGACY_TYPES = {t.__name__: t for t in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                                        ShortTensor, CharTensor, ByteTensor, BoolTensor)}


# --- tensor.new_*: factories that default to another tensor's dtype and device --------------------
def new_tensor(like, data, dtype=None, device=None, requires_grad=False):
    """``like.new_tensor(data)``: a copy of ``data`` with ``like``'s dtype and device by default."""
    return tensor(data.detach() if isinstance(data, Tensor) else data, dtype=dtype or like.dtype,
                  device=device or like.device, requires_grad=requires_grad)


def new_full(like, size, fill_value, dtype=None, device=None, requires_grad=False):
    """``like.new_full(size, value)``: ``full`` with ``like``'s dtype and device by default."""
    return full(_new_size((size,), "new_full"), fill_value, dtype=dtype or like.dtype,
                device=device or like.device, requires_grad=requires_grad)


def meshgrid(*tensors, indexing="ij"):
    """Coordinate grids from 1-d tensors: output i varies along axis i (``"ij"``) or, for the
    first two, along the other (``"xy"``, as NumPy's default). PyTorch's default is ``"ij"``.

    >>> import minigrad as mg
    >>> x, y = mg.meshgrid(mg.tensor([1, 2]), mg.tensor([3, 4, 5]), indexing="ij")
    >>> x.shape, y[0].tolist()
    ((2, 3), [3, 4, 5])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expected 0-d or 1-d tensors, got shape {tuple(t.shape)}")
    swap = indexing == "xy" and len(tensors) >= 2
    order = list(tensors)
    if swap:
        order[0], order[1] = order[1], order[0]
    shape = tuple(t.numel() for t in order)
    grids = []
    for i, t in enumerate(order):
        view = [1] * len(order)
        view[i] = -1
        grids.append(t.reshape(tuple(view)).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
