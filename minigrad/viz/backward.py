"""The backward pass as a picture: gradient functions numbered in the engine's execution order, and
the gradient that flows along every edge (recomputed by a side-effect-free replay, ``_walk.replay``).
"""

from ._format import fmt_attrs, fmt_num, fmt_shape, norm_of, scalar_value
from ._layout import (
    CURRENT_FILL,
    DEFAULT_MAX_NODES,
    DONE_FILL,
    ELIDED_FILL,
    HIDDEN,
    INPUT_FILL,
    OP_FILL,
    OP_LINE,
    PARAM_FILL,
    PENDING_FILL,
    ROOT_FILL,
    _Builder,
    _esc,
    _grad_text,
    _html,
    _relabel,
    _small,
    _wrap,
)
from ._walk import collect, replay

__all__ = ["draw_backward"]


def draw_backward(root, *, gradient=None, params=None, direction=None, show_grad=True,
                  max_nodes=DEFAULT_MAX_NODES):
    """Draw the backward pass as the engine will run it, numbered in execution order.

    Each gradient function (``MulBackward``...) is numbered in the order ``backward()`` runs it
    (the engine's schedule: a node runs once all its consumers have sent their gradient, the
    most recently created ready node first). Arrows point the way gradients flow, from the root
    to the leaves, and carry the gradient sent along them (shape and norm, or the value for one
    element); each leaf shows the total it accumulates. The layout matches ``draw_graph``.

    The gradients are recomputed by replaying the graph (each node's ``backward`` under
    ``no_grad``, without hooks, without touching ``.grad`` and without freeing anything). After
    a ``backward()`` that freed the graph, the picture keeps every number that pass left behind
    (leaves' ``.grad``, tensors that called ``retain_grad()``, and what follows from them) and
    marks the rest ``not kept``; draw before ``backward()`` or after
    ``backward(retain_graph=True)`` to see them all.

    Args:
        root: the output Tensor (or Tensors); non-scalar roots need ``gradient=`` as in backward.
        gradient: the seed gradient(s), as for ``Tensor.backward``.
        params: a Module or dict name -> Tensor naming the leaves.
        direction: graphviz ``rankdir``; by default chosen from the graph's shape (as ``draw_graph``).
        show_grad: label edges with gradient shapes and norms.
        max_nodes: the most nodes drawn before eliding the rest.

    Returns:
        graphviz.Digraph

    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> y = (x * x).exp()
    >>> "#2" in mg.viz.draw_backward(y).source
    True
    """
    info = collect(root)
    rep = replay(info, gradient, compute=show_grad)
    return _backward_picture(info, rep, params, direction, max_nodes, show_grad, step=None)


def _flow_text(g, shape):
    if g is None:
        return f"{fmt_shape(shape)}, no gradient"
    v = scalar_value(g)
    if v is not None:
        return f"{fmt_num(v)}"
    return f"{fmt_shape(shape)}, ‖g‖={fmt_num(norm_of(g))}"


