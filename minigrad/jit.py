"""``mg.jit``: accepted so that scripts decorated for TorchScript run; minigrad has no compiler.

``script`` and ``trace`` return what they are given (a function or module runs eagerly, with the
same results); ``ignore``, ``unused`` and ``export`` are plain decorators; ``is_scripting`` and
``is_tracing`` are False. Saving a scripted module (``torch.jit.save``) has no counterpart: use
``mg.save(model.state_dict(), path)``.
"""


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """``obj`` itself (a function or module runs as Python)."""
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """``func`` itself: nothing is recorded, the Python code runs on each call."""
    return func


def ignore(drop=False, **kwargs):
    """Decorator (with or without arguments) that leaves the function as it is."""
    return drop if callable(drop) else (lambda fn: fn)


def unused(fn):
    return fn


def export(fn):
    return fn


def is_scripting():
    return False


def is_tracing():
    return False
