"""The two ways to define an op: ``Op`` (minigrad's built-ins) and ``Function`` (PyTorch's contract).

``Op``: ``forward(ctx, *arrays, **attrs)`` runs on backend arrays (``ctx.xp`` is their namespace)
and returns an array or a tuple of arrays; ``backward(ctx, *grads)`` is written with Tensor ops.
``apply`` resolves the device once, wraps the results in Tensors and records the node. Every
built-in op in ``minigrad/ops`` is one.

``Function``: PyTorch's ``torch.autograd.Function``, for users. ``forward(ctx, *args, **kwargs)``
receives Tensors and runs with recording off (or ``forward(*args)`` plus ``setup_context(ctx,
inputs, output)``); ``backward(ctx, *grads)`` returns one gradient (or None) per forward input.

Both backwards are written with Tensor ops, so under ``create_graph=True`` the backward pass is
recorded too and gradients of gradients come for free.
"""

import functools

from .. import backend as _backend
from ..dtypes import get_default_dtype
from ..tensor import Tensor
from . import views
from .grad_mode import _enabled, no_grad
from .node import Node


def _describe(args):
    parts = [f"{tuple(a.shape)} {a.dtype.name} on {a.device}" if isinstance(a, Tensor) else repr(a)
             for a in args]
    return "inputs: " + ", ".join(parts)


def _mismatch(err, args):
    """``err`` in PyTorch's words where it says the Tensor arguments' shapes do not broadcast."""
    if "could not be broadcast together with shapes" not in str(err):  # elementwise ops only
        return err
    shapes = [tuple(a.shape) for a in args if isinstance(a, Tensor)]
    n = max(map(len, shapes), default=0)
    for i in range(1, n + 1):
        sizes = [(s[-i], "abcdefgh"[k]) for k, s in enumerate(shapes) if len(s) >= i and s[-i] != 1]
        for size, name in sizes[1:]:
            if size != sizes[0][0]:
                return (f"the size of tensor {sizes[0][1]} ({sizes[0][0]}) must match the size of tensor "
                        f"{name} ({size}) at non-singleton dimension {n - i}")
    return err


def _inputs(ctx, name, args):
    """Read the arguments in one pass: return the device of the Tensor arguments, their arrays,
    and ``(index, Tensor)`` for the Tensor inputs that need no gradient (None when there are
    none); fill in ``ctx``'s edges when recording and some input requires grad (else
    ``ctx.next`` is None): per positional input, the node or leaf its gradient goes to
    (``next``, None for no gradient), which output of that node the input was
    (``next_output_nr``), and ``needs_input_grad``."""
    device = None
    recording = _enabled.get()
    wanted = False
    raw = []
    targets, output_nrs, needs = ([], [], []) if recording else (None, None, None)
    constants = None
    for a in args:
        if isinstance(a, Tensor):
            d = a.device
            if device is None:
                device = d
            elif d is not device and d != device:
                raise RuntimeError(
                    f"{name}: expected all tensors on the same device, found {device} and {d}; "
                    "move one explicitly with .to()")
            raw.append(a.array)
            if recording:
                if a._base is not None and a._version[0] != a._view_version:
                    views.refresh(a)
                if a._requires_grad:
                    fn = a._grad_fn
                    targets.append(a if fn is None else fn)
                    output_nrs.append(a._output_nr)
                    needs.append(True)
                    wanted = True
                    continue
                if constants is None:
                    constants = []
                constants.append((len(targets), a))
        else:
            raw.append(a)
        if recording:
            targets.append(None)
            output_nrs.append(0)
            needs.append(False)
    if wanted:
        # three flat tuples, not a tuple per edge: of them only ``next`` holds objects the
        # garbage collector walks (bench_chain's scalar chain: 7.5 -> 4 tracked objects a step)
        ctx.next = tuple(targets)
        ctx.next_output_nr = tuple(output_nrs)
        ctx.needs_input_grad = tuple(needs)
    else:
        ctx.next = None
        ctx.needs_input_grad = ()
    if device is None:
        device = _backend.default_device()
    return device, raw, constants