def _backward_picture(info, rep, params, direction, max_nodes, show_grad, step=None, caption=None):
    """The backward picture; with ``step`` (0..len(order)) the state after that many nodes ran."""
    b = _Builder(info, params, direction, max_nodes, name="backward")
    animate = step is not None
    values = show_grad and rep.computed

    def state(node):
        k = rep.step_of[id(node)]
        if not animate:
            return "done"
        return "done" if k < step else ("current" if k == step else "pending")

    for node in info.nodes:
        key = b.display[id(node)]
        if key not in b.kept:
            continue
        k = rep.step_of.get(id(node))
        st = state(node)
        attrs = dict(fillcolor={"done": OP_FILL if not animate else DONE_FILL, "current": CURRENT_FILL,
                                "pending": PENDING_FILL}[st],
                     color=OP_LINE, style="rounded,filled")
        if st == "current":
            attrs.update(penwidth="2.5", color="#c75c00")
        attrs_text = "<BR/>".join(_small(x) for x in _wrap(fmt_attrs(getattr(node, "attrs", None))))
        label = _html(f'<FONT COLOR="#b03a2e"><B>#{k}</B></FONT> <B>{_esc(node.name)}</B>', attrs_text)
        b.place(key, getattr(node, "scope", ()), label, **attrs)

    for leaf in info.leaves:
        key = b.leaf_key[id(leaf)]
        if key not in b.kept:
            continue
        name = b.tensor_names.get(id(leaf)) or "input"
        done_at = rep.leaf_done.get(id(leaf))
        known = not animate or (done_at is not None and done_at <= step)
        lines = [f"<B>{_esc(name)}</B>", _small(f"{fmt_shape(leaf.shape)} {leaf.dtype.name}", "#333333")]
        if values:
            g = rep.leaf_grads.get(id(leaf))
            text = "gradient not kept" if not rep.known(id(leaf)) else (
                _grad_text(g) if g is not None else "no gradient")
            lines.append(_small(text, "#000000" if known else HIDDEN))
        is_param = b.is_param(leaf)
        attrs = dict(fillcolor=PARAM_FILL if is_param else INPUT_FILL)
        if animate and not known:
            attrs.update(fillcolor=PENDING_FILL, style="filled,dashed")
        b.place(key, b.param_path(leaf) if is_param else (), _html(*lines), **attrs)

    b.finish()
    g = b.graph
    for k, r in enumerate(info.roots):
        name = b.tensor_names.get(id(r)) or ("output" if len(info.roots) == 1 else f"output {k}")
        seed = rep.root_grads[k] if rep.root_grads else None
        lines = [f"<B>{_esc(name)}</B>", _small(f"{fmt_shape(r.shape)} {r.dtype.name}", "#333333")]
        if values and seed is not None:
            lines.append(_small(f"seed {_grad_text(seed, 'grad')}", "#000000"))
        rid = b.gid(("root", k))
        g.node(rid, _html(*lines), fillcolor=ROOT_FILL, penwidth="2.2", color="#b03a2e")
        if r.grad_fn is not None and b.display[id(r.grad_fn)] in b.kept:
            g.edge(b.gid(b.display[id(r.grad_fn)]), rid, dir="back", color="#b03a2e", penwidth="1.4")

    elided = set(b.elided)
    elided_from = set()
    for target, consumer, i, shape in info.edges:
        src, dst = b.key_of(target), b.display[id(consumer)]
        if dst not in b.kept:
            continue
        if src in elided:
            elided_from.add(dst)
            continue
        attrs = dict(dir="back", **b.edge_length(src, dst))
        if show_grad:
            key = (id(consumer), i)
            text = fmt_shape(shape) if not values else (
                _flow_text(rep.flows.get(key), shape) if rep.known(key) else f"{fmt_shape(shape)}, not kept")
            sent = not animate or rep.step_of[id(consumer)] <= step
            attrs["label"] = _html(_small(text, "#1f4e9c" if sent else HIDDEN))
            if animate:
                attrs.update(color="#1f4e9c" if sent else "#bbbbbb", style="solid" if sent else "dashed",
                             penwidth="1.6" if rep.step_of[id(consumer)] == step else "1")
        g.edge(b.gid(src), b.gid(dst), **attrs)
    if b.elided:
        eid = b.gid(("elided",))
        g.node(eid, _html(f"<B>⋯ {len(b.elided):,} more nodes not drawn</B>",
                          _small("raise max_nodes=")), shape="note", fillcolor=ELIDED_FILL)
        for dst in sorted(elided_from, key=b.gid):
            g.edge(eid, b.gid(dst), dir="back", style="dashed", color="#999999")
        b.notes.append(f"{len(b.elided):,} nodes elided (max_nodes={b.max_nodes})")
    if caption:
        b.notes.insert(0, caption)
    if show_grad and rep.note:
        b.notes.append(rep.note)
    if not animate:
        b.notes.append("numbers: the order in which backward() runs each gradient function; "
                       "arrows: the gradient sent to each input")
    _relabel(b)
    return g
