"""How tensors print: PyTorch's ``torch/_tensor_str.py`` layout, character for character.

``repr(t)`` writes ``tensor(`` + the elements + suffixes (``device=``, ``size=``, ``dtype=``,
``grad_fn=``/``requires_grad=``) + ``)``. The elements go through PyTorch's ``_Formatter``: every
element gets the width of the widest nonzero finite one (zeros, ``inf`` and ``nan`` do not widen a
column); floats are written with ``precision`` digits after the point, as ``1.`` when every nonzero
finite value is whole, or in scientific notation when those magnitudes span more than 10³ or leave
[10⁻⁴, 10⁸]. Above ``threshold`` elements, each dimension keeps ``edgeitems`` rows at each end
around ``...``. Rows wrap at ``linewidth``. The only difference from PyTorch's text is the module
name in ``dtype=minigrad.float64``.
"""

import math

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = {}  # only what the user set; the rest are PyTorch's defaults


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Digits after the point (``precision``), the element count above which a tensor prints as a
    summary (``threshold``), the items kept at each edge of a summary (``edgeitems``), the line
    width, a ``profile`` ("default", "short", "full") and ``sci_mode`` (True: always scientific,
    False: never, None: automatic; as in PyTorch, a call without it sets it back to None).
    Process-wide, as in PyTorch.

    >>> import minigrad as mg
    >>> mg.set_printoptions(threshold=5, edgeitems=2)
    >>> mg.arange(10)
    tensor([0, 1,  ..., 8, 9])
    >>> mg.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _options.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    _options.update({k: v for k, v in given.items() if v is not None})
    _options["sci_mode"] = None if sci_mode is None else bool(sci_mode)  # every call sets it, as PyTorch's


def tensor_repr(tensor):
    """``repr(tensor)`` as PyTorch writes it (``Tensor.__repr__``).

    >>> import minigrad as mg
    >>> mg.tensor([[1e-5, -0.0], [float("nan"), 3e10]], dtype=mg.float64)
    tensor([[1.0000e-05, -0.0000e+00],
            [       nan, 3.0000e+10]], dtype=minigrad.float64)
    """
    opts = {**_PROFILES["default"], "sci_mode": None, **_options}
    prefix = "tensor("
    host = tensor.device.backend.to_numpy(tensor.array)
    suffixes = []
    if tensor.device != _backend.default_device():
        suffixes.append(f"device='{tensor.device}'")
    if host.size == 0:
        body = "[]"
        if host.ndim != 1:
            suffixes.append(f"size={host.shape}")
        if tensor.dtype is not _dtypes.get_default_dtype():  # no element to tell int64 or bool by
            suffixes.append(f"dtype={tensor.dtype}")
    else:
        body = _elements(host, len(prefix), opts)
        if not opts["edgeitems"]:  # a summary would show no element (PyTorch adds it unsummarized too)
            suffixes.append(f"size={host.shape}")
        if tensor.dtype not in (_dtypes.get_default_dtype(), _dtypes.int64, _dtypes.bool_):
            suffixes.append(f"dtype={tensor.dtype}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn=<{tensor.grad_fn.name}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, len(prefix), opts["linewidth"])


def _elements(host, indent, opts):
    """The nested brackets of a nonempty array whose first line starts ``indent`` columns in."""
    summarize = host.size > opts["threshold"]
    shown = _summarized(host, opts["edgeitems"]) if summarize else host
    cells, width = _format(shown, opts["precision"], opts["sci_mode"])
    cut = opts["edgeitems"] if summarize else None
    return _nest(cells, host.shape, indent, cut, opts["linewidth"], width)


def _summarized(host, edgeitems):
    """The elements a summary shows: the first and last ``edgeitems`` along every axis (none when
    ``edgeitems`` is 0)."""
    if not edgeitems:
        return host[:0] if host.ndim else host
    for axis, n in enumerate(host.shape):
        if n > 2 * edgeitems:
            host = np.take(host, np.r_[:edgeitems, n - edgeitems:n], axis)
    return host


def _format(shown, precision, sci_mode):
    """PyTorch's ``_Formatter``: each element as text right-aligned to a common width, and that width.

    Integers and bools are written as Python writes them. Floats: only the nonzero finite values
    choose the notation and the width (a minimum of 1)."""
    values = shown.ravel().tolist()  # Python numbers: formatted from the exact value, as PyTorch's
    if shown.dtype.kind != "f":
        texts = [str(v) for v in values]
        width = max(map(len, texts), default=1)
    else:
        counted = np.isfinite(shown) & (shown != 0)
        nonzero = np.abs(shown[counted]).astype(np.float64)
        whole = bool(np.all(nonzero == np.ceil(nonzero)))
        sci = False
        if nonzero.size:
            low, high = nonzero.min(), nonzero.max()
            sci = high / low > 1e3 or high > 1e8 or low < 1e-4 if sci_mode is None else sci_mode
        if sci:
            texts = [f"{v:.{precision}e}" for v in values]
        elif whole:  # "1." says "floating point" where "1" would not; inf and nan get no point
            texts = [f"{v:.0f}" + ("." if math.isfinite(v) else "") for v in values]
        else:
            texts = [f"{v:.{precision}f}" for v in values]
        width = max((len(t) for t, c in zip(texts, counted.ravel().tolist()) if c), default=1)
    cells = np.array([t.rjust(width) for t in texts], dtype=object).reshape(shown.shape)
    return cells, width


def _nest(cells, shape, indent, cut, linewidth, width):
    """``[...]`` around the ``width``-wide cells of an array of ``shape``, one more space of indent
    per level; a row of numbers wraps before ``linewidth``. ``cut``: the ``edgeitems`` of a summary
    (a dimension longer than twice that keeps that many rows at each end around ``...``), or None."""
    if not shape:
        return cells.item()
    if len(shape) > 1:
        rows = [_nest(row, shape[1:], indent + 1, cut, linewidth, width) for row in cells]
    else:
        rows = cells.tolist()
    if cut is not None and shape[0] > 2 * cut:
        rows[cut:cut] = [" ..." if len(shape) == 1 and cut else "..."]
    if len(shape) > 1:
        return "[" + ("," + "\n" * (len(shape) - 1) + " " * (indent + 1)).join(rows) + "]"
    per_line = max(1, math.floor((linewidth - indent) / (width + 2)))
    lines = [", ".join(rows[i:i + per_line]) for i in range(0, len(rows), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _add_suffixes(text, suffixes, indent, linewidth):
    """``, suffix`` after ``text``, each on a new line when it would pass ``linewidth``; then ``)``.

    A suffix is measured as PyTorch spells it (``torch.`` for ``minigrad.``), so lines break where
    PyTorch's do. The last line's length counts two more than it holds, as PyTorch's does."""
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        size = len(suffix.replace("minigrad.", "torch."))
        if last + size + 2 > linewidth:
            text += ",\n" + " " * indent + suffix
            last = indent + size
        else:
            text += ", " + suffix
            last += size + 2
    return text + ")"
