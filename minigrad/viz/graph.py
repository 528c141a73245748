"""Pictures of the recorded graph: the forward pass and the backward pass, as graphviz graphs.

``draw_graph`` shows what computed what: one node per op (its name, key attributes, input and
output shapes), one per leaf tensor (parameter name, shape, dtype, gradient norm after
``backward()``), the root marked, and the ops of each ``nn.Module`` call grouped into nested,
labelled clusters. ``draw_backward`` shows the same graph as the engine will run it backwards:
gradient functions numbered in execution order and the gradient flowing along every edge.

The graph is only read (``grad_fn``, ``node.next``, ``attrs``, ``scope``, ``out_meta``); the
engine knows nothing about these pictures.
"""

import html
import math

from ._render import new_graph
from ._walk import (FREED_NOTE, collect, dtype_name, fmt_attrs, fmt_num, fmt_shape, module_label,
                    names_from, norm_of, replay, scalar_value, summary)

__all__ = ["draw_graph", "draw_backward"]

# house colours
OP_FILL, OP_LINE = "#e6edf7", "#5b6b8c"
PARAM_FILL, INPUT_FILL, ROOT_FILL = "#d4efcf", "#fff1c2", "#f9d0c9"
MODULE_FILL, ELIDED_FILL = "#ece0f5", "#f0f0f0"
CLUSTER_FILLS = ("#f7f8fa", "#eef2f8", "#e7edf5", "#e1e8f2")
DONE_FILL, CURRENT_FILL, PENDING_FILL = "#cfe8cf", "#ffb84d", "#ffffff"
MUTED = "#6a6a6a"
HIDDEN = "#ffffff00"  # transparent text: keeps every step's layout identical
# a light coolwarm (blue: small, red: large) on which black text stays readable
_COOLWARM = ((0.0, (111, 146, 243)), (0.25, (170, 199, 253)), (0.5, (221, 221, 221)),
             (0.75, (246, 170, 140)), (1.0, (226, 90, 72)))
DEFAULT_MAX_NODES = 600


def _esc(text):
    return html.escape(str(text), quote=False)


def _small(text, color=MUTED, size=9):
    return f'<FONT POINT-SIZE="{size}" COLOR="{color}">{_esc(text)}</FONT>'


def _html(*lines):
    return "<" + "<BR/>".join(line for line in lines if line) + ">"


def _cmap(t):
    """coolwarm at ``t`` in [0, 1] as '#rrggbb' (blue: small gradients, red: large)."""
    t = min(max(t, 0.0), 1.0)
    for (t0, c0), (t1, c1) in zip(_COOLWARM, _COOLWARM[1:]):
        if t <= t1:
            u = (t - t0) / (t1 - t0)
            return "#%02x%02x%02x" % tuple(round(a + (b - a) * u) for a, b in zip(c0, c1))
    return "#%02x%02x%02x" % _COOLWARM[-1][1]


class _LogScale:
    """Maps gradient norms to colours on a log scale spanning the values present."""

    def __init__(self, values):
        logs = [math.log10(v) for v in values if v is not None and v > 0 and math.isfinite(v)]
        self.lo = math.floor(min(logs)) if logs else 0.0
        self.hi = math.ceil(max(logs)) if logs else 1.0
        if self.hi <= self.lo:
            self.hi = self.lo + 1

    def t(self, v):
        return (math.log10(v) - self.lo) / (self.hi - self.lo)

    def style(self, v):
        """Node attributes for a norm ``v`` (None: no gradient; 0: exactly zero)."""
        if v is None:
            return {"fillcolor": "#ffffff", "style": "filled,dashed"}
        if not math.isfinite(v):
            return {"fillcolor": "#000000", "fontcolor": "#ffffff"}
        if v == 0:
            return {"fillcolor": "#bdbdbd"}
        return {"fillcolor": _cmap(self.t(v))}

    def legend_row(self):
        cells = []
        n = int(self.hi - self.lo)
        step = max(1, math.ceil(n / 8))
        for e in range(int(self.lo), int(self.hi) + 1, step):
            t = (e - self.lo) / (self.hi - self.lo)
            cells.append(f'<TD BGCOLOR="{_cmap(t)}"><FONT POINT-SIZE="9">1e{e}</FONT></TD>')
        cells.append('<TD BGCOLOR="#bdbdbd"><FONT POINT-SIZE="9">0</FONT></TD>')
        cells.append('<TD BORDER="1" STYLE="dashed"><FONT POINT-SIZE="9">none</FONT></TD>')
        return ('<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">gradient norm (log scale): </FONT></TD>'
                + "".join(cells) + "</TR>")


