"""What users pass to Tensor methods, normalised: dims, shapes, index keys, and operands
brought to a common dtype by PyTorch's promotion rules."""

import math
import numbers
import operator

import numpy as np

from . import dtypes as _dtypes
from .tensor import Tensor


# Here rather than in functions.py (mg.is_tensor): the functions of minigrad/ops ask it of their
# arguments, which they receive as Tensors without importing the class (tensor.py imports them).
def is_tensor(obj):
    """Whether ``obj`` is a minigrad Tensor."""
    return isinstance(obj, Tensor)


def _dim(dim, ndim):
    """``dim`` as a non-negative axis of an ``ndim``-d tensor (a 0-d tensor accepts 0 and -1)."""
    if type(dim) is not int and not isinstance(dim, numbers.Integral):
        raise TypeError(f"dim must be an int, got {type(dim).__name__} {dim!r}")
    if not -max(ndim, 1) <= dim < max(ndim, 1):
        raise IndexError(f"dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
                         f"{max(ndim, 1) - 1}], but got {dim})")
    return dim % max(ndim, 1) if ndim else 0


def _dims(dim, ndim):
    """Normalise ``dim`` (None, int or tuple) to a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, numbers.Integral):
        d = _dim(dim, ndim)
        return (d,) if ndim else ()
    if not isinstance(dim, (tuple, list)):
        raise TypeError(f"dim must be an int or a tuple of ints, got {type(dim).__name__} {dim!r}")
    dims = [_dim(d, ndim) for d in dim]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {list(dim)} contains a repeated dimension")
    return tuple(sorted(dims)) if ndim else ()


def _reduced_dims(dim, ndim):
    """The axes a reduction (``sum``, ``mean``, ``amax``, ``var``, ``norm``...) reduces: ``_dims``,
    except that an empty tuple or list means every dimension, as PyTorch reads ``dim=()`` there
    (``all``, ``any`` and ``flip`` read it as no dimension: they keep ``_dims``)."""
    return _dims(None if isinstance(dim, (tuple, list)) and not dim else dim, ndim)


def _shape_arg(args, op):
    """The ints of a size given as ``f(2, 3)`` or ``f((2, 3))``; a TypeError naming ``op`` for
    anything else (``reshape(2.5, 2)`` must not quietly become ``reshape(2, 2)``)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    size = []
    for a in args:
        try:
            size.append(operator.index(a))
        except TypeError:
            raise TypeError(f"{op}(): size must be a tuple of ints, got {type(a).__name__} {a!r} "
                            f"in {tuple(args)!r}") from None
    return tuple(size)


def _new_size(args, op):
    """The size of a tensor being created: ints (as ``_shape_arg``), none negative."""
    size = _shape_arg(args, op)
    for d in size:
        if d < 0:
            raise RuntimeError(f"{op}(): Trying to create tensor with negative dimension {d}: {list(size)}")
    return size


def _infer_shape(shape, numel, op="reshape"):
    for s in shape:
        if s < -1:
            raise RuntimeError(f"{op}: invalid shape dimension {s} in {list(shape)}")
    if -1 not in shape:
        known = 1
        for s in shape:
            known *= s
        if known != numel:
            raise RuntimeError(f"{op}: shape {list(shape)} is invalid for input of size {numel}")
        return shape
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if shape.count(-1) > 1 or known == 0 or numel % known:
        raise RuntimeError(f"{op}: shape {list(shape)} is invalid for input of size {numel}")
    return tuple(numel // known if s == -1 else s for s in shape)


# each dtype's range, and its name in PyTorch's "value cannot be converted to type ... without overflow"
_RANGE = {d: (int(np.iinfo(d.name).min), int(np.iinfo(d.name).max)) if d.category == "int"
          else (float(np.finfo(d.name).min), float(np.finfo(d.name).max))
          for d in _dtypes.ALL if d is not _dtypes.bool_}
_C_TYPE = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
           "float16": "c10::Half", "float32": "float", "float64": "double"}


