"""``Node``: one recorded call in the graph, what both kinds of op (``Op``, ``Function``) share.

A node is the ``ctx`` its op's forward and backward receive. Once recorded it holds the edges to
its inputs (``next``: per positional input the node or leaf its gradient goes to, or None;
``next_output_nr``: which output of that node the input was; ``next`` is None for an op run
with recording off; ``needs_input_grad`` says which are not None), its creation number (``seq``:
inputs are always older than the nodes that consume them, which is what makes the engine's
schedule a sort), the shape and dtype of each output, what forward saved for backward (checked
against version counters on unpacking; under saved-tensor hooks, what the pack hook made of each
value: see ``graph.py``), the op's keyword attributes, the module scope it ran in,
and weak references to the Tensor inputs that need no gradient (no edge leads to them; pictures
of the graph draw them).

Each op class gets a node class of its own named as PyTorch names it, so that
``type(t.grad_fn).__name__`` reads ``MulBackward0`` for the built-in ``Mul`` and ``MyCubeBackward``
for a custom ``MyCube``; an op whose PyTorch name differs from its own says it in ``node_name``
(``Reshape``: ``ViewBackward0``), and where PyTorch's name depends on the call (``t()``,
``transpose``, ``permute``) a subclass per name does.
"""

import contextvars
import itertools
import traceback
import weakref

from ..tensor import Tensor
from . import graph
from .graph import _Packed

_sequence = itertools.count()
_scope = contextvars.ContextVar("minigrad_scope", default=())
_saved_hooks = graph._top.get  # the innermost saved-tensor hooks of this thread, or None


class _AnomalyMode:
    """Anomaly mode's two switches, one for the process (PyTorch's AnomalyMode is global too):
    ``enabled``, each node records its creation traceback; ``check_nan``, the backward pass then
    checks each gradient it produces for NaN."""

    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled, self.check_nan = False, True


_anomaly = _AnomalyMode()


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


class _Output:
    """A saved output: its array is kept and the Tensor rebuilt on unpack (no reference cycle
    node -> output -> node)."""

    __slots__ = ("index", "array", "counter")

    def __init__(self, index, array, counter):
        self.index = index
        self.array = array
        self.counter = counter  # the output Tensor's version counter (a shared list)