def _grad_text(grad, prefix="grad"):
    if grad is None:
        return None
    value = scalar_value(grad)
    if value is not None:
        return f"{prefix} = {fmt_num(value)}"
    return f"{prefix} ‖·‖ = {fmt_num(norm_of(grad))}"


def _collapse_predicate(collapse, module_names):
    """A predicate on modules from ``collapse``: names, classes, modules, a callable or a list."""
    if collapse is None or collapse is False:
        return lambda m: False
    if callable(collapse) and not isinstance(collapse, type):
        return collapse
    items = collapse if isinstance(collapse, (list, tuple, set, frozenset)) else (collapse,)
    names = {c for c in items if isinstance(c, str)}
    types = tuple(c for c in items if isinstance(c, type))
    objs = {id(c) for c in items if not isinstance(c, (str, type))}

    def pred(m):
        return (id(m) in objs or (types and isinstance(m, types))
                or module_names.get(id(m)) in names or type(m).__name__ in names)
    return pred


class _Builder:
    """Lays out nodes into nested module clusters, applies the node cap, and emits the graph."""

    def __init__(self, info, params, direction, max_nodes, max_depth=None, collapse=None, name="minigrad"):
        self.info = info
        self.tensor_names, self.module_names, self.param_ids = names_from(params, info)
        self.graph = new_graph(name, direction)
        self.max_nodes = DEFAULT_MAX_NODES if max_nodes is None else int(max_nodes)
        self.notes = []
        self.legend = []
        self._ids = {}
        # display key per op node: ("op", id) or ("mod", scope-prefix ids) when collapsed
        pred = _collapse_predicate(collapse, self.module_names)
        self.display = {}
        self.groups = {}  # collapsed key -> dict(modules=path, nodes=[...], params=[...])
        for node in info.nodes:
            scope = tuple(getattr(node, "scope", ()) or ())
            key = ("op", id(node))
            for i, m in enumerate(scope):
                if (max_depth is not None and i >= max_depth) or pred(m):
                    key = ("mod",) + tuple(id(x) for x in scope[:i + 1])
                    grp = self.groups.setdefault(key, {"path": scope[:i + 1], "nodes": [], "params": []})
                    grp["nodes"].append(node)
                    break
            self.display[id(node)] = key
        # leaves: parameters used only inside one collapsed module disappear into it
        self.leaf_key = {}
        for leaf in info.leaves:
            key = ("leaf", id(leaf))
            users = {self.display[id(c)] for c in info.consumers.get(id(leaf), ())}
            if (len(users) == 1 and id(leaf) in self.tensor_names and leaf.requires_grad
                    and next(iter(users))[0] == "mod"):
                key = next(iter(users))
                self.groups[key]["params"].append(leaf)
            self.leaf_key[id(leaf)] = key
        # the cap: display items nearest the roots first
        order = []
        seen = set()
        items = sorted([(info.dist[id(n)], 0, k, self.display[id(n)]) for k, n in enumerate(info.nodes)]
                       + [(info.dist[id(lf)], 1, k, self.leaf_key[id(lf)]) for k, lf in enumerate(info.leaves)])
        for _, _, _, key in items:
            if key not in seen:
                seen.add(key)
                order.append(key)
        self.kept = set(order[:self.max_nodes])
        self.elided = order[self.max_nodes:]
        # cluster path of every module, by qualified name, for placing parameters
        self.path_of_name = {}
        for node in info.nodes:
            scope = tuple(getattr(node, "scope", ()) or ())
            for i, m in enumerate(scope):
                qual = self.module_names.get(id(m))
                if qual is not None:
                    self.path_of_name.setdefault(qual, scope[:i + 1])
        self.clusters = {}  # path (tuple of module ids) -> (modules, [node statements])

    # --- ids and placement ------------------------------------------------------------------
    def gid(self, key):
        name = self._ids.get(key)
        if name is None:
            name = self._ids[key] = f"n{len(self._ids)}"
        return name

    def key_of(self, obj):
        if id(obj) in self.display:
            return self.display[id(obj)]
        return self.leaf_key[id(obj)]

    def place(self, key, path, label, **attrs):
        """Declare a node inside the cluster of module path ``path`` (outermost first)."""
        path = tuple(path or ())
        ids = tuple(id(m) for m in path)
        for k in range(1, len(path) + 1):
            if ids[:k] not in self.clusters:
                self.clusters[ids[:k]] = (path[:k], [])
        self.clusters.get(ids, (None, self._top))[1].append((self.gid(key), label, attrs))

    def param_path(self, leaf):
        name = self.tensor_names.get(id(leaf))
        if not name or "." not in name:
            owner = ""
        else:
            owner = name.rsplit(".", 1)[0]
        return self.path_of_name.get(owner, ())

    def is_param(self, leaf):
        return id(leaf) in self.param_ids or type(leaf).__name__ == "Parameter"

    def begin(self):
        self._top = []

    def finish(self):
        g = self.graph
        for name, label, attrs in self._top:
            g.node(name, label, **attrs)
        # deepest clusters first, each attached to its parent once filled
        subgraphs = {}
        for ids in sorted(self.clusters, key=len, reverse=True):
            modules, stmts = self.clusters[ids]
            depth = len(ids) - 1
            sub = subgraphs.get(ids)
            if sub is None:
                sub = subgraphs[ids] = _cluster(f"cluster_{len(subgraphs)}")
            sub.attr(label=module_label(modules[-1], self.module_names), style="rounded,filled",
                     fillcolor=CLUSTER_FILLS[depth % len(CLUSTER_FILLS)], color="#9aa5b8",
                     fontsize="10", fontcolor="#33415c", labeljust="l", margin="6")
            for name, label, attrs in stmts:
                sub.node(name, label, **attrs)
        for ids in sorted(self.clusters, key=len, reverse=True):
            parent = subgraphs.get(ids[:-1]) if len(ids) > 1 else None
            (parent if parent is not None else g).subgraph(subgraphs[ids])
        return g