def _limits(dtype, integral):
    """The values PyTorch accepts to write into ``dtype`` (its checked conversion): the dtype's
    range, except that an integer (``integral``) may go down to -max in an unsigned type, where it
    wraps as in C (-1 into uint8 is 255)."""
    low, high = _RANGE[dtype]
    return (-high if integral and low == 0 else low), high


def _wrapped(value, dtype):
    """A Python int as an arithmetic op with an integer tensor of ``dtype`` reads it (PyTorch): cast
    as C casts, modulo 2^bits (to uint8, 300 is 44 and -1 is 255); past 64 bits it raises."""
    low, high = _RANGE[dtype]
    if low <= value <= high:
        return value
    if not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError("int too big to convert")  # PyTorch's words
    return (value - low) % (high - low + 1) + low


def _scalar_as(value, dtype):
    """A Python number as ``dtype``'s kind of Python scalar, converted as PyTorch converts a value
    it writes (fill, full, clamp bounds, where, alpha): 2.7 into an integer tensor is 2, 0.5 into a
    bool one True, an int down to -max wraps into an unsigned one (-1 into uint8 is 255).

    A value the dtype cannot hold raises PyTorch's error: 300 or -1.5 into uint8, NaN into an
    integer, 1e39 into float32 (infinities and NaN do fill a floating tensor)."""
    if dtype is _dtypes.bool_:
        return bool(value)
    integral = isinstance(value, numbers.Integral)
    low, high = _limits(dtype, integral)
    if dtype.is_floating_point:
        value = float(value)
        if low <= value <= high or value != value or value in (math.inf, -math.inf):
            return value
    elif integral:
        value = int(value)
        if low <= value <= high:
            return _wrapped(value, dtype)
    elif low <= float(value) <= high:
        return int(value)
    raise RuntimeError(f"value cannot be converted to type {_C_TYPE[dtype.name]} without overflow")


def _exponent(value, dtype):
    """A Python number as ``pow``'s exponent for a ``dtype`` base (PyTorch's checks): an integer
    base refuses a negative integer exponent and one out of its range (uint8 ** 300)."""
    if dtype.category == "int" and isinstance(value, int) and value < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _scalar_as(value, dtype)


def _as_tensor_like(value, like, dtype):
    return Tensor._wrap(like.device.backend.asarray(value, dtype, like.device.index), like.device)


def _promote(a, b, true_div=False, scalar=None):
    """Bring ``a`` (a Tensor) and ``b`` (Tensor or Python number) to PyTorch's common dtype.

    A number ``b`` is converted by ``scalar``: ``_scalar_as`` (a value to be written: checked
    against the dtype's range), ``_exponent``, or by default as an arithmetic operand
    (``_wrapped``: only an int meeting an integer dtype changes)."""
    if isinstance(b, Tensor):
        if a.array.dtype is b.array.dtype and not true_div:  # the common case, decided cheaply
            return a, b
        da = a.dtype
        if da is b.dtype:
            if true_div and not da.is_floating_point:
                target = _dtypes.get_default_dtype()
                return a.type(target), b.type(target)
            return a, b
        target = _dtypes.promote_types(a.dtype, b.dtype, a.ndim == 0, b.ndim == 0)
        if true_div and not target.is_floating_point:
            target = _dtypes.get_default_dtype()
        return a.type(target), b.type(target)
    if type(b) is float and a.array.dtype in a.device.backend.float_dtypes and not true_div \
            and scalar is None:
        return a, b  # the common case, decided cheaply: a float scalar keeps a float tensor's dtype
    if isinstance(b, np.generic):  # a NumPy scalar (x / np.sqrt(d)) acts as the Python number, as in PyTorch
        b = b.item()
    if isinstance(b, (float, int)) or isinstance(b, numbers.Number):  # the ABC check is slow: last
        da = a.dtype
        target = _dtypes.scalar_result_dtype(da, b)
        if true_div and not target.is_floating_point:
            target = _dtypes.get_default_dtype()
        if target is not da:
            a = a.type(target)
        if isinstance(b, bool) or not isinstance(b, (int, float)):
            b = _scalar_as(b, target)
        elif scalar is not None:
            b = scalar(b, target)
        elif type(b) is int and target.category == "int":
            b = _wrapped(b, target)
        return a, b
    if isinstance(b, (np.ndarray, list, tuple)) or hasattr(b, "__array_namespace__"):
        return _promote(a, _as_tensor_like(b, a, None), true_div)
    raise TypeError(f"unsupported operand type for Tensor: {type(b).__name__}")


