"""Text for the pictures: shapes, numbers, op attributes, and tensor values brought to the host.

Values cross to the host explicitly (``backend.to_numpy``), and only what a label needs: a norm is
computed on the tensor's device and only the scalar is transferred.
"""

import math


# --- formatting ---------------------------------------------------------------------------------
def fmt_shape(shape):
    shape = tuple(shape)
    return "scalar" if not shape else "×".join(str(s) for s in shape)


def fmt_num(x):
    if x is None:
        return "?"
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    a = abs(x)
    if 1e-3 <= a < 1e4:
        return f"{x:.4g}"
    return f"{x:.2e}"


def _fmt_key_part(k):
    if isinstance(k, slice):
        parts = ["" if v is None else str(v) for v in (k.start, k.stop, k.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if k.step is not None else "")
    if k is None:
        return "None"
    if k is Ellipsis:
        return "..."
    if isinstance(k, (int, bool)):
        return str(k)
    if hasattr(k, "shape"):
        return f"idx{fmt_shape(k.shape)}"
    return None


_SPATIAL = frozenset({"stride", "padding", "dilation", "kernel_size", "output_padding", "window"})


def _flatten(v):
    out = []
    stack = [v]
    while stack:
        item = stack.pop()
        if isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def fmt_attr_value(key, v):
    """A short text for an attribute, or None to leave it out (big or unprintable values)."""
    if key == "key":
        parts = v if isinstance(v, tuple) else (v,)
        texts = [_fmt_key_part(k) for k in parts]
        if None in texts or len(parts) > 6:
            return None
        return "[" + ", ".join(texts) + "]"
    if key in _SPATIAL and isinstance(v, (tuple, list)):
        flat = _flatten(v)
        if flat and all(x == flat[0] for x in flat) and isinstance(flat[0], int):
            v = flat[0]  # stride=(2, 2) reads as stride=2, as in PyTorch's module repr
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        s = repr(v) if isinstance(v, str) else str(v)
    elif isinstance(v, float):
        s = fmt_num(v)
    elif isinstance(v, (tuple, list)) and len(v) <= 8 and all(
            isinstance(x, (int, float, bool)) or x is None for x in v):
        s = "(" + ", ".join(fmt_num(x) if isinstance(x, float) else str(x) for x in v) + \
            ("," if len(v) == 1 else "") + ")"
    elif hasattr(v, "is_floating_point") and hasattr(v, "name"):  # a minigrad dtype
        s = v.name
    elif hasattr(v, "shape"):  # arrays: too big to print
        return None
    else:
        s = str(v)
    return s if len(s) <= 32 else None


def fmt_attrs(attrs):
    """``'dim=(1,) keepdim=True'`` from a node's attributes, skipping big ones."""
    out = []
    for k, v in (attrs or {}).items():
        if k.startswith("_"):
            continue
        s = fmt_attr_value(k, v)
        if s is not None:
            out.append(f"{k}={s}")
    return " ".join(out)


def dtype_name(device, native):
    try:
        return device.backend.dtype_of[native].name
    except (KeyError, AttributeError):
        return str(native)


# --- values (explicit host transfers: a picture lives on the host) -------------------------------
def norm_of(t):
    """The 2-norm of a Tensor's values as a Python float (computed on its device)."""
    if t is None:
        return None
    xp = t.device.xp
    a = t.array
    if a.dtype not in t.device.backend.float_dtypes:
        return None
    if t.dtype.itemsize < 4:
        a = xp.astype(a, t.device.backend.native_dtype[_float32()])
    n = xp.sqrt(xp.sum(a * a))
    return float(t.device.backend.to_numpy(n))


def _float32():
    from .. import dtypes
    return dtypes.float32


def host_values(t):
    """The tensor's values as a NumPy array (an explicit copy to the host)."""
    return t.device.backend.to_numpy(t.array)


def summary(t, limit=6):
    """A short text of a tensor's values: all of them when few, else mean/std/min/max."""
    import numpy as np
    a = np.asarray(host_values(t), dtype=float)
    if a.size == 0:
        return "empty"
    if a.ndim == 0:
        return fmt_num(float(a))
    if a.size <= limit:
        return "[" + ", ".join(fmt_num(float(x)) for x in a.ravel()) + "]"
    return (f"μ={fmt_num(float(a.mean()))} σ={fmt_num(float(a.std()))} "
            f"[{fmt_num(float(a.min()))}, {fmt_num(float(a.max()))}]")


def scalar_value(t):
    if t is None or t.numel() != 1:
        return None
    return float(host_values(t).reshape(()))
