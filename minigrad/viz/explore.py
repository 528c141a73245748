"""The graph explorer: one self-contained HTML page to read a recorded graph in a browser.

``explore(root)`` lays the forward graph out with graphviz once per level of module nesting
(every module folded into a box, then one level open, ..., everything open) and writes the SVGs,
the values and gradients of every tensor, and the backward pass (the engine's schedule, replayed
as for ``draw_backward``) into one HTML page with a little JavaScript: pan and zoom, search,
fold and unfold modules, click a box to read its values and gradient, step through backward.
Nothing is fetched: the page works offline, from a file or inline in Jupyter.
"""

import html
import json
import os

import numpy as np

from ._format import fmt_shape, host_values
from ._layout import DEFAULT_MAX_NODES, _Builder, shown_outputs
from ._render import require_dot, svg_text
from ._walk import _edges, collect, live_outputs, module_label, replay
from .graph import _forward_picture
from .steps import BackpropSteps

__all__ = ["explore", "Explorer"]

_FULL = 64  # tensors with at most this many elements are shown in full; larger: statistics and corners


def _values_text(t):
    """A tensor's values for the panel: every number when small, else statistics and the corners."""
    if t is None:
        return None
    a = np.asarray(host_values(t))
    head = f"{fmt_shape(a.shape)} {t.dtype.name}"
    if a.size == 0:
        return head + "\n(empty)"
    body = np.array2string(a, precision=4, threshold=_FULL, edgeitems=3, max_line_width=56,
                           suppress_small=True)
    if a.size <= _FULL or not np.issubdtype(a.dtype, np.number):
        return f"{head}\n{body}"
    f = a.astype(np.float64)
    stats = (f"mean {f.mean():.4g}   std {f.std():.4g}\nmin {f.min():.4g}   max {f.max():.4g}   "
             f"‖·‖ {np.sqrt((f * f).sum()):.4g}")
    return f"{head}\n{stats}\n{body}"


class Explorer:
    """The explorer page of a graph. ``html`` is the page; ``save(path)`` writes it; Jupyter
    displays it inline (in an ``iframe``, so several explorers in one notebook do not meet)."""

    def __init__(self, page, title):
        self.html = page
        self.title = title

    def save(self, path):
        """Write the page to ``path`` (a ``.html`` file); returns ``path``."""
        path = os.fspath(path)
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html)
        return path

    def _repr_html_(self):
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" title="{html.escape(self.title)}" '
                'style="width:100%;height:640px;border:1px solid #ccd3de;border-radius:4px"></iframe>')


def explore(root, path=None, *, params=None, gradient=None, max_nodes=DEFAULT_MAX_NODES,
            title="minigrad graph explorer"):
    """An interactive page to explore the graph that produced ``root``.

    The page shows the forward graph (as ``draw_graph``) and lets you

    * pan (drag) and zoom (mouse wheel, ``+``/``-``, ``0`` to fit);
    * search boxes by name, op or shape (the matches are highlighted, Enter goes to the next);
    * fold and unfold modules (the level buttons, or click a module's frame or box);
    * click a box to read the tensor's values and gradient (every number for up to 64
      elements, else statistics and the corners), the op's attributes and the gradient it
      sends to each input;
    * step through the backward pass in the engine's order (◀ ▶, or the arrow keys), each
      step's node highlighted and what it received and sent written out.

    Gradients are recomputed by a side-effect-free replay before ``backward()``; after it they
    are what that pass left (see ``draw_backward``). Needs graphviz's ``dot`` to lay out.

    Args:
        root: the output Tensor; non-scalar outputs need ``gradient=``.
        path: when given, the page is also written there.
        params: a Module or dict name -> Tensor naming parameters (and tensors).
        gradient: the seed gradient, as for ``Tensor.backward``.
        max_nodes: the most boxes drawn per level (the farthest from the output are elided).
        title: the page's title.

    Returns:
        Explorer: ``.html``, ``.save(path)``; displays inline in Jupyter.
    """
    require_dot()
    info = collect(root, constants=True)
    live = live_outputs(info) if info.nodes else {}
    rep = replay(info, gradient) if info.nodes else None
    captions = BackpropSteps(info, rep, params, "TB", max_nodes).captions if rep else ["no backward pass"]
    depth = max((len(getattr(n, "scope", ()) or ()) for n in info.nodes), default=0)
    levels = list(range(min(depth, 3))) + [None]  # modules folded at depth d; None: all open
    pages = [_level(info, live, rep, params, max_nodes, d) for d in levels]
    names = [("modules folded" if d == 0 else f"{d} level{'s' if d > 1 else ''} open") if d is not None
             else "all open" for d in levels]
    data = {"levels": [dict(p, name=n) for p, n in zip(pages, names)], "captions": captions,
            "steps": len(captions) - 1, "note": rep.note if rep is not None else None}
    page = _page().replace("__TITLE__", html.escape(title)).replace(
        "__SVGS__", "\n".join(f'<div class="mg-level" data-level="{i}" hidden>{p.pop("svg")}</div>'
                              for i, p in enumerate(data["levels"]))).replace(
        "__DATA__", json.dumps(data).replace("</", "<\\/"))
    explorer = Explorer(page, title)
    if path is not None:
        explorer.save(path)
    return explorer


