"""Reading the recorded graph: nodes, edges, names, the tensors still alive, and a side-effect-free
replay of backward.

Nothing here changes the graph. :class:`GraphInfo` walks ``grad_fn`` and each node's edges
iteratively from the roots; :func:`names_from` finds parameter and module names;
:func:`live_outputs` finds the intermediate tensors the program still holds (their names, values
and retained gradients); :func:`replay` learns the gradient that flows along every edge from the
engine itself (``run_backward`` observed, graph retained, no hooks, no ``.grad`` touched). After a
``backward()`` that freed the graph, the replay fills in what can still be known exactly (see
:func:`replay`).
"""

import gc

from ..autograd import _root_grads
from ..autograd.engine import _materialize, run_backward, schedule, sum_to
from ..autograd.grad_mode import set_grad_enabled
from ..autograd.node import Node
from ..tensor import Tensor

FREED_NOTE = ("backward() freed the graph (no retain_graph=True): gradients that needed the "
              "freed values show what .grad and retain_grad() kept; for all of them draw before "
              "backward(), or use backward(retain_graph=True)")


# --- the engine adapter: the only code of viz that depends on how the engine is built ----------
# Reading the graph needs only what every ``Node`` has: ``next`` and ``next_output_nr`` (edges),
# ``seq``, ``out_shapes``.
# Replaying backward goes through the engine's ``schedule``, ``run_backward(observe=...)`` and,
# for a freed graph, one node's backward as the engine runs it (the imports above); a change of
# engine is a change of the functions below.
def _edges(node):
    """The node's input edges, one per positional input: ``(target, output_nr, shape)`` or None."""
    if node.next is None:
        return ()
    return tuple(None if target is None else (target, nr, node.input_shape(i))
                 for i, (target, nr) in enumerate(zip(node.next, node.next_output_nr)))


def node_order(node):
    """When forward recorded ``node``: larger is later (the engine's creation sequence number)."""
    return node.seq


def _constant_inputs(node):
    """``(input_index, Tensor)`` for the inputs of ``node`` that needed no gradient and are alive."""
    return node.constant_inputs()


def _freed(node):
    """Whether the engine has released what ``node`` saved for backward."""
    return getattr(node, "_saved", ()) is None


def _schedule(roots):
    """The nodes ``backward()`` from ``roots`` runs, in the order it runs them."""
    return schedule(roots)


def _seeds(roots, gradient):
    """The root gradients as ``Tensor.backward(gradient)`` makes them (ones for one-element roots)."""
    grads = (gradient,) * len(roots) if gradient is None or isinstance(gradient, Tensor) else tuple(gradient)
    return tuple(_root_grads(roots, grads))


def _observed_backward(roots, seeds, leaves):
    """Run the engine's backward on an intact graph, changing nothing; returns ``(received,
    sent, leaf_grads)``: per node id the gradients it received per output, per ``(id(node),
    input_index)`` the gradient it sent along that edge (summed to the input's shape), and the
    total gradient of each of ``leaves`` (None where none reached it)."""
    received, sent = {}, {}

    def observe(node, grads_out, grads_in):
        received[id(node)] = list(grads_out)
        for i, (edge, g) in enumerate(zip(_edges(node), grads_in)):
            if edge is not None:
                sent[(id(node), i)] = None if g is None else sum_to(_as_tensor(g, node), edge[2], node)

    with set_grad_enabled(False):
        totals = run_backward(roots, seeds, retain_graph=True, inputs=leaves, observe=observe, hooks=False)
    return received, sent, totals


def _node_backward(node, grads):
    """What ``node`` sends along each edge given the gradients of its outputs (None for none),
    as the engine computes it: zeros for missing outputs, broadcasting summed away. Raises
    RuntimeError when backward needs values that were freed."""
    grads = list(grads)
    if not _materialize(node, grads):
        return (None,) * len(_edges(node))
    with set_grad_enabled(False):
        out = node._backward(grads)
    out = out if isinstance(out, tuple) else (out,)
    return tuple(None if g is None or e is None else sum_to(_as_tensor(g, node), e[2], node)
                 for g, e in zip(out, _edges(node)))


