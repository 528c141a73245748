"""``mg.cuda``: whether a GPU can be used, how many, seeding, memory, and waiting for it.

Every function here is safe to call without CuPy or a GPU: the query functions then answer as
PyTorch does on a machine without CUDA (``False``, 0), and the actions (seeding, emptying the
cache, synchronising) do nothing, so the same script runs on both.
"""

import sys

from . import backend as _backend
from . import random as _random


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


def manual_seed(seed):
    """Seed the random numbers drawn on the current GPU (``"cuda"``, device 0), leaving the CPU's alone.

    As in PyTorch it may be called without a GPU: the seed is kept and used if a GPU stream is
    ever created. ``mg.manual_seed`` seeds the CPU and every GPU at once.
    """
    _random.default_generator.seed_device(0, seed)


def manual_seed_all(seed):
    """Seed the random numbers drawn on every GPU, leaving the CPU's alone (safe without a GPU)."""
    _random.default_generator.seed_device(None, seed)


def _device_index(device):
    if device is None:
        return 0
    if isinstance(device, int):
        return device
    return _backend.device(device).index or 0


def memory_allocated(device=None):
    """Bytes of GPU memory held by live tensors on ``device`` (default: device 0); 0 without a GPU.

    Counted by CuPy's memory pool, through which every minigrad GPU array is allocated; memory
    that the pool keeps cached for reuse is not included (see ``memory_reserved``).
    """
    if not is_available():
        return 0
    return _cupy_backend().memory_used(_device_index(device))


def memory_reserved(device=None):
    """Bytes of GPU memory CuPy's pool holds on ``device``, in use or cached; 0 without a GPU."""
    if not is_available():
        return 0
    return _cupy_backend().memory_reserved(_device_index(device))


def empty_cache():
    """Return the GPU memory that CuPy's pools keep cached (no live tensor is touched); no-op without a GPU.

    The memory then shows as free in ``nvidia-smi``; ``memory_allocated`` does not change.
    """
    if is_available():
        _cupy_backend().empty_cache()


def get_device_name(device=None):
    """The GPU's name, as the CUDA driver reports it (raises without a GPU, as PyTorch does)."""
    why_not = why_unavailable()
    if why_not:
        raise RuntimeError(why_not)
    return _cupy_backend().device_name(_device_index(device))


def is_bf16_supported(including_emulation=True):
    """False: minigrad has no bfloat16 dtype on any device (scripts then choose float16 or float32)."""
    return False


from .amp import cuda_amp as amp  # noqa: E402 - torch.cuda.amp's deprecated spellings

sys.modules[__name__ + ".amp"] = amp  # so that ``from minigrad.cuda.amp import GradScaler`` works too