def _cluster(name):
    import graphviz
    return graphviz.Digraph(name=name)


def _common(info):
    """The dtype and device most ops produce; op labels mention only the exceptions."""
    from collections import Counter
    dtypes = Counter(dtype_name(n.device, d) for n in info.nodes for _, d in n.out_meta)
    devices = Counter(str(n.device) for n in info.nodes)
    return (dtypes.most_common(1)[0][0] if dtypes else "float32",
            devices.most_common(1)[0][0] if devices else "cpu")


def _plural(n, word):
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _wrap(text, width=40):
    """Attribute text split between ``k=v`` items into lines of about ``width`` characters."""
    lines, line = [], ""
    for item in text.split(" ") if text else ():
        if line and len(line) + 1 + len(item) > width:
            lines.append(line)
            line = item
        else:
            line = f"{line} {item}" if line else item
    if line:
        lines.append(line)
    return lines


def _op_label(node, extra=(), common=("float32", "cpu")):
    ins = ", ".join("const" if e is None else fmt_shape(e[2]) for e in (node.next or ()))
    outs = ", ".join(fmt_shape(s) for s, _ in node.out_meta)
    meta = []
    dtypes = {dtype_name(node.device, d) for _, d in node.out_meta}
    if dtypes - {common[0]}:
        meta.append("/".join(sorted(dtypes)))
    if str(node.device) != common[1]:
        meta.append(str(node.device))
    attrs = "<BR/>".join(_small(line) for line in _wrap(fmt_attrs(getattr(node, "attrs", None))))
    return _html(f"<B>{_esc(type(node).__name__)}</B>", attrs,
                 _small(f"{ins} → {outs}", "#333333"), meta and _small(" ".join(meta)),
                 *[_small(x, "#000000") for x in extra])


def _tensor_lines(t, name, show_data, grad_line):
    meta = f"{fmt_shape(t.shape)} {t.dtype.name}"
    if t.device.type != "cpu":
        meta += f" {t.device}"
    return [f"<B>{_esc(name)}</B>", _small(meta, "#333333"),
            show_data and _small(summary(t), "#333333"), grad_line and _small(grad_line, "#000000")]