def _as_tensor(g, node):
    return g if isinstance(g, Tensor) else Tensor._wrap(g, node.device)


def as_roots(root):
    """A tuple of root Tensors from a Tensor or a sequence of them."""
    roots = (root,) if isinstance(root, Tensor) else tuple(root)
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError("expected a Tensor (or a sequence of Tensors) as the root of the graph")
    return roots


class GraphInfo:
    """The part of the graph reachable from the roots.

    Attributes:
        roots: the root Tensors.
        nodes: graph nodes (the ``grad_fn`` objects) in breadth-first order from the roots (nearest first).
        leaves: leaf Tensors reached, in the same order.
        edges: ``(target, consumer, input_index, shape)`` per recorded edge, target a node or leaf.
        dist: hops from the roots for each node and leaf (by ``id``).
        constants: ids of the inputs that needed no gradient (data, targets). With
            ``constants=True`` they are leaves too, with an edge into each op that read them
            (the engine has no such edge: nothing flows back along it).
    """

    def __init__(self, roots, constants=False):
        self.roots = roots
        self.nodes = []
        self.leaves = []
        self.edges = []
        self.dist = {}
        self.consumers = {}
        self.constants = set()
        self._nr = {}
        queue = []
        for r in roots:
            obj = r.grad_fn if r.grad_fn is not None else r
            if id(obj) not in self.dist:
                self.dist[id(obj)] = 0
                queue.append(obj)
        head = 0
        while head < len(queue):
            obj = queue[head]
            head += 1
            if not isinstance(obj, Node):
                self.leaves.append(obj)
                continue
            self.nodes.append(obj)
            inputs = [(i, e) for i, e in enumerate(_edges(obj)) if e is not None]
            if constants:
                for i, t in _constant_inputs(obj):
                    self.constants.add(id(t))
                    inputs.append((i, (t, 0, t.array.shape)))
                inputs.sort(key=lambda item: item[0])
            for i, (target, nr, shape) in inputs:
                self._nr[(id(obj), i)] = nr
                self.edges.append((target, obj, i, shape))
                self.consumers.setdefault(id(target), []).append(obj)
                if id(target) not in self.dist:
                    self.dist[id(target)] = self.dist[id(obj)] + 1
                    queue.append(target)

    @property
    def freed(self):
        """True when a backward without ``retain_graph`` already released the saved tensors."""
        return any(_freed(n) for n in self.nodes)

    def output_nr(self, consumer, i):
        """Which output of its producer input ``i`` of ``consumer`` is (0 for a leaf)."""
        return self._nr[(id(consumer), i)]

    def consumer_edges(self, target):
        """How many recorded edges lead into ``target`` (a node or a leaf)."""
        return len(self.consumers.get(id(target), ()))


def collect(root, constants=False):
    """The graph reachable from ``root``; with ``constants`` the inputs that need no gradient too."""
    return GraphInfo(as_roots(root), constants)


# --- names --------------------------------------------------------------------------------------
def _is_module(obj):
    return hasattr(obj, "named_parameters") and hasattr(obj, "named_modules")


def names_from(params, info):
    """``(tensor id -> name, module id -> qualified name, parameter ids)`` from ``params`` or scopes.

    ``params`` is a Module (its ``named_parameters``/``named_modules``), a dict name -> Tensor, or
    None; with None the outermost modules found in the nodes' scopes name things.
    """
    tensor_names, module_names = {}, {}
    owners = []
    if params is None:
        seen = set()
        for node in info.nodes:
            scope = getattr(node, "scope", ())
            if scope and id(scope[0]) not in seen:
                seen.add(id(scope[0]))
                owners.append(scope[0])
    elif _is_module(params):
        owners.append(params)
    elif isinstance(params, dict):
        for name, t in params.items():
            tensor_names.setdefault(id(t), str(name))
            if _is_module(t):
                owners.append(t)
    else:
        raise TypeError("params must be a Module or a dict name -> Tensor")
    for owner in owners:
        for name, p in owner.named_parameters():
            tensor_names.setdefault(id(p), name)
        for name, m in owner.named_modules():
            module_names.setdefault(id(m), name)
    param_ids = set(tensor_names)
    for leaf in info.leaves:
        if id(leaf) not in tensor_names and getattr(leaf, "name", None):
            tensor_names[id(leaf)] = leaf.name
    for r in info.roots:
        if getattr(r, "name", None):
            tensor_names.setdefault(id(r), r.name)
    return tensor_names, module_names, param_ids


