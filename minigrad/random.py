"""Random number generators: ``mg.manual_seed`` makes every factory and initialiser reproducible.

A ``Generator`` holds one seed and derives a stream per backend from it: a NumPy ``Generator``
for the host (also used by backends that draw on the host) and a CuPy one per GPU.
"""

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes
from .tensor import Tensor


class Generator:
    """A seedable source of random numbers, as ``torch.Generator``."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._numpy = np.random.default_rng(self._seed)
        self._cupy = {}
        self._gpu_seeds = {}  # GPU index (None: every GPU) -> seed from mg.cuda.manual_seed(_all)
        return self

    def seed_device(self, index, seed):
        """Reseed only the stream of GPU ``index`` (None: every GPU), as ``torch.cuda.manual_seed``.

        The host stream is untouched; a GPU stream not created yet starts from this seed when it is.
        """
        if index is None:
            self._gpu_seeds = {None: int(seed)}
            self._cupy = {}
        else:
            self._gpu_seeds[index] = int(seed)
            self._cupy.pop(index, None)
        return self

    def initial_seed(self):
        return self._seed

    def numpy_rng(self):
        return self._numpy

    def cupy_rng(self, index):
        rng = self._cupy.get(index)
        if rng is None:
            import cupy
            seed = self._gpu_seeds.get(index, self._gpu_seeds.get(None, self._seed))
            rng = self._cupy[index] = cupy.random.default_rng(seed)
        return rng

    def get_state(self):
        """The host stream's state (a dict), for ``set_state``."""
        return self._numpy.bit_generator.state

    def set_state(self, state):
        self._numpy.bit_generator.state = state
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator: every random factory and initialiser becomes reproducible."""
    return default_generator.manual_seed(seed)


def seed():
    """Re-seed the default generator non-deterministically; returns the new seed."""
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    default_generator.manual_seed(s)
    return s


def initial_seed():
    return default_generator.initial_seed()


def _random(kind, shape, generator, dtype, device, requires_grad, **kw):
    dev = _backend.default_device() if device is None else _backend.device(device)
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.as_dtype(dtype)
    shape = tuple(int(s) for s in shape)
    array = dev.backend.random(generator or default_generator, kind, shape, dtype, dev.index, **kw)
    return Tensor._wrap(array, dev).requires_grad_(requires_grad)


def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples from [0, 1)."""
    return _random("uniform", _shape(size), generator, dtype, device, requires_grad, low=0.0, high=1.0)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples."""
    return _random("normal", _shape(size), generator, dtype, device, requires_grad, mean=0.0, std=1.0)


def randint(low, high=None, size=(), generator=None, dtype=None, device=None, requires_grad=False):
    """Integers uniform in [low, high) (``randint(high, size)`` also works, as in PyTorch)."""
    if high is None:
        low, high = 0, low
    return _random("integers", tuple(size), generator, dtype or _dtypes.int64, device, requires_grad,
                   low=int(low), high=int(high))


def randperm(n, generator=None, dtype=None, device=None):
    """A random permutation of 0 … n-1."""
    return _random("permutation", (int(n),), generator, dtype or _dtypes.int64, device, False)


def rand_like(t, generator=None, dtype=None, requires_grad=False):
    return rand(t.shape, generator=generator, dtype=dtype or t.dtype, device=t.device,
                requires_grad=requires_grad)


def randn_like(t, generator=None, dtype=None, requires_grad=False):
    return randn(t.shape, generator=generator, dtype=dtype or t.dtype, device=t.device,
                 requires_grad=requires_grad)


def bernoulli_mask(shape, p, like, generator=None):
    """A bool tensor on ``like``'s device, True with probability ``p`` (dropout's keep-mask)."""
    return _random("bernoulli", shape, generator, _dtypes.bool_, like.device, False, p=p)


def _fill_random(t, kind, generator, **kw):
    """Overwrite ``t`` in place with random values (``normal_``, ``uniform_``, ``nn.init``)."""
    from .autograd.grad_mode import no_grad
    sample = _random(kind, t.shape, generator, t.dtype, t.device, False, **kw)
    with no_grad():
        return t.copy_(sample)
