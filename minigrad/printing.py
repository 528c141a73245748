"""``set_printoptions``: how tensors print (PyTorch's names, applied through NumPy's formatter)."""

import math

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = {}  # only what the user set: unset options keep NumPy's formatting


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Digits after the point (``precision``), the element count above which a tensor prints as a
    summary (``threshold``), the items kept at each edge of a summary (``edgeitems``), the line
    width, a ``profile`` ("default", "short", "full") and ``sci_mode`` (True: always scientific,
    False: never, None: automatic). Process-wide, as in PyTorch."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        _options.update(_PROFILES[profile])
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    _options.update({k: v for k, v in given.items() if v is not None})
    if sci_mode is not None:
        _options["sci_mode"] = bool(sci_mode)


def array2string_options():
    """Keyword arguments for ``numpy.array2string`` (large tensors print summarised, as PyTorch)."""
    kw = {k: _options[k] for k in ("precision", "edgeitems", "linewidth") if k in _options}
    threshold = _options.get("threshold", 1000)
    kw["threshold"] = threshold if threshold != math.inf else 2 ** 62
    if "sci_mode" in _options:
        sci = _options["sci_mode"]
        kw["suppress"] = not sci
        if sci:
            precision = _options.get("precision", 4)
            kw["formatter"] = {"float_kind": lambda v: f"{v:.{precision}e}"}
    return kw
