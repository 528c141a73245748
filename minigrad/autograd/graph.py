"""``torch.autograd.graph``: hooks on the values the graph keeps for backward.

A recorded op keeps what its backward needs (``ctx.save_for_backward``): some of its inputs, its
outputs, intermediate arrays. Inside ``saved_tensors_hooks(pack_hook, unpack_hook)`` each such
value is handed to ``pack_hook`` as a Tensor, once, when the node is recorded, and the node keeps
whatever ``pack_hook`` returns in its place; ``unpack_hook`` turns that back into a Tensor each
time the value is read (by the backward pass, or by ``ctx.saved_tensors``). Numbers an op saves
(a scalar operand) are kept as they are and no hook sees them.

* The hooks belong to the thread that set them (a ContextVar, as grad mode) and stack: only the
  innermost pair applies. They apply to built-in ops and custom ``Function``\\ s alike.
* A value kept through hooks is not checked against its version counter when it is read (what
  the hooks keep may be a copy that no in-place op can reach), as in PyTorch; values saved
  outside hooks still are.
* The Tensor ``unpack_hook`` returns takes the saved value's place in the graph: a saved output
  is an output of its node again, a saved input the output of the node that made it, a leaf
  routes its gradient to that leaf, so ``create_graph=True`` differentiates through hooked values.

``save_on_cpu`` is the pair that parks saved values in host memory; ``disable_saved_tensors_hooks``
marks a region where hooks cannot work (setting them there raises its message); activation
checkpointing (``mg.utils.checkpoint``) is built on these hooks.

Note:
    PyTorch only checks that ``unpack_hook`` returns a Tensor (``TypeError`` otherwise), and lets
    one of another shape or dtype through to the op's backward. minigrad also raises a
    ``RuntimeError`` when the shape, dtype or device differ from the value packed: a broadcastable
    shape would otherwise give wrong gradients silently, and another dtype a ``.grad`` of the
    wrong dtype.

>>> import minigrad as mg
>>> seen = []
>>> def pack(t):
...     seen.append(("pack", tuple(t.shape)))
...     return t.detach()
>>> def unpack(t):
...     seen.append(("unpack", tuple(t.shape)))
...     return t
>>> a = mg.ones(2, requires_grad=True)
>>> with mg.autograd.graph.saved_tensors_hooks(pack, unpack):
...     y = (a * a).sum()
>>> y.backward()
>>> seen
[('pack', (2,)), ('pack', (2,)), ('unpack', (2,)), ('unpack', (2,))]
"""

import contextlib
import contextvars
import threading

from ..tensor import Tensor
from .grad_mode import enable_grad

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class _Frame:
    """One entry of a thread's stack of hooks: a pair of hooks, or a region that refuses them
    (``refusal``, the message to raise)."""

    __slots__ = ("pack", "unpack", "refusal", "parent")

    def __init__(self, pack, unpack, refusal, parent):
        self.pack, self.unpack, self.refusal, self.parent = pack, unpack, refusal, parent


# The innermost frame of this thread (None: no hooks, nothing refused). Node._record reads it
# only when a node has something to save: one lookup, the whole cost of hooks to the hot path.
_top = contextvars.ContextVar("minigrad_saved_tensors_hooks", default=None)
_packing = threading.local()  # the node whose values are being packed (checkpoint's debug logs)


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Inside, each value saved for backward goes through ``pack_hook`` and back through ``unpack_hook``.

    Args:
        pack_hook: ``pack_hook(tensor) -> Any``, called once per saved value when its node is
            recorded; the node keeps the result instead of the tensor.
        unpack_hook: ``unpack_hook(packed) -> Tensor``, called each time the value is read; it
            must return a Tensor with the packed one's values, shape, dtype and device.

    Raises:
        RuntimeError: on entry, inside ``disable_saved_tensors_hooks`` (its message).

    Warning:
        A ``pack_hook`` that returns its argument itself keeps the node's outputs alive from the
        node (a reference cycle, freed by the garbage collector); return ``t.detach()`` instead.
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        top = _top.get()
        if top is not None and top.refusal is not None:
            raise RuntimeError(top.refusal)
        _top.set(_Frame(self.pack_hook, self.unpack_hook, None, top))

    def __exit__(self, *exc):
        _top.set(_top.get().parent)  # per thread: an object shared by threads pops its own frame


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """Saved values are kept in host memory and copied back to their device for backward.

    Trades GPU memory for transfers; on the CPU the values are kept as they are (no copy).

    Args:
        pin_memory: accepted for PyTorch's signature; CuPy's transfers are not asynchronous here,
            so the copy is the same either way.
        device_type: accepted for PyTorch's signature (the device each value returns to is the
            one it came from).
    """

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            return tensor.device, tensor.detach().cpu()

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """A region where saved-tensor hooks cannot be used: setting them inside raises
    ``RuntimeError(error_message)``, and so does recording a node that saves values under hooks
    set outside it.

    >>> import minigrad as mg
    >>> with mg.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
    ...     mg.autograd.graph.save_on_cpu().__enter__()
    Traceback (most recent call last):
    RuntimeError: no hooks here
    """
    token = _top.set(_Frame(None, None, error_message, _top.get()))
    try:
        yield
    finally:
        _top.reset(token)


