"""``set_printoptions``: how tensors print (PyTorch's names, applied through NumPy's formatter)."""

import math

import numpy as np

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
    Process-wide, as in PyTorch."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _options.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    _options.update({k: v for k, v in given.items() if v is not None})
    _options["sci_mode"] = None if sci_mode is None else bool(sci_mode)  # every call sets it, as PyTorch's


def array2string_options(host):
    """Keyword arguments for ``numpy.array2string`` that print ``host`` (a NumPy array) as PyTorch
    prints it: large tensors summarised; floats whose finite values are all whole numbers as
    ``1.``; otherwise ``precision`` digits after the point (4), or scientific notation when the
    nonzero magnitudes span more than 10³, exceed 10⁸ or go below 10⁻⁴ (``sci_mode`` overrides)."""
    threshold = _options.get("threshold", 1000)
    kw = {"precision": _options.get("precision", 4), "edgeitems": _options.get("edgeitems", 3),
          "max_line_width": _options.get("linewidth", 80),
          "threshold": threshold if threshold != math.inf else 2 ** 62}
    if host.dtype.kind != "f":
        return kw
    shown = _summarized(host, kw["edgeitems"]) if host.size > kw["threshold"] else host
    finite = np.abs(shown[np.isfinite(shown)]).astype(np.float64)
    nonzero = finite[finite != 0]
    whole = bool(np.all(finite == np.ceil(finite)))
    sci = _options.get("sci_mode")
    if sci is None and nonzero.size:
        top, bottom = nonzero.max(), nonzero.min()
        sci = top > 1e8 if whole else (top / bottom > 1e3 or top > 1e8 or bottom < 1e-4)
    if sci:
        width = max((len(f"{v:.{kw['precision']}e}") for v in shown.flat), default=0)
        kw["formatter"] = {"float_kind": lambda v: f"{v:.{kw['precision']}e}".rjust(width)}
    elif not whole:
        kw.update(floatmode="fixed", suppress_small=True)
    else:
        kw["suppress_small"] = True
    return kw


def _summarized(host, edgeitems):
    """The elements a summary shows: the first and last ``edgeitems`` along every axis."""
    for axis, n in enumerate(host.shape):
        if n > 2 * edgeitems:
            ends = [host.take(range(edgeitems), axis), host.take(range(n - edgeitems, n), axis)]
            host = np.concatenate(ends, axis)
    return host
