"""Whether operations are recorded for backprop: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

import contextvars
import functools

_enabled = contextvars.ContextVar("minigrad_grad_enabled", default=True)
is_grad_enabled = _enabled.get


class _GradMode:
    """A context manager that is also a decorator."""

    mode = None

    def __enter__(self):
        self._token = _enabled.set(self.mode)

    def __exit__(self, *exc):
        _enabled.reset(self._token)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """Do not record operations: results never require grad. Context manager or decorator."""

    mode = False


class enable_grad(_GradMode):
    """Record operations again inside a ``no_grad`` region. Context manager or decorator."""

    mode = True


class set_grad_enabled(_GradMode):
    """``with set_grad_enabled(flag):`` records operations when ``flag`` is true."""

    def __init__(self, mode):
        self.mode = bool(mode)

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper
