"""``mg.compile``: accepted so that scripts run; minigrad has no compiler and returns what it is given."""

_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable=False):
    """Return ``model`` itself, unchanged: the same object, the same speed, the same results.

    PyTorch's ``torch.compile`` traces the model and generates fused kernels; minigrad runs every
    op eagerly on every device, so nothing is compiled and nothing gets faster. Unlike PyTorch,
    a module is not wrapped (PyTorch returns an ``OptimizedModule`` whose state-dict keys gain an
    ``_orig_mod.`` prefix), so ``mg.compile(model) is model`` and its state dict is unchanged.
    Works as ``mg.compile(model)``, ``@mg.compile`` and ``@mg.compile(mode=...)``.

    Raises:
        TypeError: ``model`` is not callable.
        RuntimeError: an unknown ``mode``, or both ``mode`` and ``options`` (PyTorch's checks).

    Example:
        >>> import minigrad.nn as nn
        >>> m = nn.Linear(2, 2)
        >>> compile(m) is m
        True
    """
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the "
                           "same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:
        return compile
    if not callable(model):
        raise TypeError(f"A callable function is expected, but {type(model)} is provided.")
    return model


def is_compiling():
    """False: nothing is ever being compiled (``torch.compiler.is_compiling``)."""
    return False
