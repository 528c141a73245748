"""The backward pass: reverse-mode accumulation over the recorded graph, without recursion.

1. The schedule: every node reachable from the roots (an iterative search), newest first. A
   node's inputs are always created before it, so sorting by creation number is a topological
   order: each node runs once, after every node that consumes its outputs.
2. Each node receives the sum of the gradients its consumers sent, runs its backward, and sends
   one gradient along each edge, summed back to the input's shape (the one place broadcasting
   is undone).
3. A leaf's gradient is accumulated into ``.grad`` as soon as its last consumer has run (so
   data-parallel hooks can start early). ``.grad`` owns its storage: a gradient that a node
   passed through or sent to two inputs, or a view, is copied; one a node made for that input
   alone is kept as is.
4. A node's saved tensors are freed once it has run, unless ``retain_graph``.

``mg.grad`` (``inputs=``) decides up front which nodes lead to its inputs and runs only those.

``run_backward`` is that loop, step 2 for each node in turn: ``_Pass.receive``, ``_call``,
``_Pass.send``; a ``_Pass`` holds what is in flight (the gradients waiting at nodes and leaves).
"""

import itertools
import threading

from ..tensor import Tensor
from .grad_mode import _enabled
from .node import Node, _anomaly

_local = threading.local()  # the backward passes running in this thread, innermost last
_accumulating = threading.Lock()  # .grad updates from threads running backward at once
_task_ids = itertools.count(1)


class _Task:
    """A backward pass as the code it runs sees it: its number (PyTorch's graph task id, by which
    a checkpoint knows whether it has recomputed for this pass), whether it runs toward chosen
    ``inputs`` (``mg.grad``, ``backward(inputs=)``), and the callbacks queued for its end."""

    __slots__ = ("id", "toward_inputs", "callbacks")

    def __init__(self, toward_inputs):
        self.id = next(_task_ids)
        self.toward_inputs = toward_inputs
        self.callbacks = []


def current_task():
    """The innermost backward pass running in this thread, or None."""
    tasks = getattr(_local, "tasks", None)
    return tasks[-1] if tasks else None


def queue_callback(callback):
    """Run ``callback()`` once the backward pass running in this thread has finished (e.g. to
    wait for communication that gradient hooks started)."""
    task = current_task()
    if task is None:
        raise RuntimeError("queue_callback: no backward pass is running in this thread")
    task.callbacks.append(callback)


def sum_to(grad, shape, node=None):
    """Sum a broadcast gradient back to ``shape`` (NumPy broadcasting undone)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead > 0:
        grad = grad.sum(dim=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and i < grad.ndim and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched, keepdim=True)
    if grad.shape != shape:
        raise RuntimeError(f"{node.name if node else 'backward'} returned an invalid gradient: got "
                           f"shape {tuple(grad.shape)} but expected shape compatible with {tuple(shape)}")
    return grad


def schedule(roots):
    """The nodes a backward pass from ``roots`` runs, in the order it runs them."""
    return _reachable([r.grad_fn for r in roots if r.grad_fn is not None])[0]


def _reachable(root_nodes):
    """The nodes reachable from ``root_nodes`` newest first, and the number of edges into each leaf."""
    seen = set(root_nodes)
    stack = list(seen)
    leaf_uses = {}
    while stack:
        for target in stack.pop().next:
            if target is None:
                continue
            if not isinstance(target, Node):
                leaf_uses[target] = leaf_uses.get(target, 0) + 1
            elif target not in seen:
                seen.add(target)
                stack.append(target)
    return sorted(seen, key=_newest_first), leaf_uses


def _newest_first(node):
    return -node.seq


def _leading_to(order, targets):
    """The nodes of ``order`` from which one of ``targets`` (nodes or leaves) is reached."""
    found = set()
    for node in reversed(order):  # oldest first: a node's inputs are decided before it
        for target in node.next:
            if target is not None and (target in targets or target in found):
                found.add(node)
                break
    return found


def _run_hooks(hooks, grad, what):
    """Apply ``hook(grad)`` in turn; a returned Tensor replaces the gradient."""
    for hook in hooks:
        result = hook(grad)
        if result is None:
            continue
        name = getattr(hook, "__name__", repr(hook))
        if not isinstance(result, Tensor):
            raise TypeError(f"hook '{name}' on {what} returned a {type(result).__name__}; a hook must "
                            "return None or a Tensor")
        if result.shape != grad.shape or result.dtype is not grad.dtype or result.device != grad.device:
            raise RuntimeError(
                f"hook '{name}' on {what} changed the gradient from {tuple(grad.shape)} {grad.dtype.name} on "
                f"{grad.device} to {tuple(result.shape)} {result.dtype.name} on {result.device}")
        grad = result
    return grad


def _check_finite(node, grads):
    xp = node.xp
    for i, g in enumerate(grads):
        if g is not None and g.dtype.is_floating_point and bool(xp.any(xp.isnan(g.array))):
            raise RuntimeError(f"Function '{node.name}' returned nan values in its {i}th output.\n"
                               f"The forward call that created it:\n{getattr(node, 'trace', '')}")


def _add(old, new):
    return new if old is None else old + new


def _sum(a, b, recorded):
    """a + b for two gradients: a recorded op under ``create_graph``, else on the arrays (a fifth
    of the cost of an op; the scalar chain of bench_chain: 171k -> 160k instructions per step)."""
    if recorded:
        return a + b
    return Tensor._wrap(a.array + b.array, a.device)


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None, observe=None,
                 hooks=True):
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs`` (``mg.grad``) the gradients of those tensors are returned and no ``.grad``
    is touched; otherwise they are accumulated into the ``.grad`` of every leaf reached.
    ``observe(node, grads_out, grads_in)``, if given, sees every node as it runs, with the
    gradients it received and those it sent (what ``viz`` draws); ``hooks=False`` runs no
    tensor hook (a replay for pictures).
    """
    run = _Pass(roots, root_grads, inputs, create_graph, hooks)
    check_nan = _anomaly.enabled and _anomaly.check_nan
    task = _Task(inputs is not None)
    tasks = _local.__dict__.setdefault("tasks", [])
    tasks.append(task)
    try:
        mode = _enabled.set(create_graph)  # backward's own ops are recorded under create_graph
        try:
            for node in run.order:
                grads = run.receive(node)
                input_grads = None
                if grads is not None:
                    input_grads = _call(node, grads, check_nan)
                    if observe is not None and input_grads is not None:
                        observe(node, grads, input_grads)
                    if not retain_graph:
                        node.release()
                run.send(node, grads, input_grads)
        finally:
            _enabled.reset(mode)
        for callback in task.callbacks:  # a callback may queue more
            callback()
    finally:
        tasks.pop()
    return run.captured


