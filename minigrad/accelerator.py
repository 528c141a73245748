"""``mg.accelerator``: the device-agnostic way to ask for the GPU, as ``torch.accelerator``.

minigrad's only accelerator is CUDA through CuPy, so each function answers for CUDA, and on a
machine without a usable GPU answers as PyTorch does without an accelerator. The idiom of the
official examples works unchanged:

>>> import minigrad as mg
>>> device = mg.accelerator.current_accelerator().type if mg.accelerator.is_available() else "cpu"
>>> device in ("cpu", "cuda")
True
"""

from . import backend as _backend
from . import cuda as _cuda


def is_available():
    """True when a GPU can be used (CuPy installed and a GPU present): ``mg.cuda.is_available()``."""
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """``mg.device("cuda")`` when a GPU can be used, else None.

    PyTorch returns the accelerator it was built for even when no such device is present (unless
    ``check_available=True``); minigrad decides when called, so the answer is the same with or
    without ``check_available``: a device only when it can be used.
    """
    return _backend.device("cuda") if _cuda.is_available() else None


def device_count():
    """The number of GPUs (0 without CuPy or a GPU)."""
    return _cuda.device_count()


def synchronize(device=None):
    """Wait for all queued GPU work to finish (a no-op without a GPU)."""
    _cuda.synchronize()


def empty_cache():
    """Return cached GPU memory to the driver: ``mg.cuda.empty_cache()`` (a no-op without a GPU)."""
    _cuda.empty_cache()


def memory_allocated(device_index=None):
    """Bytes held by live GPU tensors: ``mg.cuda.memory_allocated`` (0 without a GPU)."""
    return _cuda.memory_allocated(device_index)