def _index_array(index, device):
    if isinstance(index, Tensor):
        if index.device != device:
            raise RuntimeError(f"index on {index.device} but tensor on {device}")
        return index.array
    return device.backend.asarray(index, _dtypes.int64, device.index)


def _key(key, like):
    """Turn Tensor, list and NumPy parts of an index key into arrays of ``like``'s device."""
    if isinstance(key, list) and len(key) < 32 and any(  # PyTorch (NumPy's old rule) reads such a
            k is None or k is Ellipsis or isinstance(k, (Tensor, list, tuple, slice, np.ndarray))
            for k in key):  # list as a tuple: x[[[0, 1], [1, 2]]] is x[[0, 1], [1, 2]]
        key = tuple(key)
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    at = 0  # the dimension of ``like`` that the part indexes (until an Ellipsis)
    for k in parts:
        if k is Ellipsis and Ellipsis in out:
            continue  # PyTorch reads a second ``...`` as covering no dimensions
        if isinstance(k, slice) and k.step is not None and k.step < 0:
            raise ValueError(f"index: slice step must be greater than zero, got {k.step} "
                             "(flip reverses a tensor)")
        if isinstance(k, Tensor):
            if k.device != like.device:
                raise RuntimeError(f"indexing a {like.device} tensor with a {k.device} index tensor")
            if k.dtype.category not in ("int", "bool"):
                raise IndexError(f"tensors used as indices must be long, int, byte or bool tensors, "
                                 f"got {k.dtype}")
            k = k.array if k.ndim or k.dtype.category == "bool" else int(k.item())
        elif isinstance(k, (list, np.ndarray)):
            host = np.asarray(k)
            if host.dtype.kind == "f" or host.size == 0:  # PyTorch reads a list's floats as integers
                host = host.astype(np.int64)
            k = like.device.backend.asarray(host, None, like.device.index)
        mask = getattr(k, "dtype", None) == like.device.xp.bool
        if mask and Ellipsis not in out:
            _check_mask(k.shape, like.shape, at)
        at += 0 if k is None else k.ndim if mask else 1
        out.append(k)
    return tuple(out) if isinstance(key, tuple) else out[0]


def _split_key(key, like):
    """PyTorch applies integer indices first, as selections, and index arrays to what is left:
    x[0, :, [1, 2]] is x[0][:, [1, 2]], of shape (3, 2), where NumPy counts the integer as one
    more index array and gives (2, 3). For a key (from ``_key``) with both: ``(basic, rest)``,
    the integers, slices and None with each array's dimensions kept whole, then the arrays on
    that result; None for any other key, which NumPy reads as PyTorch does."""
    if not isinstance(key, tuple) or not any(type(k) is int for k in key) \
            or not any(hasattr(k, "shape") for k in key):
        return None
    spans = [k.ndim if getattr(k, "dtype", None) == like.device.xp.bool else 1 if hasattr(k, "shape")
             else 0 if k is None or k is Ellipsis else 1 for k in key]  # input dimensions each reads
    basic, rest = [], []
    for k, span in zip(key, spans):
        if k is Ellipsis:
            basic.append(k)
            rest += [slice(None)] * (like.ndim - sum(spans))
        elif type(k) is int:
            basic.append(k)
        elif hasattr(k, "shape"):
            basic += [slice(None)] * span
            rest.append(k)
        else:  # a slice or None: one dimension of the result
            basic.append(k)
            rest.append(slice(None))
    return tuple(basic), tuple(rest)


def _check_mask(mask, shape, at):
    if tuple(shape[at:at + len(mask)]) != tuple(mask):
        raise IndexError(f"index: the shape of the mask {list(mask)} at index {at} does not match the "
                         f"shape of the indexed tensor {list(shape)} at index {at}")


def _broadcast_shape(a, b):
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(x if y == 1 else y for x, y in zip(a, b))