def _innermost_hooks(top):
    """The frame whose hooks apply (None: none do); raises inside a refusing region with hooks set."""
    if top.refusal is None:
        return top
    frame = top.parent
    while frame is not None and frame.pack is None:
        frame = frame.parent
    if frame is not None:
        raise RuntimeError(top.refusal)
    return None


class _Packed:
    """A saved value as ``pack_hook`` left it, with what restores it into the graph on unpacking:
    the node output it was (``output``), or the node that made it (``grad_fn``, ``output_nr``),
    or the leaf it was (``leaf``); and its shape, dtype and device, which the unpacked Tensor must
    have."""

    __slots__ = ("packed", "unpack_hook", "shape", "dtype", "device", "output", "grad_fn", "output_nr",
                 "leaf")

    def __init__(self, frame, tensor, output=None):
        self.unpack_hook = frame.unpack
        self.shape, self.dtype, self.device = tensor.array.shape, tensor.array.dtype, tensor.device
        self.output = output
        self.grad_fn = self.leaf = None
        self.output_nr = 0
        if output is None and tensor._requires_grad:
            if tensor._grad_fn is not None:
                self.grad_fn, self.output_nr = tensor._grad_fn, tensor._output_nr
            else:
                self.leaf = tensor  # held by the node's edges already
        self.packed = frame.pack(tensor)

    def unpack(self, node=None):
        """The Tensor for the saved value, from ``unpack_hook``, put back in its place in the graph."""
        t = self.unpack_hook(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result of "
                            f"type {type(t).__name__}")
        array = t.array
        if array.shape != self.shape or array.dtype != self.dtype or t.device != self.device:
            saved = self.device.backend.dtype_of[self.dtype].name
            raise RuntimeError(
                f"unpack_hook returned a tensor of shape {tuple(array.shape)}, {t.dtype.name}, on {t.device} "
                f"for a saved tensor of shape {tuple(self.shape)}, {saved}, on {self.device}: it must give "
                "back the values pack_hook received")
        if self.output is not None:
            restored = Tensor._output_of(node, self.output, array, t.device)
        elif self.grad_fn is not None:
            restored = Tensor._output_of(self.grad_fn, self.output_nr, array, t.device)
        elif self.leaf is not None:
            if array is self.leaf.array:
                return self.leaf
            from .function import _Restored  # function.py imports node.py, which imports this module
            with enable_grad():
                return _Restored.apply(self.leaf, t)
        else:
            return t.detach() if t._requires_grad else t
        restored._version = t._version
        return restored


def _pack(node, entries, results, top):
    """``node``'s saved entries ``(value, version)`` with each tensor value replaced by what the
    innermost pack hook made of it (version None: not checked); numbers and None stay."""
    from .node import _Output  # node.py imports this module
    frame = _innermost_hooks(top)
    if frame is None:
        return entries
    packed = []
    _packing.node = node
    try:
        for value, version in entries:
            if value is None or isinstance(value, (int, float)):
                packed.append((value, version))
                continue
            if type(value) is _Output:
                value = _Packed(frame, results[value.index], output=value.index)
            elif isinstance(value, Tensor):
                value = _Packed(frame, value)
            else:  # an intermediate array
                value = _Packed(frame, Tensor._wrap(value, node.device))
            packed.append((value, None))
    finally:
        _packing.node = None
    return packed


def _packing_node():
    """The node whose saved values the pack hook running now was given (None outside pack hooks,
    or for values not saved by a node)."""
    return getattr(_packing, "node", None)


class _SavedTensor:
    """A tensor kept for later outside any node (PyTorch's ``SavedTensor``: what checkpoint keeps of
    its inputs): through the hooks in force when it is made, else as itself with its version,
    checked on ``unpack``."""

    __slots__ = ("value", "version")

    def __init__(self, tensor):
        top = _top.get()
        frame = _innermost_hooks(top) if top is not None else None
        if frame is None:
            self.value, self.version = tensor, tensor._version[0]
        else:
            self.value, self.version = _Packed(frame, tensor), None

    def unpack(self):
        if type(self.value) is _Packed:
            return self.value.unpack()
        version = self.value._version[0]
        if version != self.version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace "
                f"operation: {self.value.describe()} is at version {version}; expected version "
                f"{self.version} (saved by checkpoint)")
        return self.value
