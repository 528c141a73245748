"""Reading the recorded graph: nodes, edges, names, and a side-effect-free replay of backward.

Nothing here changes the graph. :func:`collect` walks ``grad_fn``/``next`` iteratively from the
roots; :func:`names_from` finds parameter and module names; :func:`replay` reruns the engine's
schedule and gradients through the engine's public ``schedule`` and ``run_backward(observe=...)``,
without touching ``.grad``, without running hooks and without freeing saved tensors.
"""

from ..autograd import _root_grads
from ..autograd.engine import run_backward, schedule, sum_to
from ..autograd.grad_mode import set_grad_enabled
from ..autograd.node import Node
from ..tensor import Tensor

FREED_NOTE = ("the graph was freed by backward() without retain_graph=True, so the gradients on its "
              "edges cannot be recomputed; call this before backward(), or use "
              "backward(retain_graph=True)")


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
        nodes: graph nodes in breadth-first order from the roots (nearest first).
        leaves: leaf Tensors reached, in the same order.
        edges: ``(target, consumer, input_index, shape)`` per recorded edge, target a node or leaf.
        dist: hops from the roots for each node and leaf (by ``id``).
    """

    def __init__(self, roots):
        self.roots = roots
        self.nodes = []
        self.leaves = []
        self.edges = []
        self.dist = {}
        self.consumers = {}
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
            for i, edge in enumerate(obj.next or ()):
                if edge is None:
                    continue
                target, _, shape = edge
                self.edges.append((target, obj, i, shape))
                self.consumers.setdefault(id(target), []).append(obj)
                if id(target) not in self.dist:
                    self.dist[id(target)] = self.dist[id(obj)] + 1
                    queue.append(target)

    @property
    def freed(self):
        """True when a backward without ``retain_graph`` already released the saved tensors."""
        return any(getattr(n, "_saved", ()) is None for n in self.nodes)


def collect(root):
    return GraphInfo(as_roots(root))


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


# --- the engine's schedule, replayed ------------------------------------------------------------
class Replay:
    """The backward pass as the engine runs it, with the gradient on every edge.

    Attributes:
        order: graph nodes in execution order (``order[0]`` runs first).
        step_of: node id -> 1-based execution number.
        flows: ``(id(consumer), input_index)`` -> gradient Tensor sent along that edge (after
            summing broadcast dimensions), or None when nothing flowed; empty when not computed.
        out_grads: node id -> list of gradient Tensors received per output (``None`` when none).
        leaf_grads: leaf id -> total gradient reaching that leaf.
        leaf_done: leaf id -> execution number after which the leaf's gradient is complete.
        root_grads: the seed gradients.
        note: why gradients are missing, or None.
    """

    def __init__(self):
        self.order, self.step_of, self.flows = [], {}, {}
        self.out_grads, self.leaf_grads, self.leaf_done = {}, {}, {}
        self.root_grads, self.note = (), None

    @property
    def computed(self):
        return self.note is None


def replay(info, gradient=None, compute=True):
    """The engine's schedule over ``info``, and with ``compute`` the gradient on every edge.

    The gradients come from the engine itself (``run_backward`` with ``observe``), run with the
    graph retained, no hooks and no ``.grad`` touched. With a freed graph the schedule is still
    returned, with ``note`` saying why there are no gradient values.
    """
    rep = Replay()
    roots = info.roots
    rep.order = schedule(roots)
    for step, node in enumerate(rep.order, 1):
        rep.step_of[id(node)] = step
        for edge in node.next:
            if edge is not None and not isinstance(edge[0], Node):
                rep.leaf_done[id(edge[0])] = step  # the last consumer of a leaf runs last
    if compute and info.freed:
        compute, rep.note = False, FREED_NOTE
    elif not compute:
        rep.note = "gradients not computed"
    if compute and any(not r.requires_grad for r in roots):
        compute, rep.note = False, "the root does not require grad: there is no backward pass"
    if not compute:
        return rep
    grads_in = (gradient,) * len(roots) if gradient is None or isinstance(gradient, Tensor) \
        else tuple(gradient)
    rep.root_grads = tuple(_root_grads(roots, grads_in))

    def observe(node, grads_out, grads_in):
        rep.out_grads[id(node)] = list(grads_out)
        for i, (edge, g) in enumerate(zip(node.next, grads_in)):
            if edge is not None:
                rep.flows[(id(node), i)] = None if g is None else sum_to(g, edge[2], node)

    leaves = [leaf for leaf in info.leaves if leaf.requires_grad]
    try:
        with set_grad_enabled(False):
            captured = run_backward(roots, rep.root_grads, retain_graph=True, inputs=leaves,
                                    observe=observe, hooks=False)
    except RuntimeError as err:
        rep.flows, rep.out_grads, rep.note = {}, {}, f"backward failed while replaying: {err}"
        return rep
    rep.leaf_grads = {id(leaf): g for leaf, g in zip(leaves, captured) if g is not None}
    return rep