class Node:
    """What every recorded op is: edges, saved values, hooks. See the module docstring."""

    # Slots for what every recorded node holds: no per-node __dict__ unless an op stores more
    # (the scalar chain of bench_chain: 176k -> 171k instructions per step).
    __slots__ = ("xp", "device", "next", "next_output_nr", "needs_input_grad", "seq", "attrs", "scope",
                 "out_shapes", "out_dtypes", "_to_save", "_saved", "_saved_versions",
                 "__dict__", "__weakref__")
    node_suffix = "Backward0"  # PyTorch's suffix for built-in ops; custom functions use "Backward"
    materialize_grads = True  # missing output gradients reach backward as zeros (None if False)
    hidden_outputs = 0  # trailing outputs only backward reads (pictures of the graph leave them out)
    _non_differentiable = ()
    _hooks = None
    _constants = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "_node_of" not in cls.__dict__:  # an op class, not the node class made for one
            name = cls.__dict__.get("node_name") or cls.__name__ + cls.node_suffix
            cls._node_class = type(name, (cls,), {"_node_of": cls, "__module__": cls.__module__,
                                                  "__qualname__": name})

    # --- what forward and backward use ---------------------------------------------------------
    def save_for_backward(self, *items):
        """Keep values (inputs, outputs or intermediates) for ``backward``."""
        self._to_save = items

    def as_tensor(self, array):
        """``array``, of this node's device, as a Tensor without history: a constant that a
        backward combines with the gradients (a mask, an index, positions). The ops speak arrays
        and receive Tensors only as arguments: this is how one makes a Tensor without ``Tensor``."""
        return Tensor._wrap(array, self.device)

    def mark_non_differentiable(self, *outputs):
        """Declare outputs that never carry gradients, such as argmax indices (by position for
        built-in ops, by the output Tensors themselves for custom functions)."""
        self._non_differentiable = outputs

    @property
    def saved_tensors(self):
        """The saved values as Tensors, after checking that none was modified in place since."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            raise RuntimeError(
                f"{self.name}: trying to backward through the graph a second time (or to read saved "
                "tensors after they were freed); call .backward(retain_graph=True) the first time")
        out = []
        for value, version in zip(saved, self._saved_versions):
            if value is None:
                out.append(None)
            elif isinstance(value, Tensor):  # an input
                if value._version[0] != version:
                    self._modified(value.describe(), value._version[0], version)
                out.append(value)
            elif type(value) is _Output:
                if value.counter[0] != version:
                    self._modified(f"output {value.index} of {self.name}", value.counter[0], version)
                out.append(Tensor._output_of(self, value.index, value.array, self.device))
            elif isinstance(value, (int, float)):
                out.append(value)
            elif type(value) is _Packed:  # kept through saved-tensor hooks: no version to check
                out.append(value.unpack(self))
            else:
                out.append(Tensor._wrap(value, self.device))
        return tuple(out)

    def _modified(self, what, version, expected):
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: {what} is at version {version}; expected version {expected} (saved by {self.name})")

    # --- recording -----------------------------------------------------------------------------
    def _record(self, args, raw, results, attrs, constants=None):
        """Fill in what backward needs; ``self.next`` holds the edges already. ``constants``:
        ``(index, Tensor)`` per Tensor input that needs no gradient, kept weakly for
        :meth:`constant_inputs` (a node never keeps an input batch alive)."""
        self.seq = next(_sequence)
        if constants:
            self._constants = [(i, weakref.ref(t)) for i, t in constants]
        self.attrs = attrs
        self.scope = _scope.get()
        # two flat tuples, not a (shape, dtype) pair per output: CPython's collector never stops
        # tracking a tuple of tuples of tuples (bench_chain's scalar chain: 3.4 -> 2 per node)
        if len(results) == 1:
            out = results[0].array
            self.out_shapes, self.out_dtypes = (out.shape,), (out.dtype,)
        else:
            self.out_shapes = tuple([r.array.shape for r in results])
            self.out_dtypes = tuple([r.array.dtype for r in results])
        to_save = self._to_save
        if to_save:
            # values and versions apart, as for the outputs: a tuple of (value, version) pairs
            # stays tracked by the collector even where it holds only numbers
            entries = [_resolve(item, args, raw, results) for item in to_save]
            hooks = _saved_hooks()
            if hooks is not None:
                entries = graph._pack(self, entries, results, hooks)
            self._saved = tuple([value for value, _ in entries])
            self._saved_versions = tuple([version for _, version in entries])
            self._to_save = ()  # the raw arrays: keep only the resolved entries
        else:
            self._saved = self._saved_versions = ()
        if _anomaly.enabled:
            self.trace = "".join(traceback.format_stack(limit=12)[:-2])

    def _saves(self, tensor):
        """Whether ``tensor`` is among the values this node saved."""
        return any(value is tensor for value in self._saved)

    # --- what the engine and the pictures use --------------------------------------------------
    def _backward(self, grads):
        """The gradients for the inputs, given one gradient per output (the engine calls this)."""
        return self.backward(self, *grads)

    @property
    def name(self):
        """The node's name as PyTorch shows it, e.g. ``MulBackward0``."""
        return type(self).__name__

    @property
    def op_name(self):
        """The name of the op that recorded this node, e.g. ``Mul``."""
        return type(self)._node_of.__name__

    @property
    def out_meta(self):
        """``(shape, dtype)`` per output."""
        return tuple(zip(self.out_shapes, self.out_dtypes))

    @property
    def next_functions(self):
        """PyTorch's view of the edges: ``((node, output_nr), ...)``, an ``AccumulateGrad`` for a
        leaf and ``(None, 0)`` for an input that needs no gradient."""
        if self.next is None:
            return ()
        return tuple((None, 0) if t is None else (AccumulateGrad.of(t) if isinstance(t, Tensor) else t, nr)
                     for t, nr in zip(self.next, self.next_output_nr))

    def input_shape(self, i):
        """The shape of positional input ``i`` (which needs a gradient), as forward saw it."""
        target = self.next[i]
        if isinstance(target, Tensor):  # a leaf
            return target.array.shape
        return target.out_shapes[self.next_output_nr[i]]

    def constant_inputs(self):
        """``(input_index, Tensor)`` for the Tensor inputs that needed no gradient (the data, the
        targets) and that the program still holds; they have no edge (``next[i]`` is None), and
        pictures of the graph draw them."""
        alive = []
        for i, ref in self._constants:
            t = ref()
            if t is not None:
                alive.append((i, t))
        return alive

    def register_hook_for_output(self, output_nr, fn):
        if self._hooks is None:
            self._hooks = {}
        self._hooks.setdefault(output_nr, []).append(fn)

    def release(self):
        """Free what was saved for backward (the engine calls this unless ``retain_graph``)."""
        self._saved = None

    def __repr__(self):
        return f"<{self.name}>"


class AccumulateGrad:
    """What ``next_functions`` shows for a leaf, as in PyTorch: the node that adds the gradient
    reaching it into ``variable.grad`` (minigrad's engine does that itself: this is the view).
    One per leaf while any is held: the leaf keeps a weak reference to it, it keeps the leaf."""

    __slots__ = ("variable", "__weakref__")
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    @classmethod
    def of(cls, leaf):
        ref = leaf.__dict__.get("_accumulator")
        node = ref() if ref is not None else None
        if node is None:
            node = cls(leaf)
            leaf._accumulator = weakref.ref(node)
        return node

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def _resolve(item, args, raw, results):
    """A saved item as an entry ``(value, version)``: inputs and outputs are checked on unpack."""
    if item is None or type(item) is float or type(item) is int:  # None, or a scalar operand: no version
        return item, None
    if isinstance(item, Tensor):
        for i, r in enumerate(results):
            if r is item:
                return _Output(i, item.array, item._version), item._version[0]
        return item, item._version[0]
    for a, r in zip(args, raw):
        if r is item and isinstance(a, Tensor):
            return a, a._version[0]
    for i, r in enumerate(results):
        if r.array is item:
            return _Output(i, item, r._version), r._version[0]
    return item, None