def _call(node, grads, check_nan):
    """The gradients ``node`` sends to its inputs, given those of its outputs; None when no
    gradient reached any output (there is nothing to do)."""
    if (len(grads) > 1 or grads[0] is None) and not _materialize(node, grads):
        return None
    input_grads = node._backward(grads)
    if not isinstance(input_grads, tuple):
        input_grads = (input_grads,)
    if len(input_grads) != len(node.next):
        raise RuntimeError(f"{node.name} returned {len(input_grads)} gradients for {len(node.next)} inputs")
    if check_nan:
        _check_finite(node, input_grads)
    return input_grads


class _Pass:
    """One backward pass: its schedule, the gradients waiting at nodes and leaves, and, for
    ``mg.grad``, which nodes must run and where the wanted gradients go."""

    def __init__(self, roots, root_grads, inputs, create_graph, hooks):
        self.create_graph, self.hooks = create_graph, hooks
        self.waiting = {}  # node -> gradient per output, summed over consumers
        self.leaf_grads = {}  # leaf -> [gradient, whether this pass made it and nobody else holds it]
        root_nodes = []
        for root, grad in zip(roots, root_grads):
            node = root.grad_fn
            if node is None:
                self.leaf_grads[root] = [_add(self.leaf_grads.get(root, (None,))[0], grad), False]
                continue
            if node.next is None:
                raise RuntimeError(f"{node.name}: the graph of this tensor was not recorded")
            if node not in self.waiting:
                self.waiting[node] = [None] * len(node.out_shapes)
                root_nodes.append(node)
            self.waiting[node][root._output_nr] = _add(self.waiting[node][root._output_nr], grad)
        self.order, self.leaf_uses = _reachable(root_nodes)  # leaf -> edges yet to deliver

        self.captured = self.wanted = self.needed = None
        if inputs is not None:
            self.captured = [None] * len(inputs)
            self.wanted = {}  # (node or leaf, output number) -> positions in inputs
            for i, t in enumerate(inputs):
                key = (t, 0) if t.grad_fn is None else (t.grad_fn, t._output_nr)
                self.wanted.setdefault(key, []).append(i)
            self.needed = _leading_to(self.order, {key[0] for key in self.wanted})
        for leaf in [r for r in self.leaf_grads if r not in self.leaf_uses]:
            self.finish_leaf(leaf)  # a root that is a leaf no node feeds

    def receive(self, node):
        """The gradients of ``node``'s outputs, hooks applied; None when it does not run (no
        gradient reached it, or ``mg.grad`` needs nothing behind it)."""
        grads = self.waiting.pop(node, None)
        if grads is None:
            return None
        if node._hooks and self.hooks:
            for nr, output_hooks in node._hooks.items():
                if grads[nr] is not None:
                    grads[nr] = _run_hooks(output_hooks, grads[nr], f"output {nr} of {node.name}")
        if self.wanted is not None:
            for nr, g in enumerate(grads):
                for i in self.wanted.get((node, nr), ()):
                    self.captured[i] = g
            if node not in self.needed:
                return None
        return grads

    def send(self, node, grads, input_grads):
        """Pass each input's gradient (from ``input_grads``; None if the node did not run) along
        its edge, summed to the input's shape: into the buffer of the node it came from, or to
        the leaf, which is finished once its last edge has delivered."""
        for i, target in enumerate(node.next):
            if target is None:
                continue
            g = None if input_grads is None else input_grads[i]
            is_leaf = target in self.leaf_uses
            if g is not None:
                if not isinstance(g, Tensor):
                    g = Tensor._wrap(g, node.device)
                # node.input_shape(i), inline: the call cost 4% of bench_chain's scalar chain
                shape = target.array.shape if is_leaf else target.out_shapes[node.next_output_nr[i]]
                if g.array.shape != shape:
                    g = sum_to(g, shape, node)
            if is_leaf:
                if g is not None:
                    entry = self.leaf_grads.get(target)
                    if entry is None:
                        self.leaf_grads[target] = [g, _made_for_one(g, grads, input_grads)]
                    else:
                        entry[0], entry[1] = _sum(entry[0], g, self.create_graph), True
                self.leaf_uses[target] -= 1
                if not self.leaf_uses[target]:
                    self.finish_leaf(target)
            elif g is not None:
                nr = node.next_output_nr[i]
                buffer = self.waiting.get(target)
                if buffer is None:
                    buffer = self.waiting[target] = [None] * len(target.out_shapes)
                old = buffer[nr]
                buffer[nr] = g if old is None else _sum(old, g, self.create_graph)

    def finish_leaf(self, leaf):
        """Hand the leaf its total gradient: to ``mg.grad``'s result, or into ``.grad``."""
        grad, owned = self.leaf_grads.pop(leaf, (None, False))
        if grad is None:
            return
        if leaf._hooks and self.hooks:
            hooked = _run_hooks(leaf._hooks, grad, leaf.describe())
            owned, grad = owned and hooked is grad, hooked
        if self.wanted is not None:
            for i in self.wanted.get((leaf, 0), ()):
                self.captured[i] = grad
            return
        accumulate(leaf, grad, owned, self.create_graph)
        for hook in leaf._post_accumulate_hooks or ():
            hook(leaf)


