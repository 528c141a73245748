"""Random number generators: ``mg.manual_seed`` makes every factory and initialiser reproducible.

A ``Generator`` holds one seed and derives a stream per backend from it: a NumPy ``Generator``
for the host (also used by backends that draw on the host) and a CuPy one per GPU.
"""

import contextlib
import json
import operator

import numpy as np

from . import backend as _backend
from . import dtypes as _dtypes
from .tensor import Tensor

# isort: split
# Tensor first: importing _coerce before it would reach tensor.py's own import of _coerce halfway.
from ._coerce import _broadcast_shape
from .ops.sampling import Bernoulli, Multinomial


class Generator:
    """A seedable source of random numbers, as ``torch.Generator``."""

    def __init__(self, device="cpu"):
        self.device = device
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))

    def manual_seed(self, seed):
        """Seeds from -2**63 to 2**64 - 1, as PyTorch; a negative one stands for seed + 2**64."""
        try:
            seed = operator.index(seed) if not isinstance(seed, str) else int(seed)
        except (TypeError, ValueError):
            raise ValueError(f"manual_seed: the seed must be an int, got {type(seed).__name__} "
                             f"{seed!r}") from None
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError(f"manual_seed: the seed must be in [-2**63, 2**64), got {seed}")
        self._seed = seed % 2 ** 64
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

    def _snapshot(self):
        """The state of every stream, host and GPU, for ``_restore``: what a checkpoint's
        recomputation starts from so that it draws the numbers its forward drew."""
        gpu = {index: _gpu_state(rng) for index, rng in self._cupy.items()}
        return self._numpy.bit_generator.state, dict(self._gpu_seeds), gpu

    def _restore(self, snapshot):
        host, seeds, gpu = snapshot
        self._numpy.bit_generator.state = host
        self._gpu_seeds = dict(seeds)
        for index in [i for i in self._cupy if i not in gpu]:
            del self._cupy[index]  # created since: it starts again from its seed when next used
        for index, state in gpu.items():
            _set_gpu_state(self.cupy_rng(index), state)


def _gpu_state(rng):
    """A copy of a CuPy stream's state. CuPy keeps its cuRAND states in a device array,
    ``bit_generator._state``, which no public API reads or writes."""
    import cupy
    bits = rng.bit_generator
    with cupy.cuda.Device(bits._current_device_id):
        return bits._state.copy()


def _set_gpu_state(rng, state):
    import cupy
    bits = rng.bit_generator
    with cupy.cuda.Device(bits._current_device_id):
        bits._state[...] = state


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


def get_rng_state():
    """The default generator's state as a uint8 tensor (PyTorch's type; the bytes are minigrad's
    own encoding), for ``set_rng_state``."""
    from .creation import tensor
    return tensor(list(json.dumps(default_generator.get_state()).encode()), dtype=_dtypes.uint8)


def set_rng_state(new_state):
    """Restore the default generator to a state from ``get_rng_state``."""
    default_generator.set_state(json.loads(bytes(new_state.tolist()).decode()))


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """On leaving, the default generator's streams (host and every GPU) are back where they were
    on entering, whatever was drawn inside (``torch.random.fork_rng``).

    ``devices`` and ``device_type`` are accepted for PyTorch's signature: every stream is forked.

    >>> import minigrad as mg
    >>> _ = mg.manual_seed(0)
    >>> with mg.random.fork_rng():
    ...     inside = mg.rand(2).tolist()
    >>> mg.rand(2).tolist() == inside
    True
    """
    if not enabled:
        yield
        return
    snapshot = default_generator._snapshot()
    try:
        yield
    finally:
        default_generator._restore(snapshot)


def _random(kind, shape, generator, dtype, device, requires_grad, **kw):
    from ._coerce import _new_size  # _coerce imports tensor, which imports this module
    dev = _backend.default_device() if device is None else _backend.device(device)
    dtype = _dtypes.get_default_dtype() if dtype is None else _dtypes.as_dtype(dtype)
    op = _FACTORY.get(kind, kind)
    shape = _new_size((shape,), op)
    if kind in ("uniform", "normal") and not dtype.is_floating_point:
        raise TypeError(f"{op}(): draws floating point numbers, not {dtype.name}; use randint for integers")
    array = dev.backend.random(generator or default_generator, kind, shape, dtype, dev.index, **kw)
    return Tensor._wrap(array, dev).requires_grad_(requires_grad)


_FACTORY = {"uniform": "rand", "normal": "randn", "integers": "randint", "permutation": "randperm"}