def module_label(module, module_names):
    name = module_names.get(id(module))
    cls = type(module).__name__
    return f"{name} ({cls})" if name else cls


# --- tensors the program still holds ----------------------------------------------------------
def live_outputs(info):
    """``(id(node), output_nr) -> Tensor`` for the graph's intermediate tensors still alive.

    The graph keeps no reference to the tensors its nodes produced (a node holding its outputs
    would be a reference cycle), so the ones the program still holds (``h = x @ w`` with ``h``
    in scope, tensors that called ``retain_grad()``, the root) are found by one pass over the
    objects Python's collector tracks: about 20 ms per 100,000 objects. They give the picture
    its names (``Tensor.name``), values and retained gradients. Until ``backward()`` frees them,
    the values the nodes saved for backward (``saved_tensors``) fill in the others they hold.
    """
    wanted = {id(n) for n in info.nodes}
    found = {}
    for r in info.roots:
        if r.grad_fn is not None:
            found[(id(r.grad_fn), r._output_nr)] = r
    if not wanted:
        return found
    for obj in gc.get_objects():
        if isinstance(obj, Tensor):
            fn = obj.grad_fn
            if fn is not None and id(fn) in wanted:
                key = (id(fn), obj._output_nr)
                old = found.get(key)
                if old is None or (obj.name and not old.name) or (obj.grad is not None and old.grad is None):
                    found[key] = obj
    for node in info.nodes:
        try:
            saved = node.saved_tensors
        except (RuntimeError, AttributeError):  # freed by backward, or an op that saves nothing
            continue
        for t in saved:
            if isinstance(t, Tensor) and t.grad_fn is not None and id(t.grad_fn) in wanted:
                found.setdefault((id(t.grad_fn), t._output_nr), t)
    return found


# --- the engine's schedule, replayed ------------------------------------------------------------
class Replay:
    """The backward pass as the engine runs it, with the gradient on every edge.

    Attributes:
        order: graph nodes in execution order (``order[0]`` runs first).
        step_of: node id -> 1-based execution number.
        flows: ``(id(consumer), input_index)`` -> gradient Tensor sent along that edge (after
            summing broadcast dimensions), or None when nothing flowed.
        out_grads: node id -> list of gradient Tensors received per output (``None`` when none).
        leaf_grads: leaf id -> total gradient reaching that leaf.
        leaf_done: leaf id -> execution number after which the leaf's gradient is complete.
        unknown: ids of nodes and leaves, and flow keys, whose gradient could not be recomputed.
        root_grads: the seed gradients.
        note: why some or all gradients are missing, or None.
        computed: whether gradient values were computed at all.
    """

    def __init__(self):
        self.order, self.step_of, self.flows = [], {}, {}
        self.out_grads, self.leaf_grads, self.leaf_done = {}, {}, {}
        self.unknown = set()
        self.root_grads, self.note, self.computed = (), None, False

    def known(self, key):
        """Whether the gradient of a node/leaf id or a flow key was recomputed."""
        return self.computed and key not in self.unknown


