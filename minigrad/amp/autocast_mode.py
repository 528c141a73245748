"""``autocast``: accepted so that mixed-precision scripts run; it changes no dtype."""

import functools

from .. import backend as _backend


class autocast:  # noqa: N801 - PyTorch's name
    """A region where PyTorch would run some ops in ``dtype``; in minigrad nothing changes.

    On every device (CPU and CUDA alike) each op inside the region computes in the dtype of its
    inputs, exactly as outside, so results equal those without ``autocast``: no float16 speed-up,
    no float16 rounding. It is accepted, with PyTorch's signature and argument checks, so that
    scripts written for automatic mixed precision run unchanged; works as a context manager and
    as a decorator.

    Args:
        device_type: ``"cpu"`` or ``"cuda"`` (or another registered device type), as a string.
        dtype: the dtype PyTorch would use (recorded as ``fast_dtype``; default float16 on
            ``"cuda"``, None elsewhere: PyTorch's CPU default, bfloat16, does not exist here).
        enabled: recorded; the region does nothing either way.
        cache_enabled: accepted and ignored.

    Raises:
        ValueError: ``device_type`` is not a string.
        RuntimeError: ``device_type`` names no known device type.

    Example:
        >>> import minigrad as mg
        >>> @autocast("cpu", dtype=mg.float16)
        ... def double(x):
        ...     return x * 2
        >>> double(mg.ones(1)).dtype
        minigrad.float32
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _backend._by_device_type:
            raise RuntimeError(f"autocast: unknown device_type {device_type!r}; expected one of "
                               f"{sorted(_backend._by_device_type)}")
        if dtype is None and device_type == "cuda":
            from ..dtypes import float16
            dtype = float16
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper
