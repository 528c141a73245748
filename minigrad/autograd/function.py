"""``Function``: an op's forward (on backend arrays) and backward (on Tensors) side by side.

``apply`` resolves the device once, runs ``forward`` on raw arrays, wraps the results in Tensors
and, when gradients are needed, records the call as a node of the graph: the node is the ``ctx``
itself, holding the edges to its inputs, what ``forward`` saved, the op's attributes and the
module scope it ran in. ``backward`` is written with Tensor ops, so under ``create_graph=True``
the backward pass is recorded too and gradients of gradients come for free.
"""

import contextvars
import itertools
import traceback

from .. import backend as _backend
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from .grad_mode import _enabled

_sequence = itertools.count()
_scope = contextvars.ContextVar("minigrad_scope", default=())
_anomaly = contextvars.ContextVar("minigrad_anomaly", default=False)


class scope:
    """Record the ops run inside as belonging to ``module`` (``nn.Module.__call__`` uses this).

    A class, not a ``contextlib`` generator: it runs on every module call, and costs half as much."""

    __slots__ = ("module", "token")

    def __init__(self, module):
        self.module = module

    def __enter__(self):
        self.token = _scope.set(_scope.get() + (self.module,))

    def __exit__(self, *exc):
        _scope.reset(self.token)


def _describe(args):
    parts = [f"{tuple(a.shape)} {a.dtype.name} on {a.device}" if isinstance(a, Tensor) else repr(a)
             for a in args]
    return "inputs: " + ", ".join(parts)


_new = object.__new__
_make = Tensor._make


class _Output:
    """A saved output: its array is kept, the Tensor is rebuilt on unpack (no reference cycle)."""

    __slots__ = ("index", "array", "counter")

    def __init__(self, index, array, counter):
        self.index = index
        self.array = array
        self.counter = counter  # the output Tensor's version counter (a shared list)


class Op:
    """Base class of every built-in op. Subclass with static ``forward(ctx, *arrays, **attrs)`` and
    ``backward(ctx, *grads)``; call ``MyFunction.apply(*tensors, **attrs)``.

    ``forward`` receives backend arrays (``ctx.xp`` is their namespace) and returns an array or a
    tuple of arrays; ``backward`` receives one gradient Tensor per output and returns one
    gradient Tensor (or None) per positional input. Gradients of broadcast inputs are summed
    back to the input's shape by the engine, not by the op.

    >>> import minigrad as mg
    >>> class Square(Op):
    ...     # y = x²;  dy/dx = 2x
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * 2 * x
    >>> x = mg.tensor([3.0], requires_grad=True)
    >>> Square.apply(x).sum().backward()
    >>> x.grad
    tensor([6.])
    """

    moves_device = False  # True for the op whose output lives on ``attrs["device"]``
    floating_only = False  # True when integer inputs are promoted to the default float dtype
    is_view = False  # True when the output shares storage (and so the version counter) with input 0
    next = None  # edges (target, output_nr, shape) per positional input; None when not recorded
    _non_differentiable = ()
    _to_save = ()
    _hooks = None

    @classmethod
    def apply(cls, *args, **attrs):
        device = None
        needs_grad = False
        raw = []
        for a in args:
            if isinstance(a, Tensor):
                d = a.device
                if device is None:
                    device = d
                elif d is not device and d != device:
                    raise RuntimeError(
                        f"{cls.__name__}: expected all tensors on the same device, found {device} and "
                        f"{d}; move one explicitly with .to()")
                if a._requires_grad:
                    needs_grad = True
                raw.append(a.array)
            else:
                raw.append(a)
        if device is None:
            device = _backend.default_device()
        ctx = _new(cls)
        ctx.xp = device.xp
        ctx.device = device
        if cls.floating_only:
            raw = ctx._floating(raw)
        try:
            out = cls.forward(ctx, *raw, **attrs)
        except (ValueError, TypeError) as err:
            raise RuntimeError(f"{cls.__name__}: {err} ({_describe(args)})") from err

        if cls.moves_device:
            ctx.device = device = attrs["device"]
        record = needs_grad and _enabled.get()
        backend = device.backend
        if type(out) is not tuple:  # the common case: one output
            if type(out) is not backend.array_type:
                out = ctx._as_array(out)
            if record and out.dtype in backend.float_dtypes and not ctx._non_differentiable:
                result = _make(out, device, True, ctx, 0)
            else:
                result = _make(out, device, False, None, 0)
            results = (result,)
        else:
            outs = [o if type(o) is backend.array_type else ctx._as_array(o) for o in out]
            results = result = tuple(
                _make(o, device, True, ctx, i)
                if record and o.dtype in backend.float_dtypes and i not in ctx._non_differentiable
                else _make(o, device, False, None, 0)
                for i, o in enumerate(outs))
        if cls.is_view:
            for r in results:
                r._version = args[0]._version
                r._view = True
        if record:
            ctx._record(args, raw, results, attrs)
        return result

    def _floating(self, raw):
        """Integer and bool inputs of a floating-only op become the default dtype (PyTorch)."""
        backend = self.device.backend
        default = backend.native_dtype[get_default_dtype()]
        out = []
        for r in raw:
            if type(r) is backend.array_type and r.dtype not in backend.float_dtypes:
                r = self.xp.astype(r, default)
            out.append(r)
        return out

    def _as_array(self, value):
        """NumPy returns scalars from 0-d operations: make them arrays, and what was saved too."""
        array = self.xp.asarray(value)
        if self._to_save:
            self._to_save = tuple(array if s is value else s for s in self._to_save)
        return array

    def _record(self, args, raw, results, attrs):
        edges = []
        for a in args:  # a loop, not a comprehension: this runs for every recorded op
            if isinstance(a, Tensor) and a._requires_grad:
                fn = a.grad_fn
                edges.append((a if fn is None else fn, a._output_nr, a.array.shape))
            else:
                edges.append(None)
        self.next = tuple(edges)
        self.seq = next(_sequence)
        self.attrs = attrs
        self.scope = _scope.get()
        if len(results) == 1:
            out = results[0].array
            self.out_meta = ((out.shape, out.dtype),)
        else:
            self.out_meta = tuple([(r.array.shape, r.array.dtype) for r in results])
        to_save = self._to_save
        if to_save:
            self._saved = [self._resolve(item, args, raw, results) for item in to_save]
            self._to_save = ()  # the raw arrays: keep only the resolved entries
        else:
            self._saved = ()
        if _anomaly.get():
            self.trace = "".join(traceback.format_stack(limit=12)[:-2])

    @property
    def needs_input_grad(self):
        """Per positional input, whether a gradient is wanted (backward may skip the others)."""
        return tuple([e is not None for e in self.next])

    @staticmethod
    def _resolve(item, args, raw, results):
        if item is None:
            return None
        if isinstance(item, Tensor):
            return item, item._version[0]
        for a, r in zip(args, raw):
            if r is item and isinstance(a, Tensor):
                return a, a._version[0]
        for i, r in enumerate(results):
            if r.array is item:
                return _Output(i, item, r._version), r._version[0]
        return item, None

    # --- what forward and backward use ---------------------------------------------------------
    def save_for_backward(self, *items):
        """Keep arrays (inputs, outputs or intermediates) or Tensors for ``backward``."""
        self._to_save = items

    def mark_non_differentiable(self, *indices):
        """Declare outputs (by position) that never carry gradients, such as argmax indices."""
        self._non_differentiable = indices

    @property
    def saved_tensors(self):
        """The saved values as Tensors: inputs and outputs stay connected to the graph."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time (or to read saved "
                "tensors after they were freed); call .backward(retain_graph=True) the first time")
        out = []
        for entry in saved:
            if entry is None:
                out.append(None)
                continue
            value, version = entry
            if isinstance(value, Tensor):  # an input
                if value._version[0] != version:
                    self._modified(value.describe(), value._version[0], version)
                out.append(value)
            elif type(value) is _Output:
                if value.counter[0] != version:
                    self._modified(f"output {value.index} of {self.name}", value.counter[0], version)
                out.append(Tensor._make(value.array, self.device, True, self, value.index))
            elif isinstance(value, (int, float)):
                out.append(value)
            else:
                out.append(Tensor._make(value, self.device, False, None, 0))
        return tuple(out)

    def _modified(self, what, version, expected):
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {what} is at version {version}; expected version {expected} (saved by {self.name})")

    @property
    def name(self):
        """The op's name as shown in errors and pictures, e.g. ``MulBackward``."""
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self):
        """PyTorch's view of the edges: ``((node_or_leaf, output_nr), ...)``."""
        return tuple(None if e is None else (e[0], e[1]) for e in (self.next or ()))

    def register_hook_for_output(self, output_nr, fn):
        if self._hooks is None:
            self._hooks = {}
        self._hooks.setdefault(output_nr, []).append(fn)

    def release(self):
        """Free what was saved for backward (the engine calls this unless ``retain_graph``)."""
        self._saved = None

    def __repr__(self):
        return f"<{self.name}>"

    @staticmethod
    def forward(ctx, *args, **attrs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(f"{ctx.name} is not differentiable")


Function = Op  # replaced by PyTorch's custom-function contract in the next commit
