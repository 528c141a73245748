"""``mg.cuda``: whether a GPU can be used, how many, and waiting for it."""

from . import backend as _backend


def _cupy_backend():
    return _backend._backend("cupy")


def is_available():
    """True when CuPy is installed and sees at least one GPU."""
    return _cupy_backend().available() is None


def device_count():
    """The number of GPUs CuPy sees (0 without CuPy or a GPU)."""
    return _cupy_backend().device_count() if is_available() else 0


def synchronize():
    """Wait for all queued GPU work to finish (a no-op without a GPU)."""
    if is_available():
        _cupy_backend().synchronize()


def why_unavailable():
    """None when CUDA is usable; otherwise the sentence saying what is missing."""
    return _cupy_backend().available()
