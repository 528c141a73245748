"""The recorded graph as a picture, in the forward direction.

``draw_graph`` shows what computed what: every tensor is a node. An op's box is also the tensor
it produced (its name when the program named it, its value with ``show_data=True``, its gradient
once backward has run); leaf tensors (inputs, targets, parameters) have boxes of their own; the
root is marked; the ops of each ``nn.Module`` call are grouped into nested, labelled clusters.
(``backward.draw_backward`` draws the same graph as the engine runs it.)

The graph is only read (``grad_fn``, each node's edges, ``attrs``, ``scope``, ``out_meta``, and
the tensors the program still holds); the engine knows nothing about these pictures.
"""

import math

from ._format import fmt_num, fmt_shape, norm_of, scalar_value
from ._layout import (
    DEFAULT_MAX_NODES,
    ELIDED_FILL,
    INPUT_FILL,
    MODULE_FILL,
    MUTED,
    OP_FILL,
    OP_LINE,
    PARAM_FILL,
    ROOT_FILL,
    _Builder,
    _common,
    _esc,
    _grad_text,
    _html,
    _LogScale,
    _op_label,
    _plural,
    _relabel,
    _small,
    _tensor_lines,
    _value_lines,
    shown_outputs,
)
from ._walk import _edges, collect, live_outputs, module_label, replay

__all__ = ["draw_graph"]


def draw_graph(root, *, show_data=False, show_grad=True, direction=None, params=None, color_by=None,
               max_depth=None, max_nodes=DEFAULT_MAX_NODES, collapse=None, fold=True):
    """Draw the recorded graph that produced ``root`` (forward direction).

    Every tensor is a node. Op nodes show the op's name, its small attributes (``dim``,
    ``stride``, ``keepdim``...) and ``input shapes → output shape``, and stand for the tensor
    they produced: its name when the program named it (``t.name = "h"``, or a ``params`` dict
    entry). Leaf tensors show their name (from ``params``, the modules that ran, or
    ``Tensor.name``; ``input`` otherwise), shape and dtype; inputs that need no gradient (data,
    targets) are leaves too while the program holds them. With ``show_data=True`` every
    tensor also shows its value: the numbers when it has at most 6, else the mean, standard
    deviation and range. After ``backward()`` each shows its gradient (the value for one
    element, else the norm): leaves their ``.grad``, intermediates the gradient of that pass
    (recomputed without side effects; what ``backward()`` freed is read from ``retain_grad()``
    tensors). Ops that ran inside an ``nn.Module`` sit in a cluster labelled ``name (Class)``.

    Intermediate values come from the tensors the program still holds and, before
    ``backward()`` frees them, from the values saved for backward (see ``_walk.live_outputs``);
    the caption counts the others.

    Args:
        root: the output Tensor (or a sequence of Tensors).
        show_data: show every tensor's value, and intermediates' gradients after backward.
        show_grad: show gradients (norms, or values for one element) once backward has run.
        direction: graphviz ``rankdir`` (``"LR"``, ``"TB"``, ``"RL"``, ``"BT"``); by default the
            one that fits the graph's shape: deep chains top to bottom, wide graphs left to right.
        params: a Module or a dict name -> Tensor naming parameters and modules.
        color_by: ``None`` or ``"grad"``: shade nodes by gradient norm on a log scale (leaves by
            ``.grad``; ops by the gradient of their output, recomputed without side effects
            while the graph is still alive), with a legend.
        max_depth: modules nested deeper than this many levels are drawn as one box each.
        max_nodes: the most nodes drawn; the ones farthest from the root are elided and a
            note says how many.
        collapse: modules to draw as one box: names (``"encoder"``), classes, Module objects,
            a list of those, or a predicate ``module -> bool``.
        fold: with more than 100 boxes to draw, fold the middle of the graph (an unrolled
            loop, a long chain) into one box that says what it holds, so the layout takes
            about a second instead of minutes.

    Returns:
        graphviz.Digraph: render with ``.render(path, format="svg")`` or ``.write("g.svg")``;
        Jupyter displays it inline; ``.source`` is the DOT text.

    >>> import minigrad as mg
    >>> w = mg.tensor([2.0, -1.0], requires_grad=True)
    >>> w.name = "w"
    >>> loss = (w * w).sum()
    >>> g = mg.viz.draw_graph(loss)
    >>> "Mul" in g.source and "w" in g.source
    True
    """
    if color_by not in (None, "grad"):
        raise ValueError(f"color_by must be None or 'grad', got {color_by!r}")
    info = collect(root, constants=True)
    live = live_outputs(info) if info.nodes else {}
    rep, why = None, None
    if info.nodes and (color_by == "grad" or (show_data and show_grad and _backward_ran(info, live))):
        try:
            rep = replay(info)
        except RuntimeError as err:  # e.g. a non-scalar root: no implicit seed gradient
            why = f"ops not shaded: {err}" if color_by else f"no gradients: {err}"
    b = _Builder(info, params, direction, max_nodes, max_depth, collapse, name="forward", fold=fold)
    if why:
        b.notes.append(why)
    return _forward_picture(info, b, live, rep, show_data, show_grad, color_by)[0]