def draw_graph(root, *, show_data=False, show_grad=True, direction="LR", params=None, color_by=None,
               max_depth=None, max_nodes=DEFAULT_MAX_NODES, collapse=None):
    """Draw the recorded graph that produced ``root`` (forward direction).

    Op nodes show the op's name, its small attributes (``dim``, ``stride``, ``keepdim``...) and
    ``input shapes → output shape``; leaf tensors show their name (from ``params``, the modules
    that ran, or ``Tensor.name``), shape and dtype, and after ``backward()`` the norm of their
    ``.grad`` (the value for one-element tensors). Ops that ran inside an ``nn.Module`` sit in a
    cluster labelled ``name (Class)``, nested as the modules are.

    Args:
        root: the output Tensor (or a sequence of Tensors).
        show_data: print a short summary of leaf values (all values when at most 6).
        show_grad: print leaf gradient norms when ``.grad`` is set.
        direction: graphviz ``rankdir``: ``"LR"``, ``"TB"``, ``"RL"`` or ``"BT"``.
        params: a Module or a dict name -> Tensor naming parameters and modules.
        color_by: ``None`` or ``"grad"``: shade nodes by gradient norm on a log scale (leaves by
            ``.grad``; ops by the gradient of their output, recomputed without side effects
            while the graph is still alive), with a legend.
        max_depth: modules nested deeper than this many levels are drawn as one box each.
        max_nodes: the most nodes drawn; the ones farthest from the root are elided and a
            note says how many.
        collapse: modules to draw as one box: names (``"encoder"``), classes, Module objects,
            a list of those, or a predicate ``module -> bool``.

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
    info = collect(root)
    b = _Builder(info, params, direction, max_nodes, max_depth, collapse, name="forward")
    b.begin()
    norms = {}
    scale = None
    if color_by == "grad":
        rep = replay(info) if info.nodes else None
        for leaf in info.leaves:
            g = leaf.grad if leaf.grad is not None else (rep.leaf_grads.get(id(leaf)) if rep else None)
            norms[id(leaf)] = norm_of(g)
        if rep is not None and rep.computed:
            for node in info.nodes:
                gs = [norm_of(g) for g in rep.out_grads.get(id(node), ()) if g is not None]
                norms[id(node)] = math.sqrt(sum(x * x for x in gs)) if gs else None
        elif rep is not None:
            b.notes.append(f"ops not shaded: {rep.note}")
        scale = _LogScale(norms.values())
        b.legend.append(scale.legend_row())

    out_edges = {}
    for target, consumer, i, _ in info.edges:
        if id(target) in b.display and b.display[id(target)] != b.display[id(consumer)]:
            out_edges.setdefault(id(target), set()).add(consumer.next[i][1])
    for r in info.roots:
        if r.grad_fn is not None:
            out_edges.setdefault(id(r.grad_fn), set()).add(r._output_nr)
    drawn = set()
    common = _common(info)
    if common != ("float32", "cpu"):
        b.notes.append(f"ops compute in {common[0]} on {common[1]} unless marked")
    for node in info.nodes:
        key = b.display[id(node)]
        if key not in b.kept or key in drawn:
            continue
        drawn.add(key)
        if key[0] == "op":
            extra = []
            attrs = dict(fillcolor=OP_FILL, color=OP_LINE, style="rounded,filled")
            if scale is not None:
                v = norms.get(id(node))
                extra.append(f"∇ ‖·‖ = {fmt_num(v)}" if v is not None else "no gradient")
                attrs.update(scale.style(v))
                attrs["style"] = "rounded," + attrs.get("style", "filled")
            b.place(key, getattr(node, "scope", ()), _op_label(node, extra, common), **attrs)
        else:
            grp = b.groups[key]
            n_vals = sum(p.numel() for p in grp["params"])
            internal = {id(n) for n in grp["nodes"]}
            ins = []
            for n in grp["nodes"]:
                for e in n.next or ():
                    if e is not None and id(e[0]) not in internal and not any(e[0] is p for p in grp["params"]):
                        ins.append(fmt_shape(e[2]))
            outs = [fmt_shape(n.out_meta[nr][0]) for n in grp["nodes"]
                    for nr in sorted(out_edges.get(id(n), ()))]
            outs = ", ".join(dict.fromkeys(outs[:3]))
            shapes = (", ".join(dict.fromkeys(ins[:3])) + " → " + outs) if ins else f"out {outs}"
            label = _html(f"<B>{_esc(module_label(grp['path'][-1], b.module_names))}</B>",
                          _small(f"{_plural(len(grp['nodes']), 'op')}, "
                                 f"{_plural(len(grp['params']), 'parameter')} ({n_vals:,} values)"),
                          _small(shapes, "#333333"))
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
        lines = _tensor_lines(leaf, name or ("tensor" if leaf.requires_grad else "constant"),
                              show_data, grad_line)
        attrs = dict(fillcolor=PARAM_FILL if is_param else INPUT_FILL)
        if scale is not None:
            attrs.update(scale.style(norms.get(id(leaf))))
        if id(leaf) in root_ids:
            attrs.update(penwidth="2.2", color="#b03a2e")
        b.place(key, b.param_path(leaf) if is_param else (), _html(*lines), **attrs)

    b.finish()
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
        src = b.display[id(r.grad_fn)]
        if src in b.kept:
            g.edge(b.gid(src), rid, **_nr_label(r.grad_fn, r._output_nr))

    edges = set()
    elided_keys = set(b.elided)
    elided_into = set()
    for target, consumer, i, shape in info.edges:
        dst = b.display[id(consumer)]
        src = b.key_of(target)
        if dst not in b.kept or src == dst:
            continue
        if src in elided_keys:
            elided_into.add(dst)
            continue
        nr = _edge_output_nr(consumer, i)
        if (src, dst, nr) in edges:
            continue
        edges.add((src, dst, nr))
        g.edge(b.gid(src), b.gid(dst), **(_nr_label(target, nr) if src[0] != "mod" else {}))
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
        b.notes.insert(0, f"{len(b.elided):,} of {len(b.elided) + len(b.kept):,} nodes elided "
                          f"(max_nodes={b.max_nodes})")
    _relabel(b)
    return g


def _edge_output_nr(consumer, i):
    return consumer.next[i][1]


def _nr_label(target, nr):
    out_meta = getattr(target, "out_meta", None)
    if out_meta is not None and len(out_meta) > 1:
        return {"taillabel": f"[{nr}]", "labelfontsize": "8", "labelfontcolor": MUTED}
    return {}


def _relabel(b):
    """The graph's caption: notes (elided nodes, missing values) and the colour legend."""
    if not b.notes and not b.legend:
        return
    rows = [f'<TR><TD ALIGN="LEFT" COLSPAN="12">{_small(n, "#444444", 10)}</TD></TR>' for n in b.notes]
    rows += b.legend
    b.graph.attr(label='<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
                 + "".join(rows) + "</TABLE>>")


