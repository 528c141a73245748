"""Shared drawing machinery: house colours, HTML labels, the log colour scale, and the builder that
places nodes into nested module clusters and applies the node cap. Used by ``graph`` (forward
pictures), ``backward`` (backward pictures) and ``steps`` (animations).
"""

import html
import math

from ..tensor import Tensor
from ._format import dtype_name, fmt_attrs, fmt_num, fmt_shape, norm_of, scalar_value, summary
from ._render import new_graph
from ._walk import _constant_inputs, _edges, module_label, names_from, node_order

# house colours
OP_FILL, OP_LINE = "#e6edf7", "#5b6b8c"
PARAM_FILL, INPUT_FILL, ROOT_FILL = "#d4efcf", "#fff1c2", "#f9d0c9"
MODULE_FILL, ELIDED_FILL = "#ece0f5", "#f0f0f0"
CLUSTER_FILLS = ("#f7f8fa", "#eef2f8", "#e7edf5", "#e1e8f2")
DONE_FILL, CURRENT_FILL, PENDING_FILL = "#cfe8cf", "#ffb84d", "#ffffff"
MUTED = "#6a6a6a"
HIDDEN = "#fffffe00"  # transparent text: keeps every step's layout identical (see _render.hide_pending)
# a light coolwarm (blue: small, red: large) on which black text stays readable
_COOLWARM = ((0.0, (111, 146, 243)), (0.25, (170, 199, 253)), (0.5, (221, 221, 221)),
             (0.75, (246, 170, 140)), (1.0, (226, 90, 72)))