def _forward_picture(info, b, live, rep, show_data, show_grad, color_by=None):
    """``(graph, b)``: the forward picture of ``info`` drawn by builder ``b`` (the explorer reads
    the builder to know which drawn box is which tensor or op)."""
    norms, scale = _shade_by_grad(info, b, rep) if color_by == "grad" else ({}, None)

    def out_grad(node, nr):
        if rep is not None and rep.known(id(node)) and id(node) in rep.out_grads:
            return rep.out_grads[id(node)][nr]
        t = live.get((id(node), nr))
        return t.grad if t is not None else None

    out_edges = {}
    for target, consumer, i, _ in info.edges:
        if id(target) in b.display and b.display[id(target)] != b.display[id(consumer)]:
            out_edges.setdefault(id(target), set()).add(info.output_nr(consumer, i))
    for r in info.roots:
        if r.grad_fn is not None:
            out_edges.setdefault(id(r.grad_fn), set()).add(r._output_nr)
    if not info.nodes and not any(r.requires_grad for r in info.roots):
        b.notes.append("no graph was recorded: the tensor does not require grad "
                       "(no input had requires_grad=True, or it ran under no_grad())")
    if rep is not None and rep.note and show_data and color_by is None:
        b.notes.append(rep.note)
    drawn = set()
    common = _common(info)
    if common != ("float32", "cpu"):
        b.notes.append(f"ops compute in {common[0]} on {common[1]} unless marked")
    root_outputs = {(id(r.grad_fn), r._output_nr) for r in info.roots if r.grad_fn is not None}
    unknown = 0
    for node in info.nodes:
        key = b.display[id(node)]
        if key not in b.kept or key in drawn:
            continue
        drawn.add(key)
        if key[0] == "op":
            extra = []
            for nr in range(len(shown_outputs(node))):
                if (id(node), nr) in root_outputs:
                    continue  # the output box below shows it
                t = live.get((id(node), nr))
                unknown += t is None
                name = (b.tensor_names.get(id(t)) or t.name) if t is not None else None
                extra += _value_lines(t, name, show_data, show_grad and out_grad(node, nr),
                                      prefix=f"[{nr}] " if len(node.out_meta) > 1 else "")
            attrs = dict(fillcolor=OP_FILL, color=OP_LINE, style="rounded,filled")
            if scale is not None:
                v = norms.get(id(node))
                lost = rep is not None and rep.computed and not rep.known(id(node))
                extra.append(_small(f"∇ ‖·‖ = {fmt_num(v)}" if v is not None else
                                    "gradient not kept" if lost else "no gradient", "#000000"))
                attrs.update(scale.style(v))
                attrs["style"] = "rounded," + attrs.get("style", "filled")
            b.place(key, getattr(node, "scope", ()), _op_label(node, extra, common), **attrs)
        else:
            grp = b.groups[key]
            label = _module_box_label(b, grp, out_edges)
            attrs = dict(fillcolor=MODULE_FILL, shape="box3d", color="#7d5ba6")
            if scale is not None:
                vals = [norms.get(id(n)) for n in grp["nodes"] if norms.get(id(n)) is not None]
                attrs.update(scale.style(max(vals) if vals else None))
            b.place(key, grp["path"][:-1], label, **attrs)

    root_ids = {id(r) for r in info.roots}
    for leaf in info.leaves:
        key = b.leaf_key[id(leaf)]
        if key[0] != "leaf" or key not in b.kept:
            continue
        name = b.tensor_names.get(id(leaf))
        is_param = b.is_param(leaf)
        grad_line = _grad_text(leaf.grad) if show_grad else None
        lines = _tensor_lines(leaf, name or "input", show_data, grad_line)
        attrs = dict(fillcolor=PARAM_FILL if is_param else INPUT_FILL)
        if scale is not None:
            attrs.update(scale.style(norms.get(id(leaf))))
        if id(leaf) in root_ids:
            attrs.update(penwidth="2.2", color="#b03a2e")
        b.place(key, b.param_path(leaf) if is_param else (), _html(*lines), **attrs)

    if show_data and unknown:
        b.notes.append(f"{_plural(unknown, 'intermediate value')} not shown: the program no longer holds "
                       "those tensors (keep a reference to show one; before backward() the values it "
                       "saved are shown too)")
    b.finish()
    b.fold_note()
    g = b.graph
    for k, r in enumerate(info.roots):
        if r.grad_fn is None:
            continue
        name = b.tensor_names.get(id(r)) or ("output" if len(info.roots) == 1 else f"output {k}")
        value = scalar_value(r)
        lines = _tensor_lines(r, name, show_data and value is None, None)
        if value is not None:
            lines.append(_small(f"value = {fmt_num(value)}", "#000000"))
        if show_grad and r.grad is not None:
            lines.append(_small(_grad_text(r.grad), "#000000"))
        rid = b.gid(("root", k))
        g.node(rid, _html(*lines), fillcolor=ROOT_FILL, penwidth="2.2", color="#b03a2e", shape="box")
        src = b.shown(b.display[id(r.grad_fn)])
        if src is not None:
            g.edge(b.gid(src), rid, **_nr_label(r.grad_fn, r._output_nr))

    edges = set()
    elided_into = set()
    for target, consumer, i, _shape in info.edges:
        dst = b.shown(b.display[id(consumer)])
        src = b.shown(b.key_of(target))
        if dst is None or src == dst:
            continue
        if src is None:
            elided_into.add(dst)
            continue
        nr = info.output_nr(consumer, i) if "fold" not in (src[0], dst[0]) else 0  # one arrow per box
        if (src, dst, nr) in edges:
            continue
        edges.add((src, dst, nr))
        g.edge(b.gid(src), b.gid(dst), **(_nr_label(target, nr) if src[0] not in ("mod", "fold") else {}),
               **b.edge_length(src, dst))
    if b.elided:
        n_ops = sum(1 for k in b.elided if k[0] != "leaf")
        n_t = len(b.elided) - n_ops
        eid = b.gid(("elided",))
        g.node(eid, _html(f"<B>⋯ {len(b.elided):,} more nodes not drawn</B>",
                          _small(f"{n_ops:,} ops/modules, {n_t:,} tensors (farthest from the output)"),
                          _small("raise max_nodes=, or use max_depth= / collapse=")),
               shape="note", fillcolor=ELIDED_FILL, color="#999999")
        for dst in sorted(elided_into, key=b.gid):
            g.edge(eid, b.gid(dst), style="dashed", color="#999999")
        b.notes.insert(0, f"{len(b.elided):,} of {len(b.elided) + len(b.kept) + len(b.folded):,} nodes "
                          f"elided (max_nodes={b.max_nodes})")
    _relabel(b)
    return g, b


