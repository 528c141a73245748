"""The backward walk: reverse-mode accumulation over the recorded graph, without recursion.

``walk`` is the schedule; ``run_backward`` says what happens at each node and leaf.

1. Count, for every node reachable from the roots, how many edges lead into it (iterative DFS).
2. Pop ready nodes newest-first (a heap on creation order, as PyTorch does); a node is ready
   once every consumer has delivered its gradient, so each node runs exactly once.
3. Run the node's backward, sum each input gradient back to the input's shape (the one place
   broadcasting is undone), and add it into the input's buffer.
4. Free the node's saved tensors as soon as it has run, unless ``retain_graph``.
"""

from heapq import heapify, heappop, heappush

from ..tensor import Tensor
from .function import Op, _anomaly
from .grad_mode import _enabled

_callbacks = []  # one list per backward pass running (a hook may start another)


def queue_callback(callback):
    """Run ``callback()`` once the backward pass now running has finished (e.g. to wait for
    communication that gradient hooks started)."""
    if not _callbacks:
        raise RuntimeError("queue_callback: no backward pass is running")
    _callbacks[-1].append(callback)


def sum_to(grad, shape):
    """Sum a broadcast gradient back to ``shape`` (NumPy broadcasting undone)."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    if lead:
        grad = grad.sum(dim=tuple(range(lead)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched, keepdim=True)
    return grad


def _zeros_for(node, index):
    shape, dtype = node.out_meta[index]
    zeros = node.device.backend.full(shape, 0, dtype, node.device.index)
    return Tensor._make(zeros, node.device, False, None, 0)


def _run_hooks(hooks, grad):
    for hook in hooks:
        result = hook(grad)
        if result is not None:
            grad = result
    return grad


def _check_finite(node, grads):
    xp = node.xp
    for i, g in enumerate(grads):
        if g is not None and g.dtype.is_floating_point and bool(xp.any(xp.isnan(g.array))):
            where = getattr(node, "trace", "")
            raise RuntimeError(
                f"Function '{node.name}' returned nan values in its {i}th output.\n"
                f"The forward call that created it:\n{where}")


def _dependencies(root_nodes, consumers=None):
    """Number of edges into each node reachable from the roots (leaves included).

    With a ``consumers`` dict, also record for every target the nodes whose edges lead to it.
    """
    deps = {}
    stack = list(root_nodes)
    seen = set(stack)
    while stack:
        node = stack.pop()
        for edge in node.next:
            if edge is None:
                continue
            target = edge[0]
            deps[target] = deps.get(target, 0) + 1
            if consumers is not None:
                consumers.setdefault(target, []).append(node)
            if target not in seen and isinstance(target, Op):
                seen.add(target)
                stack.append(target)
    return deps


def _leading_to(targets, consumers):
    """The nodes from which some of ``targets`` can be reached: only they need to run (mg.grad)."""
    found = set()
    stack = [c for t in targets for c in consumers.get(t, ())]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(consumers.get(node, ()))
    return found


def walk(roots, root_grads, run_node, finish_leaf, consumers=None, on_flow=None):
    """The schedule of a backward pass, shared by the engine and the pictures of ``viz``.

    Runs each node once, newest first among those whose consumers have all delivered:
    ``run_node(node, grads, step)`` returns the gradients for the node's inputs (Nones to send
    nothing), which are summed back to each input's shape and added into its buffer;
    ``finish_leaf(leaf, grad, step)`` receives a leaf's total gradient (None if none reached it)
    once nothing more can; ``on_flow(node, index, grad)`` sees each gradient sent along an edge.
    A root gradient of None schedules without computing.
    """
    buffers = {}
    root_nodes = []
    for root, grad in zip(roots, root_grads):
        target = root if root.grad_fn is None else root.grad_fn
        if target not in buffers:
            buffers[target] = [None] * (1 if root.grad_fn is None else len(target.out_meta))
            if root.grad_fn is not None:
                root_nodes.append(target)
        if grad is not None:
            buffer, nr = buffers[target], root._output_nr
            buffer[nr] = grad if buffer[nr] is None else buffer[nr] + grad
    deps = _dependencies(root_nodes, consumers)
    for root in roots:
        if root.grad_fn is None and root not in deps and root in buffers:
            finish_leaf(root, buffers.pop(root)[0], 0)
    ready = []
    for node in root_nodes:
        if node not in deps:
            ready.append((-node.seq, node))
    heapify(ready)
    step = 0
    while ready:
        node = heappop(ready)[1]
        step += 1
        grads = buffers.pop(node)
        input_grads = run_node(node, grads, step)
        i = -1
        for edge in node.next:
            i += 1
            if edge is None:
                continue
            target, nr, shape = edge
            is_node = isinstance(target, Op)
            g = input_grads[i]
            if g is not None:
                if not isinstance(g, Tensor):
                    g = Tensor._make(g, node.device, False, None, 0)
                if g.array.shape != shape:
                    g = sum_to(g, shape)
                if not is_node and _maybe_shared(g, grads, input_grads):
                    g._shared = True  # passed through, or sent to two inputs: the leaf must copy it
                if on_flow is not None:
                    on_flow(node, i, g)
                buffer = buffers.get(target)
                if buffer is None:
                    buffer = buffers[target] = [None] * (len(target.out_meta) if is_node else 1)
                old = buffer[nr]
                buffer[nr] = g if old is None else old + g
            left = deps[target] - 1
            deps[target] = left
            if not left:
                if is_node:
                    if target not in buffers:
                        buffers[target] = [None] * len(target.out_meta)
                    heappush(ready, (-target.seq, target))
                else:
                    buffer = buffers.pop(target, None)
                    finish_leaf(target, None if buffer is None else buffer[0], step)


def _maybe_shared(g, incoming, outgoing):
    """Whether gradient ``g``, about to reach a leaf, may also be held elsewhere."""
    n = 0
    for other in outgoing:
        if other is g:
            n += 1
    for other in incoming:
        if other is g:
            return True
    return n > 1


def run_backward(roots, root_grads, retain_graph=False, create_graph=False, inputs=None):
    """Backpropagate ``root_grads`` from ``roots``.

    With ``inputs`` (``mg.grad``) the gradients of those tensors are returned and no ``.grad``
    is touched; otherwise they are accumulated into the ``.grad`` of every leaf reached.
    """
    for root, grad in zip(roots, root_grads):
        if root.grad_fn is not None and root.grad_fn.next is None:
            raise RuntimeError(f"{root.grad_fn.name}: the graph of this tensor was not recorded")
        grad._shared = True  # the caller may hold it
    captured, wanted, needed, consumers = None, None, None, None
    if inputs is not None:
        captured = [None] * len(inputs)
        wanted = {}
        for i, t in enumerate(inputs):
            key = (t, 0) if t.grad_fn is None else (t.grad_fn, t._output_nr)
            wanted.setdefault(key, []).append(i)
        consumers = {}  # mg.grad runs only the nodes that lead to its inputs
    check_nan = _anomaly.get()

    def run_node(node, grads, step):
        nonlocal needed
        if consumers is not None and needed is None:  # walk has filled consumers by now
            needed = _leading_to([key[0] for key in wanted], consumers)
        if node._hooks:
            for nr, hooks in node._hooks.items():
                if grads[nr] is not None:
                    grads[nr] = _run_hooks(hooks, grads[nr])
        if captured is not None:
            for nr, g in enumerate(grads):
                for i in wanted.get((node, nr), ()):
                    captured[i] = g
        missing = 0
        for g in grads:
            if g is None:
                missing += 1
        if missing == len(grads) or (needed is not None and node not in needed):
            input_grads = (None,) * len(node.next)
        else:
            if missing:
                for nr, g in enumerate(grads):
                    if g is None:
                        grads[nr] = _zeros_for(node, nr)
            input_grads = node.backward(node, *grads)
            if not isinstance(input_grads, tuple):
                input_grads = (input_grads,)
            if len(input_grads) != len(node.next):
                raise RuntimeError(f"{node.name} returned {len(input_grads)} gradients for "
                                   f"{len(node.next)} inputs")
            if check_nan:
                _check_finite(node, input_grads)
        if not retain_graph:
            node.release()
        return input_grads

    def finish_leaf(leaf, grad, step):
        if grad is None:
            return
        if leaf._hooks:
            computed, grad = grad, _run_hooks(leaf._hooks, grad)
            if grad is not computed:
                grad._shared = True
        if captured is not None:
            for i in wanted.get((leaf, 0), ()):
                captured[i] = grad
        else:
            _accumulate_into_leaf(leaf, grad, create_graph)
            if leaf._post_accumulate_hooks:
                for hook in leaf._post_accumulate_hooks:
                    hook(leaf)

    callbacks = []
    _callbacks.append(callbacks)
    try:
        mode = _enabled.set(create_graph)
        try:
            walk(roots, root_grads, run_node, finish_leaf, consumers)
        finally:
            _enabled.reset(mode)
        for callback in callbacks:  # a callback may queue more
            callback()
    finally:
        _callbacks.pop()
    return captured


def _accumulate_into_leaf(leaf, grad, create_graph):
    if leaf.grad is not None:
        if create_graph:
            leaf.grad = leaf.grad + grad
        else:
            leaf.grad.array = leaf.grad.array + grad.array
    elif create_graph or not (grad._shared or grad._view):
        leaf.grad = grad  # computed by this pass alone (or a graph the caller asked for)
    else:
        # .grad must own its storage (optimizers and clipping write into it): copy a gradient
        # that is a view (e.g. a broadcast) or that another tensor may also hold
        copy = leaf.device.xp.asarray(grad.array, copy=True)
        leaf.grad = Tensor._make(copy, leaf.device, False, None, 0)
