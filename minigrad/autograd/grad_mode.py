"""Whether operations are recorded for backprop, per thread, as in PyTorch.

``no_grad``, ``enable_grad``, ``inference_mode`` and ``set_grad_enabled`` are context managers
and decorators; ``set_grad_enabled(flag)`` also works as a plain call. The mode lives in a
``ContextVar``: every thread starts with recording on, whatever another thread has set. The
objects keep the modes they replaced on a per-thread stack, so one object may be shared by
threads, nested, and reused.
"""

import contextvars
import functools
import threading

_enabled = contextvars.ContextVar("minigrad_grad_enabled", default=True)
is_grad_enabled = _enabled.get


class _GradMode:
    """Sets the grad mode on entry and restores the previous one on exit; also a decorator."""

    mode = None

    def __init__(self):
        self._saved = threading.local()

    def _push(self, mode):
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(_enabled.get())
        _enabled.set(mode)

    def __enter__(self):
        self._push(self.mode)

    def __exit__(self, *exc):
        _enabled.set(self._saved.stack.pop())

    def __call__(self, fn):
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_GradMode):
    """Do not record operations: results never require grad. Context manager or decorator."""

    mode = False


class enable_grad(_GradMode):
    """Record operations again inside a ``no_grad`` region. Context manager or decorator."""

    mode = True


class inference_mode(_GradMode):
    """``with inference_mode():`` records nothing, like ``no_grad`` (``mode=False`` records again).

    Note:
        PyTorch also marks the tensors made inside as inference tensors and skips their version
        counters; minigrad has no such tensors, so this is exactly ``set_grad_enabled(not mode)``.
    """

    def __init__(self, mode=True):
        super().__init__()
        self.mode = not mode

    def clone(self):
        return type(self)(not self.mode)


class set_grad_enabled(_GradMode):
    """``set_grad_enabled(flag)`` sets the mode now; as a context manager it is restored on exit.

    >>> import minigrad as mg
    >>> _ = mg.set_grad_enabled(False)
    >>> mg.is_grad_enabled()
    False
    >>> _ = mg.set_grad_enabled(True)
    """

    def __init__(self, mode):
        super().__init__()
        self.mode = bool(mode)
        self._push(self.mode)  # PyTorch sets the mode at construction, so a bare call works

    def __enter__(self):
        pass  # set already by __init__

    def __call__(self, fn):
        _enabled.set(self._saved.stack.pop())  # a decorator changes nothing until the call
        return super().__call__(fn)

    def clone(self):
        return type(self)(self.mode)