DEFAULT_MAX_NODES = 600
# graphviz's layout time grows steeply with size: an LSTM unrolled 20 steps (270 boxes) took 20 s
# to 150 s; folded to 100 boxes it takes under a second, to 150 about 2 s (a shared 2-core machine)
LAYOUT_BUDGET = 100
FOLD_NEAR_ROOT = 0.6  # the share of the budget for the last ops (nearest the output); the rest: the first
# a notebook column is about 900 px wide; boxes are about 1.7 in wide and 0.6 in high
_BOX_W, _BOX_H = 1.7, 0.6


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

    def __init__(self, info, params, direction, max_nodes, max_depth=None, collapse=None, name="minigrad",
                 fold=True):
        self.info = info
        self.tensor_names, self.module_names, self.param_ids = names_from(params, info)
        self.max_nodes = DEFAULT_MAX_NODES if max_nodes is None else int(max_nodes)
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1, got {max_nodes!r}")
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
            if len(users) == 1 and self.is_param(leaf) and next(iter(users))[0] == "mod":
                key = next(iter(users))
                self.groups[key]["params"].append(leaf)
            self.leaf_key[id(leaf)] = key
        # the cap: display items nearest the roots first
        order = []
        seen = set()
        items = sorted(
            [(info.dist[id(n)], 0, k, self.display[id(n)]) for k, n in enumerate(info.nodes)]
            + [(info.dist[id(lf)], 1, k, self.leaf_key[id(lf)]) for k, lf in enumerate(info.leaves)])
        for _, _, _, key in items:
            if key not in seen:
                seen.add(key)
                order.append(key)
        self.kept = set(order[:self.max_nodes])
        self.elided = order[self.max_nodes:]
        self.folded = []
        if fold and len(self.kept) > LAYOUT_BUDGET:
            self.folded = self._middle()
            self.kept.difference_update(self.folded)
        self._folded_set = set(self.folded)
        self._fed = None  # display keys of the ops that drawn tensors feed (edge_length)
        self._node_of = {key: n for n in info.nodes for key in (self.display[id(n)],) if key[0] == "op"}
        self.direction = direction or _choose_direction(self)
        self.graph = new_graph(name, self.direction)
        # cluster path of every module, by qualified name, for placing parameters
        self.path_of_name = {}
        for node in info.nodes:
            scope = tuple(getattr(node, "scope", ()) or ())
            for i, m in enumerate(scope):
                qual = self.module_names.get(id(m))
                if qual is not None:
                    self.path_of_name.setdefault(qual, scope[:i + 1])
        self.clusters = {}  # path (tuple of module ids) -> (modules, [node statements])
        self.cluster_depth = {}  # graphviz cluster name -> nesting depth (0: outermost module)
        self._top = []  # node statements outside any module

    def _middle(self):
        """The drawn boxes to fold: the middle of the computation, in the order it ran.

        Ops are ordered by when forward created them (an unrolled loop's steps, a chain's links
        follow one another), the first and last ones are kept and the ones between folded; a
        leaf folds with them when every op that reads it does.
        """
        first = {}
        for node in self.info.nodes:
            key = self.display[id(node)]
            if key in self.kept:
                first[key] = min(first.get(key, node_order(node)), node_order(node))
        ops = sorted(first, key=first.get)
        leaves = len(self.kept) - len(ops)
        room = max(LAYOUT_BUDGET - leaves, 20)
        late = int(room * FOLD_NEAR_ROOT)
        middle = set(ops[room - late:len(ops) - late])
        # an op kept only for what it sends into the fold (the slice of an input sequence that a
        # folded step reads) goes with it; one pass, so a chain's kept links stay
        consumers = {}
        for target, consumer, _, _ in self.info.edges:
            if id(target) in self.display:
                consumers.setdefault(self.display[id(target)], set()).add(self.display[id(consumer)])
        middle.update([k for k in ops if consumers.get(k) and consumers[k] <= middle])
        folded = [k for k in ops if k in middle]
        for leaf in self.info.leaves:
            key = self.leaf_key[id(leaf)]
            users = {self.display[id(c)] for c in self.info.consumers.get(id(leaf), ())}
            if key in self.kept and key[0] == "leaf" and users and users <= middle:
                folded.append(key)
        return folded

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

    def shown(self, key):
        """The key under which ``key`` is drawn: itself, the fold note, or None when elided."""
        if key in self.kept:
            return key
        return ("fold",) if key in self._folded_set else None

    def edge_length(self, src, dst):
        """Graphviz attributes for an edge ``src -> dst`` (display keys): two ranks from one block
        of layers into the next when drawn tensors (parameters, inputs) also feed the op it
        enters. Graphviz sets two sibling module clusters side by side when they share a rank;
        those tensors share the rank of the op before, so without the extra rank each block of
        a network made of blocks (clusters that hold clusters) starts beside the previous one
        and the picture becomes a staircase twice as wide. Between single layers the sideways
        step is small and one rank keeps the picture short."""
        if src[0] == "leaf" or src[0] == "fold" or dst[0] == "fold":
            return {}
        if self._fed is None:
            self._fed = set()
            for target, consumer, _, _ in self.info.edges:
                shown = self.shown(self.key_of(target))
                if shown is not None and shown[0] == "leaf":
                    self._fed.add(self.shown(self.display[id(consumer)]))
        if dst not in self._fed:
            return {}
        a, b = self._scope_ids(src), self._scope_ids(dst)
        common = 0
        while common < min(len(a), len(b)) and a[common] == b[common]:
            common += 1
        return {"minlen": "2"} if max(len(a), len(b)) > common + 1 else {}

    def _scope_ids(self, key):
        """The ids of the modules around a drawn op or module box, outermost first."""
        if key[0] == "mod":
            return key[1:]
        return tuple(id(m) for m in getattr(self._node_of[key], "scope", ()) or ())

    def fold_note(self):
        """Draw the note that stands for the folded middle, and say in the caption what it hides."""
        if not self.folded:
            return
        from collections import Counter
        kinds = Counter()
        nodes = {id(n): n for n in self.info.nodes}
        for key in self.folded:
            if key[0] == "op":
                kinds[nodes[key[1]].op_name] += 1
            elif key[0] == "mod":
                kinds[type(self.groups[key]["path"][-1]).__name__] += 1
            else:
                kinds["tensor"] += 1
        parts = [f"{n}× {k}" for k, n in kinds.most_common(6)]
        if len(kinds) > 6:
            parts.append("…")
        self.graph.node(self.gid(("fold",)), _html(
            f"<B>⋯ {len(self.folded):,} nodes folded</B>", _small(", ".join(parts)),
            _small("fold=False draws them (the layout may take minutes)")),
            shape="note", fillcolor=ELIDED_FILL, color="#999999")
        self.notes.append(f"{len(self.folded):,} nodes in the middle of the graph folded into one "
                          f"box to keep the layout fast (more than {LAYOUT_BUDGET} to draw)")

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
                self.cluster_depth[sub.name] = depth
            sub.attr(label=module_label(modules[-1], self.module_names), style="rounded,filled",
                     fillcolor=CLUSTER_FILLS[depth % len(CLUSTER_FILLS)], color="#9aa5b8",
                     fontsize="10", fontcolor="#33415c", labeljust="l", margin="6")
            for name, label, attrs in stmts:
                sub.node(name, label, **attrs)
        for ids in sorted(self.clusters, key=len, reverse=True):
            parent = subgraphs.get(ids[:-1]) if len(ids) > 1 else None
            (parent if parent is not None else g).subgraph(subgraphs[ids])
        return g