def replay(info, gradient=None, compute=True):
    """Replay ``backward()``'s schedule over ``info``; compute the gradients when ``compute``.

    On an intact graph the engine itself runs, observed, with the graph retained. After a
    ``backward()`` that freed it, :func:`_replay_kept` fills in what can still be known.

    Raises:
        RuntimeError: as ``backward()`` would for the seed (a non-scalar root without ``gradient``).
    """
    rep = Replay()
    roots = info.roots
    rep.order = _schedule(roots)
    for step, node in enumerate(rep.order, 1):
        rep.step_of[id(node)] = step
        for edge in _edges(node):
            if edge is not None and not isinstance(edge[0], Node):
                rep.leaf_done[id(edge[0])] = step  # a leaf's total is complete after its last consumer
    if not compute:
        rep.note = "gradients not computed"
        return rep
    if any(not r.requires_grad for r in roots):
        rep.note = "the root does not require grad: there is no backward pass"
        return rep
    rep.root_grads = _seeds(roots, gradient)
    rep.computed = True
    if info.freed:
        _replay_kept(info, rep)
        return rep
    leaves = [leaf for leaf in info.leaves if leaf.requires_grad]
    try:
        rep.out_grads, rep.flows, totals = _observed_backward(roots, rep.root_grads, leaves)
    except RuntimeError as err:
        rep.computed, rep.note = False, f"backward failed while replaying: {err}"
        return rep
    rep.leaf_grads = {id(leaf): g for leaf, g in zip(leaves, totals) if g is not None}
    return rep


def _replay_kept(info, rep):
    """The gradients of a pass whose graph ``backward()`` freed, as far as they can be known.

    Each node's backward runs again, in the engine's order, on the gradients its consumers sent,
    unless it needs a value that was freed (Mul needs its inputs, Add nothing). What the program
    kept stands in for what cannot be rerun: a tensor that called ``retain_grad()`` seeds its
    node again with its ``.grad``, and a leaf's total is its ``.grad``; a gradient sent along the
    only edge into a leaf or retained tensor is that total. Everything else stays unknown
    (``rep.unknown``) and ``rep.note`` says why.
    """
    kept = {key: t.grad for key, t in live_outputs(info).items() if t.grad is not None}
    received = {}  # id(node) -> gradient per output, summed over its consumers
    for root, g in zip(info.roots, rep.root_grads):
        if root.grad_fn is not None:
            slots = received.setdefault(id(root.grad_fn), [None] * len(root.grad_fn.out_shapes))
            slots[root._output_nr] = _add(slots[root._output_nr], g)
    failure = None
    with set_grad_enabled(False):
        for node in rep.order:
            grads = received.pop(id(node), None) or [None] * len(node.out_shapes)
            grads = [kept.get((id(node), nr), g) for nr, g in enumerate(grads)]
            sent = None
            if id(node) not in rep.unknown or all((id(node), nr) in kept for nr in range(len(grads))):
                rep.unknown.discard(id(node))
                rep.out_grads[id(node)] = grads
                try:
                    sent = _node_backward(node, grads)
                except RuntimeError as err:
                    failure = failure or (node, err)
            for i, edge in enumerate(_edges(node)):
                if edge is None:
                    continue
                key, target = (id(node), i), edge[0]
                if sent is None:  # what this node would have sent is unknown, and so its target's total
                    rep.unknown.update((key, id(target)))
                    continue
                rep.flows[key] = g = sent[i]
                if g is None:
                    continue
                if isinstance(target, Node):
                    slots = received.setdefault(id(target), [None] * len(target.out_shapes))
                    slots[edge[1]] = _add(slots[edge[1]], g)
                else:
                    rep.leaf_grads[id(target)] = _add(rep.leaf_grads.get(id(target)), g)
    for leaf in info.leaves:
        if id(leaf) in rep.unknown and leaf.grad is not None:
            rep.unknown.discard(id(leaf))
            rep.leaf_grads[id(leaf)] = leaf.grad
    _fill_single_edges(info, rep, kept)
    if failure and rep.unknown:
        node, err = failure
        rep.note = FREED_NOTE if _freed(node) else f"{node.name}.backward failed while replaying: {err}"


def _add(old, new):
    return new if old is None else old + new


def _fill_single_edges(info, rep, kept):
    """A gradient sent along the only edge into a tensor whose total is known is that total."""
    for target, consumer, i, _ in info.edges:
        key = (id(consumer), i)
        if key not in rep.unknown or info.consumer_edges(target) != 1:
            continue
        if isinstance(target, Tensor):
            total = rep.leaf_grads.get(id(target)) if id(target) not in rep.unknown else None
        else:
            total = kept.get((id(target), info.output_nr(consumer, i)))
        if total is not None:
            rep.flows[key] = total
            rep.unknown.discard(key)