def _backward_ran(info, live):
    """Whether a backward pass has run through this graph (its gradients are worth showing)."""
    return (info.freed or any(leaf.grad is not None for leaf in info.leaves)
            or any(t.grad is not None for t in live.values()))


def _shade_by_grad(info, b, rep):
    """Gradient norms per leaf and op (by id) and the log colour scale; notes why ops lack them."""
    norms = {}
    for leaf in info.leaves:
        g = leaf.grad if leaf.grad is not None else (rep.leaf_grads.get(id(leaf)) if rep else None)
        norms[id(leaf)] = norm_of(g)
    if rep is not None and rep.computed:
        for node in info.nodes:
            gs = [norm_of(g) for g in rep.out_grads.get(id(node), ()) if g is not None]
            norms[id(node)] = math.sqrt(sum(x * x for x in gs)) if gs and rep.known(id(node)) else None
    if rep is not None and rep.note:
        b.notes.append(f"ops not shaded: {rep.note}" if not rep.computed else rep.note)
    scale = _LogScale(norms.values())
    b.legend.append(scale.legend_row())
    return norms, scale


def _module_box_label(b, grp, out_edges):
    """A collapsed module: its name, how many ops and parameters it hides, its boundary shapes."""
    n_vals = sum(p.numel() for p in grp["params"])
    internal = {id(n) for n in grp["nodes"]} | {id(p) for p in grp["params"]}
    ins = [fmt_shape(e[2]) for n in grp["nodes"] for e in _edges(n)
           if e is not None and id(e[0]) not in internal]
    outs = [fmt_shape(n.out_meta[nr][0]) for n in grp["nodes"] for nr in sorted(out_edges.get(id(n), ()))]
    outs = ", ".join(dict.fromkeys(outs[:3]))
    shapes = (", ".join(dict.fromkeys(ins[:3])) + " → " + outs) if ins else f"out {outs}"
    return _html(f"<B>{_esc(module_label(grp['path'][-1], b.module_names))}</B>",
                 _small(f"{_plural(len(grp['nodes']), 'op')}, "
                        f"{_plural(len(grp['params']), 'parameter')} ({n_vals:,} values)"),
                 _small(shapes, "#333333"))


def _nr_label(target, nr):
    if getattr(target, "out_meta", None) is not None and len(shown_outputs(target)) > 1:
        return {"taillabel": f"[{nr}]", "labelfontsize": "8", "labelfontcolor": MUTED}
    return {}