class Op(Node):
    """Base class of the built-in ops: forward on arrays, backward in Tensor ops.

    Subclass with static ``forward(ctx, *arrays, **attrs)`` and ``backward(ctx, *grads)``; call
    ``MyOp.apply(*tensors, **attrs)``. ``backward`` returns one gradient Tensor (or None) per
    positional input; gradients of broadcast inputs are summed back to the input's shape by the
    engine, not by the op.

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
    is_view = False  # True when the output may share storage with input 0 (it does if NumPy says so)
    writes_one_value = False  # True when every output element is one value: it may go into an expand()

    @classmethod
    def apply(cls, *args, **attrs):
        ctx = object.__new__(cls._node_class)
        device, raw, constants = _inputs(ctx, cls.__name__, args)  # the edges: forward reads them
        # the node's fields set inline, as in Function.apply: a shared helper call cost 6% of the
        # scalar chain in bench_chain (159k -> 169k instructions a step)
        ctx.xp = device.xp
        ctx.device = device
        ctx._to_save = ()
        if cls.floating_only:
            raw = ctx._floating(raw)
        try:
            out = cls.forward(ctx, *raw, **attrs)
        except (ValueError, TypeError) as err:
            raise RuntimeError(f"{cls.__name__}: {_mismatch(err, args)} ({_describe(args)})") from err

        if cls.moves_device:
            ctx.device = device = attrs["device"]
        record = ctx.next is not None
        backend = device.backend
        wrap = Tensor._wrap
        if type(out) is not tuple:  # the common case: one output
            if type(out) is not backend.array_type:
                out = ctx._as_array(out)
            if record and out.dtype in backend.float_dtypes and not ctx._non_differentiable:
                result = Tensor._output_of(ctx, 0, out, device)
            else:
                result = wrap(out, device)
            results = (result,)
        else:
            outs = [o if type(o) is backend.array_type else ctx._as_array(o) for o in out]
            results = result = tuple(
                Tensor._output_of(ctx, i, o, device)
                if record and o.dtype in backend.float_dtypes and i not in ctx._non_differentiable
                else wrap(o, device)
                for i, o in enumerate(outs))
        if cls.is_view and backend.shares_memory(results[0].array, raw[0]):
            several = type(result) is tuple
            for i, r in enumerate(results):
                views.track(r, args[0], cls, attrs, i if several else None)
        if record:
            ctx._record(args, raw, results, attrs, constants)
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

    @staticmethod
    def forward(ctx, *args, **attrs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(f"{ctx.name} is not differentiable")


class Function(Node):
    """PyTorch's custom autograd function: forward on Tensors, backward on Tensors.

    Subclass with static ``forward(ctx, *args, **kwargs)`` (Tensors in, Tensors out, run with
    recording off) and ``backward(ctx, *grad_outputs)`` returning one gradient per input of
    ``forward`` (None for inputs that are not Tensors or need none); call ``MyFn.apply(...)``.
    Alternatively define ``forward(*args, **kwargs)`` without ``ctx`` plus
    ``setup_context(ctx, inputs, output)``. ``ctx`` offers ``save_for_backward``,
    ``saved_tensors``, ``needs_input_grad``, ``mark_dirty``, ``mark_non_differentiable`` and
    ``set_materialize_grads``.

    >>> import minigrad as mg
    >>> class Cube(mg.autograd.Function):
    ...     # y = x³;  dy/dx = 3x²
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x ** 3
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return grad * 3 * x ** 2
    >>> x = mg.tensor([2.0], requires_grad=True)
    >>> y = Cube.apply(x)
    >>> y.backward(mg.ones(1))
    >>> x.grad, type(y.grad_fn).__name__
    (tensor([12.]), 'CubeBackward')
    """

    node_suffix = "Backward"
    _dirty = ()

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(f"{ctx.name}: backward is not implemented")

    vjp = backward  # PyTorch's alias

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = object.__new__(cls._node_class)
        device, raw, constants = _inputs(ctx, cls.__name__, args)
        ctx.xp = device.xp
        ctx.device = device
        ctx._to_save = ()
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        outputs = output if isinstance(output, tuple) else (output,)
        dirty = []  # (output number, input forward modified in place) to rebase onto this node
        results = tuple(ctx._wrap_output(i, o, args, dirty) for i, o in enumerate(outputs))
        if ctx.next is not None:
            tensors = [r for r in results if isinstance(r, Tensor)]
            ctx._record(args, raw, tensors, kwargs, constants)
            ctx.out_shapes = tuple([r.array.shape if isinstance(r, Tensor) else () for r in results])
            ctx.out_dtypes = tuple([r.array.dtype if isinstance(r, Tensor) else None for r in results])
        for i, t in dirty:  # once recorded: a view's CopySlices must come after this node
            views.rebase(t, Tensor._output_of(ctx, i, t.array, t.device))
        return results if isinstance(output, tuple) else results[0]

    def _wrap_output(self, index, out, args, dirty):
        """Output ``index`` of forward as a Tensor of this node's graph (an input marked dirty is
        returned as is, its version counted, and listed in ``dirty`` when it is differentiable)."""
        if not isinstance(out, Tensor):
            return out
        differentiable = (self.next is not None and out.dtype.is_floating_point
                          and not any(out is t for t in self._non_differentiable))
        if any(out is t for t in self._dirty):  # modified in place: it takes its new place
            out._version[0] += 1  # before the node saves it, as PyTorch's mark_dirty
            if differentiable:
                views.check_inplace_allowed(out)
                dirty.append((index, out))
            return out
        alias = any(out is a for a in args) or out._base is not None
        if alias:
            out = out.detach()  # an input returned as is, or a view: a new Tensor of this node
            out._base = None
        if differentiable:
            out._grad_fn, out._output_nr, out._requires_grad = self, index, True
            out._function_alias = alias  # written in place, it would bypass this backward: refused
        return out

    # --- ctx -----------------------------------------------------------------------------------
    def mark_dirty(self, *tensors):
        """Declare inputs that forward modified in place (and returned)."""
        self._dirty = tensors

    def set_materialize_grads(self, value):
        """With False, backward receives None (not zeros) for outputs that got no gradient."""
        self.materialize_grads = bool(value)

    def _backward(self, grads):
        result = self.backward(self, *grads)
        result = result if isinstance(result, tuple) else (result,)
        inputs = len(self.next)
        if len(result) > inputs and all(g is None for g in result[inputs:]):
            result = result[:inputs]  # PyTorch allows trailing Nones
        if len(result) != inputs:
            raise RuntimeError(f"function {self.name} returned an incorrect number of gradients "
                               f"(expected {inputs}, got {len(result)})")
        checked = []
        for i, (g, target, nr) in enumerate(zip(result, self.next, self.next_output_nr)):
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"function {self.name} returned a {type(g).__name__} as gradient {i}; "
                                "expected a Tensor or None")
            if g is not None and target is not None:
                expected = target.array.dtype if isinstance(target, Tensor) else target.out_dtypes[nr]
                if g.array.dtype != expected:  # PyTorch casts a custom gradient to its input's dtype
                    g = g.type(self.device.backend.dtype_of[expected])
            checked.append(g if target is not None else None)
        return tuple(checked)


def once_differentiable(backward):
    """Decorate a custom ``backward`` that is not itself differentiable: it runs with recording
    off, and differentiating its result (``create_graph=True``, then backward again) raises."""

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            result = backward(ctx, *grads)
        if not _enabled.get() or not any(isinstance(g, Tensor) and g.requires_grad for g in grads):
            return result
        inputs = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        wrapped = tuple(_DelayedError.apply(r, *inputs, name=ctx.name) if isinstance(r, Tensor) else r
                        for r in (result if isinstance(result, tuple) else (result,)))
        return wrapped if isinstance(result, tuple) else wrapped[0]
    return wrapper


class _DelayedError(Op):
    """The identity, whose backward raises: what ``once_differentiable`` returns under create_graph."""

    @staticmethod
    def forward(ctx, x, *inputs, name):
        return x

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(f"trying to differentiate twice a function that was marked with "
                           f"@once_differentiable ({ctx.attrs['name']})")


class _Restored(Op):
    """``value``, as a result of ``leaf``: how a leaf's saved value, given back by an unpack hook as
    a copy (``save_on_cpu``), routes its gradient to that leaf under ``create_graph=True``."""

    @staticmethod
    def forward(ctx, leaf, value):
        return value

    @staticmethod
    def backward(ctx, grad):
        return grad, None