def _shape(size):
    return size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Uniform samples from [0, 1)."""
    return _random("uniform", _shape(size), generator, dtype, device, requires_grad, low=0.0, high=1.0)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal samples."""
    return _random("normal", _shape(size), generator, dtype, device, requires_grad, mean=0.0, std=1.0)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers uniform in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``.

    >>> import minigrad as mg
    >>> mg.randint(10, (3,)).shape, mg.randint(5, 7, (2, 2)).dtype
    ((3,), minigrad.int64)
    """
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    if not isinstance(size, (tuple, list)):
        got = high if size is None else size
        raise TypeError(f"randint(): argument 'size' must be a tuple of ints, not {type(got).__name__} "
                        "(randint(high, size) or randint(low, high, size))")
    if not low < high:
        raise RuntimeError(f"randint: expected 'low' to be less than 'high', but got low={low} >= "
                           f"high={high}")
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


def randint_like(t, low=0, high=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """``randint`` with ``t``'s shape, dtype and device (``randint_like(t, high)`` or ``(t, low, high)``)."""
    if high is None:
        low, high = 0, low
    return randint(low, high, t.shape, generator=generator, dtype=dtype or t.dtype,
                   device=device or t.device, requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Normal samples mean + std·ε, ε ~ N(0, 1): ``normal(mean, std, size)`` with numbers, or
    tensor ``mean``/``std`` (broadcast together; the sample is differentiable in both, as in PyTorch).

    >>> import minigrad as mg
    >>> mg.normal(2.0, 0.0, (2,)).tolist()
    [2.0, 2.0]
    """
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(): with number mean and std, give the size: normal(0.0, 1.0, (2, 3))")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        eps = randn(_shape((size,)), generator=generator, dtype=dtype, device=device)
        return (eps * std + mean).requires_grad_(requires_grad)
    if size is not None:
        raise TypeError("normal(): size is taken from the tensor mean/std; drop the size argument")
    if isinstance(std, Tensor) and std.numel() and bool((std < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    shape = _broadcast_shape(tensors[0].shape, tensors[-1].shape)
    eps = randn(shape, generator=generator, dtype=tensors[0].dtype, device=tensors[0].device)
    return mean + std * eps


def poisson(input, generator=None):
    """A draw of Poisson(λ) for each rate λ of ``input``, in ``input``'s dtype; no gradient."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"poisson: expected a floating point tensor of rates, got {input.dtype}")
    return _random("poisson", tuple(input.shape), generator, input.dtype, input.device, False,
                   lam=input.detach().array)


def bernoulli(input, p=None, *, generator=None):
    """0/1 samples, 1 with probability ``input`` elementwise (or ``p`` for every element), in
    ``input``'s dtype. Its gradient is zero."""
    return Bernoulli.apply(input, generator=generator or default_generator, prob=p)


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """``num_samples`` category indices per row of the non-negative weights ``input`` (1-d or 2-d).

    Without replacement each category is drawn at most once (``num_samples`` may not exceed the
    number of categories); with it, draws are independent.

    >>> import minigrad as mg
    >>> mg.multinomial(mg.tensor([0.0, 1.0, 0.0]), 2, replacement=True).tolist()
    [1, 1]
    """
    return Multinomial.apply(input, num_samples=int(num_samples), replacement=bool(replacement),
                             generator=generator or default_generator)


def bernoulli_mask(shape, p, like, generator=None):
    """A bool tensor on ``like``'s device, True with probability ``p`` (dropout's keep-mask)."""
    return _random("bernoulli", shape, generator, _dtypes.bool_, like.device, False, p=p)


def dropout_multiplier(shape, p, like, generator=None):
    """Inverted dropout's factor on ``like``'s device and dtype: 0 with probability ``p``, else 1/(1-p)."""
    dev = like.device
    if p == 1.0:
        return Tensor._wrap(dev.backend.full(shape, 0, like.array.dtype, dev.index), dev)
    keep = bernoulli_mask(shape, 1.0 - p, like, generator)
    return Tensor._wrap(dev.xp.astype(keep.array, like.array.dtype) * (1.0 / (1.0 - p)), dev)


def _fill_random(t, kind, generator, **kw):
    """Overwrite ``t`` in place with random values (``normal_``, ``uniform_``, ``nn.init``): a
    ``copy_`` of the draws, recorded as PyTorch records ``normal_``: no gradient reaches the
    values overwritten."""
    return t.copy_(_random(kind, t.shape, generator, t.dtype, t.device, False, **kw))
