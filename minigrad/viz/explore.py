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
from ._layout import DEFAULT_MAX_NODES, _Builder
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
    info = collect(root)
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
    page = _PAGE.replace("__TITLE__", html.escape(title)).replace(
        "__SVGS__", "\n".join(f'<div class="mg-level" data-level="{i}" hidden>{p.pop("svg")}</div>'
                              for i, p in enumerate(data["levels"]))).replace(
        "__DATA__", json.dumps(data).replace("</", "<\\/"))
    explorer = Explorer(page, title)
    if path is not None:
        explorer.save(path)
    return explorer


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
                          "value": _values_text(r), "grad": _values_text(seed if seed is not None else r.grad),
                          "steps": [0]}
        elif kind == "fold":
            boxes[gid] = {"kind": "fold", "title": f"{len(b.folded)} nodes folded",
                          "text": "the middle of a long graph, folded to keep the layout fast"}
        elif kind == "elided":
            boxes[gid] = {"kind": "elided", "title": f"{len(b.elided)} nodes not drawn",
                          "text": "raise max_nodes= to draw them"}
    return {"svg": svg_text(g), "boxes": boxes, "clusters": b.cluster_depth}


def _op_box(node, live, rep, names, b):
    outs = []
    for nr, (shape, _) in enumerate(node.out_meta):
        t = live.get((id(node), nr))
        grad = None
        if rep is not None and rep.known(id(node)) and id(node) in rep.out_grads:
            grad = rep.out_grads[id(node)][nr]
        elif t is not None:
            grad = t.grad
        name = (names.get(id(t)) or t.name) if t is not None else None
        outs.append({"name": name, "value": _values_text(t) if t is not None else f"{fmt_shape(shape)} (value not kept)",
                     "grad": _values_text(grad)})
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
    return {"kind": "op", "title": type(node).__name__, "outputs": outs, "sends": sends,
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


_PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>__TITLE__</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2433; }
 #mg { display: flex; flex-direction: column; height: 100%; }
 #mg-bar { display: flex; flex-wrap: wrap; gap: .4em .8em; align-items: center; padding: .45em .7em; border-bottom: 1px solid #d5dbe5; background: #f6f8fb; }
 #mg-bar .grp { display: flex; gap: .3em; align-items: center; }
 #mg-bar button { font: inherit; padding: .15em .55em; border: 1px solid #b9c2d0; border-radius: 4px; background: #fff; cursor: pointer; }
 #mg-bar button.on { background: #33415c; color: #fff; border-color: #33415c; }
 #mg-search { font: inherit; padding: .15em .4em; width: 12em; border: 1px solid #b9c2d0; border-radius: 4px; }
 #mg-caption { padding: .3em .7em; min-height: 1.4em; border-bottom: 1px solid #e3e7ee; color: #33415c; }
 #mg-main { flex: 1; display: flex; min-height: 0; }
 #mg-view { flex: 1; position: relative; overflow: hidden; cursor: grab; background: #fff; }
 #mg-view.drag { cursor: grabbing; }
 #mg-view .mg-level svg { position: absolute; inset: 0; width: 100%; height: 100%; max-width: none !important; }
 #mg-panel { width: 24em; max-width: 45%; overflow: auto; border-left: 1px solid #d5dbe5; padding: .6em .8em; background: #fbfcfe; }
 #mg-panel h3 { margin: .2em 0 .4em; font-size: 1.05em; }
 #mg-panel .kind { color: #6a6a6a; font-size: .85em; text-transform: uppercase; letter-spacing: .04em; }
 #mg-panel pre { margin: .2em 0 .7em; padding: .4em .5em; background: #fff; border: 1px solid #e3e7ee; border-radius: 4px; font-size: 12px; white-space: pre-wrap; }
 #mg-panel .lbl { font-weight: 600; font-size: .9em; }
 #mg-hint { color: #6a6a6a; font-size: .9em; }
 g.node { cursor: pointer; }
 g.node.mg-dim { opacity: .25; }
 g.node.mg-match > polygon, g.node.mg-match > path { stroke: #e07b00; stroke-width: 3px; }
 g.node.mg-selected > polygon, g.node.mg-selected > path { stroke: #1f4e9c; stroke-width: 3.5px; }
 g.node.mg-done > polygon, g.node.mg-done > path { fill: #cfe8cf; }
 g.node.mg-current > polygon, g.node.mg-current > path { fill: #ffb84d; stroke: #c75c00; stroke-width: 3px; }
 g.node.mg-pending > polygon, g.node.mg-pending > path { fill: #ffffff; stroke-dasharray: 4 3; }
 g.edge.mg-sent > path { stroke: #1f4e9c; stroke-width: 1.8px; }
 g.edge.mg-sent > polygon { fill: #1f4e9c; stroke: #1f4e9c; }
 g.cluster > text { cursor: pointer; text-decoration: underline dotted; }
</style></head>
<body><div id="mg">
<div id="mg-bar">
 <div class="grp"><input id="mg-search" type="search" placeholder="search (Enter: next)" aria-label="search"><span id="mg-found"></span></div>
 <div class="grp" id="mg-levels"><span>modules:</span></div>
 <div class="grp"><span>backward:</span><button id="mg-first" title="before backward (Home)">off</button><button id="mg-prev" title="previous step (←)">◀</button><span id="mg-step">–</span><button id="mg-next" title="next step (→)">▶</button><button id="mg-play">play</button></div>
 <div class="grp"><button id="mg-fit" title="fit (0)">fit</button><button id="mg-in" title="zoom in (+)">+</button><button id="mg-out" title="zoom out (-)">−</button></div>
</div>
<div id="mg-caption"></div>
<div id="mg-main">
 <div id="mg-view">__SVGS__</div>
 <div id="mg-panel"><div id="mg-hint">Click a box to read its values and gradient. Drag to pan, scroll to zoom; click a module's frame to fold it.</div><div id="mg-info"></div></div>
</div>
</div>
<script id="mg-data" type="application/json">__DATA__</script>
<script>
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("mg-data").textContent);
  var view = document.getElementById("mg-view");
  var levels = view.querySelectorAll(".mg-level");
  var info = document.getElementById("mg-info");
  var state = { level: levels.length - 1, step: -1, selected: null, matches: [], at: -1, timer: null };
  var boxes = [];  // per level: title -> <g class="node">
  var vbs = [];    // per level: the current viewBox [x, y, w, h]
  function esc(s) { return String(s).replace(/[&<>]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;"}[c]; }); }
  for (var i = 0; i < levels.length; i++) {
    var map = {};
    levels[i].querySelectorAll("g.node").forEach(function (g) { map[g.querySelector("title").textContent] = g; });
    boxes.push(map);
    var svg = levels[i].querySelector("svg");
    svg.removeAttribute("width"); svg.removeAttribute("height");
    var b = svg.viewBox.baseVal;
    vbs.push([b.x, b.y, b.width, b.height]);
  }
  function svgOf() { return levels[state.level].querySelector("svg"); }
  function setVB(vb) { vbs[state.level] = vb; svgOf().setAttribute("viewBox", vb.join(" ")); }
  function fit() {  // the whole graph in view, magnified at most 1.6 times its natural size
    var b = svgOf().getBBox(), r = view.getBoundingClientRect();
    var s = Math.max((b.width + 16) / r.width, (b.height + 16) / r.height, 0.75 / 1.6);
    var w = r.width * s, h = r.height * s;
    setVB([b.x + b.width / 2 - w / 2, b.y + b.height / 2 - h / 2, w, h]);
  }
  function zoom(f, cx, cy) {
    var vb = vbs[state.level].slice(), r = view.getBoundingClientRect();
    var s = Math.max(vb[2] / r.width, vb[3] / r.height);  // svg units per pixel ("meet")
    var px = vb[0] + vb[2] / 2 + ((cx === undefined ? r.width / 2 : cx) - r.width / 2) * s;
    var py = vb[1] + vb[3] / 2 + ((cy === undefined ? r.height / 2 : cy) - r.height / 2) * s;
    setVB([px - (px - vb[0]) * f, py - (py - vb[1]) * f, vb[2] * f, vb[3] * f]);
  }
  function centerOn(g) {
    var b = g.getBBox(), vb = vbs[state.level].slice();
    var w = Math.min(vb[2], Math.max(b.width * 4, 400)), h = vb[3] * w / vb[2];
    setVB([b.x + b.width / 2 - w / 2, b.y + b.height / 2 - h / 2, w, h]);
  }
  view.addEventListener("wheel", function (e) {
    e.preventDefault(); var r = view.getBoundingClientRect();
    zoom(Math.exp(e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  var drag = null;
  view.addEventListener("mousedown", function (e) { drag = { x: e.clientX, y: e.clientY, vb: vbs[state.level].slice(), moved: false }; view.classList.add("drag"); });
  window.addEventListener("mousemove", function (e) {
    if (!drag) return;
    var r = view.getBoundingClientRect(), vb = drag.vb, s = Math.max(vb[2] / r.width, vb[3] / r.height);
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (drag.moved) setVB([vb[0] - dx * s, vb[1] - dy * s, vb[2], vb[3]]);
  });
  window.addEventListener("mouseup", function () { view.classList.remove("drag"); setTimeout(function () { drag = null; }, 0); });

  // --- the panel ---------------------------------------------------------------------------
  function pre(label, text) { return text ? '<div class="lbl">' + esc(label) + '</div><pre>' + esc(text) + '</pre>' : ""; }
  function show(title) {
    var d = D.levels[state.level].boxes[title];
    if (state.selected) state.selected.classList.remove("mg-selected");
    state.selected = boxes[state.level][title] || null;
    if (state.selected) state.selected.classList.add("mg-selected");
    if (!d) { info.innerHTML = ""; return; }
    document.getElementById("mg-hint").hidden = true;
    var h = '<div class="kind">' + esc(d.kind) + '</div><h3>' + esc(d.title) + '</h3>';
    if (d.module) h += '<div>in ' + esc(d.module) + '</div>';
    if (d.steps && d.steps.length && d.kind !== "output") h += '<div>backward step ' + d.steps.join(", ") + ' of ' + D.steps + '</div>';
    if (d.attrs) { var a = []; for (var k in d.attrs) a.push(k + " = " + d.attrs[k]); h += pre("attributes", a.join("\n")); }
    h += pre("value", d.value) + pre("gradient", d.grad);
    (d.outputs || []).forEach(function (o, i) {
      var n = (d.outputs.length > 1 ? "output " + i : "output") + (o.name ? " “" + o.name + "”" : "");
      h += pre(n + ": value", o.value) + pre(n + ": gradient", o.grad);
    });
    (d.sends || []).forEach(function (s) { h += pre("sends to " + s[0], s[1]); });
    if (d.text) h += '<p>' + esc(d.text) + '</p>';
    if (d.kind === "module") h += '<button id="mg-unfold">unfold ' + esc(d.title) + '</button>';
    info.innerHTML = h;
    var u = document.getElementById("mg-unfold");
    if (u) u.onclick = function () { setLevel(Math.min(levels.length - 1, state.level + 1)); };
  }
  levels.forEach(function (lv) {
    lv.addEventListener("click", function (e) {
      if (drag && drag.moved) return;
      var g = e.target.closest("g.node");
      if (g) { show(g.querySelector("title").textContent); return; }
      var c = e.target.closest("g.cluster");
      if (c) {  // fold this module: the level where modules of its depth are boxes
        var depth = D.levels[state.level].clusters[c.querySelector("title").textContent];
        if (depth !== undefined && depth < levels.length - 1) setLevel(depth);
      }
    });
  });

  // --- levels (fold and unfold modules) ----------------------------------------------------
  var lvButtons = [];
  D.levels.forEach(function (lv, i) {
    var b = document.createElement("button"); b.textContent = lv.name; b.onclick = function () { setLevel(i); };
    document.getElementById("mg-levels").appendChild(b); lvButtons.push(b);
  });
  if (D.levels.length < 2) document.getElementById("mg-levels").hidden = true;
  function setLevel(i) {
    state.level = i;
    levels.forEach(function (lv, k) { lv.hidden = k !== i; });
    lvButtons.forEach(function (b, k) { b.classList.toggle("on", k === i); });
    if (!levels[i].dataset.fitted) { levels[i].dataset.fitted = "1"; fit(); }
    search(document.getElementById("mg-search").value, true);
    setStep(state.step);
  }

  // --- search ------------------------------------------------------------------------------
  function search(q, quiet) {
    q = q.trim().toLowerCase();
    var map = boxes[state.level], found = [];
    for (var t in map) {
      var g = map[t], hit = q && g.textContent.toLowerCase().indexOf(q) >= 0;
      g.classList.toggle("mg-match", !!hit); g.classList.toggle("mg-dim", !!q && !hit);
      if (hit) found.push(t);
    }
    state.matches = found; state.at = -1;
    document.getElementById("mg-found").textContent = q ? found.length + " found" : "";
  }
  var box = document.getElementById("mg-search");
  box.addEventListener("input", function () { search(box.value); });
  box.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !state.matches.length) return;
    state.at = (state.at + 1) % state.matches.length;
    var t = state.matches[state.at]; centerOn(boxes[state.level][t]); show(t);
  });

  // --- the backward pass, step by step -----------------------------------------------------
  function setStep(k) {
    k = Math.max(-1, Math.min(D.steps, k)); state.step = k;
    var lv = D.levels[state.level], map = boxes[state.level];
    document.getElementById("mg-step").textContent = k < 0 ? "–" : k + " / " + D.steps;
    document.getElementById("mg-caption").textContent = k < 0 ? (D.note || "") : D.captions[k];
    var current = null;
    for (var t in map) {
      var g = map[t], d = lv.boxes[t], st = d && d.steps && d.steps.length ? d.steps : null;
      var cur = k >= 0 && st && st.indexOf(k) >= 0, done = k >= 0 && st && !cur && Math.max.apply(null, st) < k;
      var leafDone = k >= 0 && st && (d.kind === "input" || d.kind === "parameter") && st[0] <= k;
      g.classList.toggle("mg-current", !!cur && d.kind !== "input" && d.kind !== "parameter");
      g.classList.toggle("mg-done", !!(done || leafDone || (k >= 0 && d && d.kind === "output")));
      g.classList.toggle("mg-pending", k >= 0 && !!st && !cur && !done && !leafDone && d.kind !== "output");
      if (cur && d.kind !== "input" && d.kind !== "parameter") current = t;
    }
    levels[state.level].querySelectorAll("g.edge").forEach(function (e) {
      var dst = e.querySelector("title").textContent.split("->")[1], d = lv.boxes[dst];
      e.classList.toggle("mg-sent", k >= 0 && !!d && !!d.steps && d.steps.length > 0 && Math.min.apply(null, d.steps) <= k);
    });
    if (current) show(current);
  }
  document.getElementById("mg-first").onclick = function () { stop(); setStep(-1); };
  document.getElementById("mg-prev").onclick = function () { stop(); setStep(state.step - 1); };
  document.getElementById("mg-next").onclick = function () { stop(); setStep(state.step + 1); };
  function stop() { if (state.timer) { clearInterval(state.timer); state.timer = null; } document.getElementById("mg-play").textContent = "play"; }
  document.getElementById("mg-play").onclick = function () {
    if (state.timer) { stop(); return; }
    if (state.step >= D.steps) setStep(-1);
    this.textContent = "pause";
    state.timer = setInterval(function () { if (state.step >= D.steps) { stop(); return; } setStep(state.step + 1); }, 900);
  };
  document.getElementById("mg-fit").onclick = fit;
  document.getElementById("mg-in").onclick = function () { zoom(1 / 1.25); };
  document.getElementById("mg-out").onclick = function () { zoom(1.25); };
  document.addEventListener("keydown", function (e) {
    if (e.target === box) return;
    if (e.key === "ArrowRight") { stop(); setStep(state.step + 1); }
    else if (e.key === "ArrowLeft") { stop(); setStep(state.step - 1); }
    else if (e.key === "Home") { stop(); setStep(-1); }
    else if (e.key === "+" || e.key === "=") zoom(1 / 1.25);
    else if (e.key === "-") zoom(1.25);
    else if (e.key === "0") fit();
  });
  setLevel(levels.length - 1);
  document.documentElement.dataset.ready = "1";
})();
</script>
</body></html>
"""