def _choose_direction(b):
    """``"TB"`` or ``"LR"``: whichever makes the drawing's width-to-height ratio nearer a screen's.

    Ranks are counted as graphviz counts them (longest path from the output); a deep chain is
    many ranks of few boxes, so it is drawn top to bottom, a wide shallow graph left to right.
    """
    info = b.info
    indegree, inputs = {}, {}
    for target, consumer, _, _ in info.edges:
        indegree[id(target)] = indegree.get(id(target), 0) + 1
        inputs.setdefault(id(consumer), []).append(target)
    rank = {}
    ready = []
    for r in info.roots:
        obj = r.grad_fn if r.grad_fn is not None else r
        if id(obj) not in rank:
            rank[id(obj)] = 1  # the output box sits above it
            ready.append(obj)
    by_id = {id(n): n for n in info.nodes}
    while ready:
        obj = ready.pop()
        if isinstance(obj, Tensor) or id(obj) not in by_id:
            continue
        for t in inputs.get(id(obj), ()):
            rank[id(t)] = max(rank.get(id(t), 0), rank[id(obj)] + 1)
            indegree[id(t)] -= 1
            if not indegree[id(t)]:
                ready.append(t)
    per_rank = {}
    for oid, k in rank.items():
        key = b.display.get(oid) or b.leaf_key.get(oid)
        if key in b.kept:
            per_rank.setdefault(k, set()).add(key)
    depth = len(per_rank) + 1 + (3 if b.folded else 0)
    breadth = max((len(v) for v in per_rank.values()), default=1)
    lr = (depth * (_BOX_W + 0.35)) / (breadth * (_BOX_H + 0.25))
    tb = (breadth * (_BOX_W + 0.25)) / (depth * (_BOX_H + 0.35))
    target = 1.4  # a notebook column or a laptop screen, a little wider than high
    return "LR" if abs(math.log(lr / target)) < abs(math.log(tb / target)) else "TB"


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


def shown_outputs(node):
    """A node's outputs as ``(shape, dtype)``, without those only its backward reads."""
    return node.out_meta[:len(node.out_meta) - node.hidden_outputs]


def _op_label(node, extra=(), common=("float32", "cpu")):
    constants = dict(_constant_inputs(node))
    ins = _runs([fmt_shape(e[2]) if e is not None else
                 fmt_shape(constants[i].shape) if i in constants else "const"  # a Python number
                 for i, e in enumerate(_edges(node))])
    outs = _runs([fmt_shape(s) for s, _ in shown_outputs(node)])
    meta = []
    dtypes = {dtype_name(node.device, d) for _, d in node.out_meta}
    if dtypes - {common[0]}:
        meta.append("/".join(sorted(dtypes)))
    if str(node.device) != common[1]:
        meta.append(str(node.device))
    attrs = "<BR/>".join(_small(line) for line in _wrap(fmt_attrs(getattr(node, "attrs", None))))
    return _html(f"<B>{_esc(node.op_name)}</B>", attrs,
                 _small(f"{ins} → {outs}", "#333333"), meta and _small(" ".join(meta)), *extra)


def _runs(items):
    """``items`` joined by commas, three or more equal neighbours as one ``item ×n`` (the 20
    slices a split makes, the 20 steps a stack joins)."""
    out, k = [], 0
    while k < len(items):
        n = 1
        while k + n < len(items) and items[k + n] == items[k]:
            n += 1
        out += [f"{items[k]} ×{n}"] if n >= 3 else items[k:k + n]
        k += n
    return ", ".join(out)


def _tensor_lines(t, name, show_data, grad_line):
    meta = f"{fmt_shape(t.shape)} {t.dtype.name}"
    if t.device.type != "cpu":
        meta += f" {t.device}"
    return [f"<B>{_esc(name)}</B>", _small(meta, "#333333"),
            show_data and _small(f"data {summary(t)}", "#333333"), grad_line and _small(grad_line, "#000000")]


def _value_lines(t, name, show_data, grad, prefix=""):
    """Label lines for an op's output tensor ``t`` (None when its value is not known: the caption
    says so once rather than every box)."""
    lines = []
    if name:
        lines.append(f"<B>{_esc(prefix + name)}</B>")
    if show_data and t is not None:
        lines.append(_small(f"{prefix}data {summary(t)}", "#333333"))
    if grad is not None and grad is not False:
        lines.append(_small(prefix + _grad_text(grad), "#000000"))
    return lines


def _ink(line):
    return line if isinstance(line, tuple) else (line, "#444444")


def _relabel(b):
    """The graph's caption: notes (elided nodes, missing values) and the colour legend."""
    if not b.notes and not b.legend:
        return
    # notes wrap at about 100 characters: a caption must not make the picture wider than the graph
    # (a list is lines already wrapped: the captions of animation frames, padded to one size by
    # lines in transparent ink, given as (text, HIDDEN))
    rows = [f'<TR><TD ALIGN="LEFT" COLSPAN="12">{_small(*_ink(line), 10)}</TD></TR>'
            for n in b.notes for line in (n if isinstance(n, list) else _wrap(n, 100))]
    rows += b.legend
    b.graph.attr(label='<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">'
                 + "".join(rows) + "</TABLE>>")