def _materialize(node, grads):
    """Zeros for the outputs no gradient reached (unless the node asked for None); False when
    none did (the node has nothing to do)."""
    if all(g is None for g in grads):
        return False
    if node.materialize_grads and any(g is None for g in grads):
        for nr, g in enumerate(grads):
            if g is None:
                shape, dtype = node.out_shapes[nr], node.out_dtypes[nr]
                zeros = node.device.backend.full(shape, 0, dtype, node.device.index)
                grads[nr] = Tensor._wrap(zeros, node.device)
    return True


def _made_for_one(g, grads_in, grads_out):
    """Whether ``g`` was computed by its node for one input alone: not a view, not a gradient the
    node received and passed on, not sent along two edges. Only such a gradient may become a
    leaf's ``.grad`` without a copy."""
    if g._base is not None or any(g is other for other in grads_in):
        return False
    return sum(g is other for other in grads_out) == 1


def accumulate(leaf, grad, owned, create_graph):
    """Add ``grad`` into ``leaf.grad`` (PyTorch's AccumulateGrad), one thread at a time: in place
    (so every alias of ``.grad``, the one a user assigned included, sees the sum, and its version
    counts the write), except under ``create_graph``, whose sum is a new, recorded tensor."""
    with _accumulating:
        if create_graph:
            leaf.grad = grad if leaf.grad is None else leaf.grad + grad
        elif leaf.grad is None:
            if not owned:  # .grad must own its storage: optimizers and clipping write into it
                grad = Tensor._wrap(leaf.device.xp.asarray(grad.array, copy=True), leaf.device)
            leaf.grad = grad.detach() if grad._requires_grad else grad
        else:
            leaf.grad.array += grad.array
            leaf.grad._version[0] += 1
