"""Backends and devices: which array namespace holds a tensor, and the one-flag GPU toggle.

A device string names a backend's device: ``"cpu"`` is NumPy, ``"cuda"``/``"cuda:N"`` is CuPy.
``set_backend("cupy")`` makes ``"cuda"`` the default device for new tensors; other backends
(the tests' array-api-strict stand-in for a GPU) join through ``register_backend``.
"""

import contextlib
import os

from .base import ArrayAPIBackend
from .cupy_backend import CupyBackend
from .numpy_backend import NumpyBackend

__all__ = ["ArrayAPIBackend", "Device", "device", "register_backend", "set_backend", "get_backend",
           "use_backend", "default_device"]

_factories = {"numpy": NumpyBackend, "cupy": CupyBackend}
_backends = {}  # name -> backend instance, created on first use
_by_device_type = {"cpu": "numpy", "cuda": "cupy"}


def register_backend(name, backend):
    """Make ``backend`` (an ``ArrayAPIBackend``) available as ``name`` and its ``device_type``."""
    _backends[name] = backend
    _by_device_type[backend.device_type] = name
    _device_cache.clear()


def _backend(name):
    backend = _backends.get(name)
    if backend is None:
        if name not in _factories:
            raise ValueError(f"unknown backend {name!r}; known: {sorted(set(_factories) | set(_backends))}")
        backend = _backends[name] = _factories[name]()
    return backend


class Device:
    """A place where tensors live: ``type`` (``"cpu"``, ``"cuda"``, ...) and an optional ``index``."""

    __slots__ = ("type", "index", "backend", "xp", "_str")

    def __init__(self, type, index, backend):
        self.type = type
        self.index = index
        self.backend = backend
        self.xp = backend.xp
        self._str = type if index is None else f"{type}:{index}"

    def __repr__(self):
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"

    def __str__(self):
        return self._str

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, Device) and self._str == other._str

    def __hash__(self):
        return hash(self._str)

    def __reduce__(self):
        # copy.deepcopy(model) and pickle rebuild the device by name instead of copying the backend
        return (device, (self._str,))


_device_cache = {}


def device(spec):
    """Parse ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or a ``Device`` into a usable ``Device``.

    Raises a RuntimeError naming what is missing (CuPy, or a GPU) when the device cannot be used.
    """
    if isinstance(spec, Device):
        return spec
    found = _device_cache.get(spec)
    if found is not None:
        return found
    if not isinstance(spec, str):
        raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', got {spec!r}")
    type_, _, index = spec.partition(":")
    if type_ not in _by_device_type:
        hint = ""
        if type_.startswith(("float", "int", "uint", "bool", "bfloat", "complex", "half", "double", "long")):
            hint = "; a dtype is passed as a dtype object such as mg.float64, not as a string"
        raise ValueError(f"unknown device {spec!r}; expected one of {sorted(_by_device_type)} "
                         f"(optionally ':N'){hint}")
    backend = _backend(_by_device_type[type_])
    why_not = backend.available()
    if why_not:
        raise RuntimeError(why_not)
    if type_ == "cpu":
        index = None
    elif backend.device_count() > 1 or index:
        index = int(index or 0)
        if index >= backend.device_count():
            raise RuntimeError(f"device {spec!r} does not exist: {backend.device_count()} {type_} "
                               "device(s) found")
    else:
        index = 0 if type_ == "cuda" else None
    found = _device_cache[spec] = Device(type_, index, backend)
    return found


def device_of(array):
    """The Device that holds a backend array (NumPy, CuPy or a registered namespace)."""
    for type_, name in _by_device_type.items():
        backend = _backend(name)
        if backend.available() is None and isinstance(array, backend.array_type):
            index = backend.device_index(array)
            return device(type_ if index is None else f"{type_}:{index}")
    return None


_default = "numpy"  # per process, as PyTorch's default device: every thread sees the same


def get_backend():
    """The name of the backend whose device new tensors go to (``"numpy"`` or ``"cupy"``)."""
    return _default


def default_device():
    """The Device new tensors are created on."""
    return device(_backend(_default).device_type)


def _usable(name):
    backend = _backend(name)
    why_not = backend.available()
    if why_not:
        raise RuntimeError(why_not)
    return device(backend.device_type)


def set_backend(name):
    """Make ``name``'s device the default for new tensors; fails at once, changing nothing, if unusable."""
    global _default
    _usable(name)
    _default = name


def get_default_device():
    """PyTorch's name for ``default_device()``."""
    return default_device()


def set_default_device(device_):
    """PyTorch's spelling of ``set_backend``: "cpu" (or None) selects NumPy, "cuda" CuPy."""
    kind = "cpu" if device_ is None else device(device_).type
    set_backend("cupy" if kind == "cuda" else "numpy")


@contextlib.contextmanager
def use_backend(name):
    """``with mg.use_backend("cupy"):`` scopes ``set_backend`` (for the whole process)."""
    global _default
    target = _usable(name)
    previous, _default = _default, name
    try:
        yield target
    finally:
        _default = previous


def _init_from_environment():
    """``MINIGRAD_BACKEND=cupy`` picks the default backend. One that is known but unusable here (no
    CuPy, no GPU) warns in one line and leaves NumPy the default, so ``import minigrad`` still works
    and says why it is on the CPU; an unknown name is a typo and stays an error."""
    name = os.environ.get("MINIGRAD_BACKEND")
    if not name:
        return
    try:
        set_backend(name)
    except RuntimeError as err:
        import warnings
        why = err.args[0] if err.args else type(err).__name__
        # warn_explicit with no source file: one line, not a line of minigrad's code under it
        warnings.warn_explicit(f"MINIGRAD_BACKEND={name} ignored, using numpy (CPU): {why}",
                               RuntimeWarning, "minigrad", 0, module="minigrad.backend")