def _page():
    """The page template (``explore.html`` next to this file): style, layout and script."""
    from importlib.resources import files
    return files(__package__).joinpath("explore.html").read_text(encoding="utf-8")


def _level(info, live, rep, params, max_nodes, max_depth):
    """One level of folding: its SVG, and per drawn box what the panel shows."""
    b = _Builder(info, params, None, max_nodes, max_depth, name="explore")
    g, b = _forward_picture(info, b, live, rep, show_data=False, show_grad=True)
    boxes = {}
    names = b.tensor_names
    nodes = {id(n): n for n in info.nodes}
    for key, gid in b._ids.items():
        kind = key[0]
        if kind == "op":
            node = nodes[key[1]]
            boxes[gid] = _op_box(node, live, rep, names, b)
        elif kind == "leaf":
            leaf = next(lf for lf in info.leaves if id(lf) == key[1])
            boxes[gid] = _leaf_box(leaf, rep, b)
        elif kind == "mod":
            grp = b.groups[key]
            steps = sorted(rep.step_of[id(n)] for n in grp["nodes"]) if rep else []
            boxes[gid] = {"kind": "module", "title": module_label(grp["path"][-1], b.module_names),
                          "text": f"{len(grp['nodes'])} ops, {len(grp['params'])} parameters folded",
                          "steps": steps, "depth": len(grp["path"]) - 1}
        elif kind == "root":
            r = info.roots[key[1]]
            seed = rep.root_grads[key[1]] if rep is not None and rep.root_grads else None
            boxes[gid] = {"kind": "output", "title": names.get(id(r)) or r.name or "output",
                          "value": _values_text(r), "steps": [0],
                          "grad": _values_text(seed if seed is not None else r.grad)}
        elif kind == "fold":
            boxes[gid] = {"kind": "fold", "title": f"{len(b.folded)} nodes folded",
                          "text": "the middle of a long graph, folded to keep the layout fast"}
        elif kind == "elided":
            boxes[gid] = {"kind": "elided", "title": f"{len(b.elided)} nodes not drawn",
                          "text": "raise max_nodes= to draw them"}
    return {"svg": svg_text(g), "boxes": boxes, "clusters": b.cluster_depth}


def _op_box(node, live, rep, names, b):
    outs = []
    for nr, (shape, _) in enumerate(shown_outputs(node)):
        t = live.get((id(node), nr))
        grad = None
        if rep is not None and rep.known(id(node)) and id(node) in rep.out_grads:
            grad = rep.out_grads[id(node)][nr]
        elif t is not None:
            grad = t.grad
        name = (names.get(id(t)) or t.name) if t is not None else None
        value = _values_text(t) if t is not None else f"{fmt_shape(shape)} (value not kept)"
        outs.append({"name": name, "value": value, "grad": _values_text(grad)})
    sends = []
    for i, edge in enumerate(_edges(node)):
        if edge is None:
            continue
        target = edge[0]
        what = names.get(id(target)) or getattr(target, "name", None) or type(target).__name__
        if rep is None or not rep.computed:
            text = fmt_shape(edge[2])
        elif not rep.known((id(node), i)):
            text = f"{fmt_shape(edge[2])} (not kept)"
        else:
            text = _values_text(rep.flows.get((id(node), i))) or "nothing"
        sends.append([f"input {i}: {what}", text])
    scope = getattr(node, "scope", ()) or ()
    return {"kind": "op", "title": node.op_name, "outputs": outs, "sends": sends,
            "attrs": {k: repr(v)[:80] for k, v in (getattr(node, "attrs", None) or {}).items()
                      if not k.startswith("_")},
            "module": " › ".join(module_label(m, b.module_names) for m in scope),
            "steps": [rep.step_of[id(node)]] if rep is not None and id(node) in rep.step_of else []}


def _leaf_box(leaf, rep, b):
    grad = leaf.grad
    if grad is None and rep is not None and rep.known(id(leaf)):
        grad = rep.leaf_grads.get(id(leaf))
    done = rep.leaf_done.get(id(leaf)) if rep is not None else None
    return {"kind": "parameter" if b.is_param(leaf) else "input",
            "title": b.tensor_names.get(id(leaf)) or "input", "value": _values_text(leaf),
            "grad": _values_text(grad), "steps": [done] if done is not None else []}