# --- the backward pass --------------------------------------------------------------------------
def draw_backward(root, *, gradient=None, params=None, direction="LR", show_grad=True,
                  max_nodes=DEFAULT_MAX_NODES):
    """Draw the backward pass as the engine will run it, numbered in execution order.

    Each gradient function (``MulBackward``...) is numbered in the order ``backward()`` runs it
    (the engine's schedule: a node runs once all its consumers have sent their gradient, the
    most recently created ready node first). Arrows point the way gradients flow, from the root
    to the leaves, and carry the gradient sent along them (shape and norm, or the value for one
    element); each leaf shows the total it accumulates. The layout matches ``draw_graph``.

    The gradients are recomputed by replaying the graph (each node's ``backward`` under
    ``no_grad``, without hooks, without touching ``.grad`` and without freeing anything), so call
    it before ``backward()`` or after ``backward(retain_graph=True)``; on a freed graph the
    picture still shows the order, and a note says why the values are missing.

    Args:
        root: the output Tensor (or Tensors); non-scalar roots need ``gradient=`` as in backward.
        gradient: the seed gradient(s), as for ``Tensor.backward``.
        params: a Module or dict name -> Tensor naming the leaves.
        direction: graphviz ``rankdir``.
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
    b.begin()
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
        name = b.tensor_names.get(id(leaf)) or "tensor"
        done_at = rep.leaf_done.get(id(leaf))
        known = not animate or (done_at is not None and done_at <= step)
        lines = [f"<B>{_esc(name)}</B>", _small(f"{fmt_shape(leaf.shape)} {leaf.dtype.name}", "#333333")]
        if values:
            g = rep.leaf_grads.get(id(leaf))
            text = _grad_text(g) if g is not None else "no gradient"
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
        attrs = dict(dir="back")
        if show_grad:
            text = _flow_text(rep.flows.get((id(consumer), i)), shape) if values else fmt_shape(shape)
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
    if show_grad and not rep.computed:
        b.notes.append(rep.note if rep.note != FREED_NOTE else "no gradient values: " + FREED_NOTE)
    if not animate:
        b.notes.append("numbers: the order in which backward() runs each gradient function; "
                       "arrows: the gradient sent to each input")
    _relabel(b)
    return g
