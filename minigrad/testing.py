"""``mg.testing.assert_close``: PyTorch's comparison of tensors (or numbers, or nested sequences
and mappings of them) for tests, with its default tolerances per dtype and its messages."""

import numpy as np

from .dtypes import float16, float32, float64
from .tensor import Tensor

# (rtol, atol) by dtype, PyTorch's defaults; integers and bool compare exactly
_TOLERANCES = {float16: (1e-3, 1e-5), float32: (1.3e-6, 1e-5), float64: (1e-7, 1e-7)}


def assert_close(actual, expected, *, rtol=None, atol=None, equal_nan=False, check_device=True,
                 check_dtype=True, check_stride=False, msg=None):
    """Raise ``AssertionError`` unless |actual - expected| ≤ atol + rtol·|expected| elementwise,
    with equal shapes (and dtypes and devices unless told not to check them).

    >>> import minigrad as mg
    >>> assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-7]))
    """
    if (rtol is None) != (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}.")
    if isinstance(actual, dict) and isinstance(expected, dict):
        if actual.keys() != expected.keys():
            raise AssertionError(msg or f"The keys of the mappings do not match: {list(actual)} != "
                                 f"{list(expected)}")
        for key in actual:
            assert_close(actual[key], expected[key], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_device=check_device, check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            raise AssertionError(msg or f"The length of the sequences mismatch: {len(actual)} != "
                                 f"{len(expected)}")
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=check_device,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(actual, Tensor) != isinstance(expected, Tensor):
        raise AssertionError(msg or f"Expected both inputs to be tensors or both numbers, got "
                             f"{type(actual).__name__} and {type(expected).__name__}")
    if isinstance(actual, Tensor):
        for attribute, a, e, check in (("shape", tuple(actual.shape), tuple(expected.shape), True),
                                        ("device", actual.device, expected.device, check_device),
                                        ("dtype", actual.dtype, expected.dtype, check_dtype)):
            if check and a != e:
                raise AssertionError(msg or f"The values for attribute '{attribute}' do not match: "
                                     f"{a} != {e}.")
        default = _TOLERANCES.get(actual.dtype, (0.0, 0.0))
        a, e = actual.detach().cpu().numpy(), expected.detach().cpu().numpy()
    else:
        floats = isinstance(actual, float) or isinstance(expected, float)
        default = _TOLERANCES[float64] if floats else (0.0, 0.0)
        a, e = np.asarray(actual), np.asarray(expected)
    rtol, atol = (rtol, atol) if rtol is not None else default
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    close = np.isclose(a64, e64, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if close.all():
        return
    diff = np.abs(a64 - e64)
    rel = diff / np.maximum(np.abs(e64), np.finfo(np.float64).tiny)
    where_abs = np.unravel_index(np.nanargmax(np.where(close, 0, diff)), diff.shape) if diff.ndim else ()
    where_rel = np.unravel_index(np.nanargmax(np.where(close, 0, rel)), rel.shape) if rel.ndim else ()
    kind = "Tensor-likes" if isinstance(actual, Tensor) else "Scalars"
    raise AssertionError(msg or (
        f"{kind} are not close!\n\nMismatched elements: {int((~close).sum())} / {close.size} "
        f"({100 * (~close).sum() / close.size:.1f}%)\n"
        f"Greatest absolute difference: {diff[where_abs]} at index {tuple(int(i) for i in where_abs)} "
        f"(up to {atol} allowed)\n"
        f"Greatest relative difference: {rel[where_rel]} at index {tuple(int(i) for i in where_rel)} "
        f"(up to {rtol} allowed)"))


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """PyTorch's deprecated spelling: ``assert_close`` without the dtype check."""
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False,
                 msg=msg or None)
