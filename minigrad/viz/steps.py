"""The chain rule step by step: one picture per node the backward engine runs.

``backprop_steps(root)`` replays the engine's schedule (see ``draw_backward``) and returns a
sequence of pictures: picture 0 has only the seed gradient, picture ``k`` highlights the ``k``-th
gradient function run and shows every gradient sent so far. Every picture has the same nodes and
labels (unknown values are drawn in transparent ink), so ``dot`` lays them all out the same way and
an animation does not jump. Save them as an animated GIF or as one self-contained HTML page with a
slider.
"""

import html
import os
import uuid
from collections.abc import Sequence

from ._format import fmt_num, fmt_shape, norm_of, scalar_value
from ._layout import DEFAULT_MAX_NODES, HIDDEN, _wrap
from ._render import png_image, require_dot, svg_text
from ._walk import collect, names_from, replay
from .backward import _backward_picture

__all__ = ["backprop_steps", "BackpropSteps"]


def _grad_short(g):
    if g is None:
        return "nothing"
    v = scalar_value(g)
    return fmt_num(v) if v is not None else f"of shape {fmt_shape(g.shape)} (‖g‖={fmt_num(norm_of(g))})"


class BackpropSteps(Sequence):
    """The pictures of a backward pass, one per engine step (``len(order) + 1`` of them).

    Index or iterate to get ``graphviz.Digraph`` pictures; ``captions[k]`` says what happens at
    step ``k``; ``save("steps.gif")`` or ``save("steps.html")`` writes an animation; in Jupyter
    the object displays as the HTML slider.
    """

    def __init__(self, info, rep, params, direction, max_nodes):
        self._info, self._rep = info, rep
        self._params, self._direction, self._max_nodes = params, direction, max_nodes
        self.order = list(rep.order)
        self.captions = [self._caption(k) for k in range(len(self.order) + 1)]

    def __len__(self):
        return len(self.order) + 1

    def __getitem__(self, k):
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        if k < 0:
            k += len(self)
        if not 0 <= k < len(self):
            raise IndexError(f"step {k} out of range (0..{len(self) - 1})")
        # every frame's caption takes the same lines and width (padding in transparent ink), so
        # all frames have one size and the animation does not jump
        wrapped = [_wrap(c, 100) for c in self.captions]
        height = max(len(w) for w in wrapped)
        widest = max((line for w in wrapped for line in w), key=len)
        lines = wrapped[k] + [" "] * (height - len(wrapped[k])) + [(widest, HIDDEN)]
        return _backward_picture(self._info, self._rep, self._params, self._direction,
                                 self._max_nodes, True, step=k, caption=lines)

    def _caption(self, k):
        n = len(self.order)
        rep = self._rep
        if k == 0:
            seeds = ", ".join(_grad_short(g) for g in rep.root_grads) or "1"
            return f"step 0/{n}: backward() seeds the output's gradient with {seeds}"
        node = self.order[k - 1]
        text = f"step {k}/{n}: #{k} {node.name} runs"
        if rep.computed:
            grads = rep.out_grads.get(id(node), ())
            text += " on the gradient " + ", ".join(_grad_short(g) for g in grads)
            sent = sum(1 for target in node.next if target is not None)
            text += " and sends a gradient to " + ("its input" if sent == 1 else f"each of its {sent} inputs")
        done = [leaf for leaf in self._info.leaves if rep.leaf_done.get(id(leaf)) == k]
        if done:
            names = names_from(self._params, self._info)[0]
            text += "; gradient complete: " + ", ".join(names.get(id(leaf), "input") for leaf in done)
        return text

    # --- output ---------------------------------------------------------------------------------
    def save(self, path, *, duration=1.2, dpi=96):
        """Write the steps to ``path``: ``.gif`` (animated, ``duration`` seconds per step) or
        ``.html`` (one page, SVGs inlined, with a slider). Returns ``path``."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        if ext not in (".gif", ".html", ".htm"):
            raise ValueError(f"backprop_steps: save to a .gif or .html file, not {path!r}")
        require_dot()
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if ext == ".gif":
            self._save_gif(path, duration, dpi)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.to_html(interval=duration))
        return path

    def _save_gif(self, path, duration, dpi):
        from PIL import Image
        frames = [png_image(g, dpi) for g in self]
        w = max(f.width for f in frames)
        h = max(f.height for f in frames)
        padded = []
        for f in frames:
            canvas = Image.new("RGB", (w, h), "white")
            canvas.paste(f, (0, 0))
            padded.append(canvas.convert("P", palette=Image.ADAPTIVE, colors=255))
        ms = int(round(duration * 1000))
        padded[0].save(path, save_all=True, append_images=padded[1:], duration=[ms] * (len(padded) - 1)
                       + [3 * ms], loop=0, disposal=1)

    def to_html(self, title="minigrad: backpropagation step by step", interval=1.2):
        """One self-contained HTML page: the SVG of every step, a slider, and play/prev/next."""
        require_dot()
        frames = []
        for k, g in enumerate(self):
            hidden = "" if k == 0 else ' style="display:none"'
            frames.append(f'<div class="mg-step"{hidden}>{svg_text(g)}</div>')
        captions = "[" + ",".join(_js_string(c) for c in self.captions) + "]"
        uid = f"mg-steps-{uuid.uuid4().hex[:12]}"  # several pages may share one notebook
        return _HTML.format(title=html.escape(title), n=len(self) - 1, frames="\n".join(frames),
                            captions=captions, first=html.escape(self.captions[0]), uid=uid,
                            interval=int(interval * 1000))

    def _repr_html_(self):
        return self.to_html()


def _js_string(text):
    import json
    return json.dumps(text).replace("</", "<\\/")


_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>
 .mg-steps {{ font-family: Helvetica, Arial, sans-serif; margin: 1em 0; }}
 .mg-bar {{ display: flex; gap: .6em; align-items: center; margin-bottom: .4em; }}
 .mg-bar input[type=range] {{ flex: 1; max-width: 40em; }}
 .mg-caption {{ font-size: 0.95em; color: #333; min-height: 1.4em; }}
 .mg-step svg {{ max-width: 100%; height: auto; }}
</style></head>
<body>
<div class="mg-steps" id="{uid}">
<div class="mg-bar">
 <button class="mg-prev" title="previous step">&#9664;</button>
 <button class="mg-play">play</button>
 <button class="mg-next" title="next step">&#9654;</button>
 <input class="mg-slider" type="range" min="0" max="{n}" value="0" step="1">
 <span class="mg-count">0 / {n}</span>
</div>
<div class="mg-caption">{first}</div>
{frames}
</div>
<script>
(function() {{
  var root = document.getElementById('{uid}');
  var steps = root.querySelectorAll('.mg-step');
  var captions = {captions};
  var slider = root.querySelector('.mg-slider');
  var play = root.querySelector('.mg-play');
  var timer = null;
  function show(k) {{
    k = Math.max(0, Math.min(steps.length - 1, k));
    for (var i = 0; i < steps.length; i++) steps[i].style.display = (i === k) ? '' : 'none';
    slider.value = k;
    root.querySelector('.mg-count').textContent = k + ' / ' + (steps.length - 1);
    root.querySelector('.mg-caption').textContent = captions[k];
  }}
  function stop() {{ if (timer) {{ clearInterval(timer); timer = null; }} play.textContent = 'play'; }}
  slider.addEventListener('input', function() {{ stop(); show(parseInt(slider.value, 10)); }});
  root.querySelector('.mg-prev').onclick = function() {{ stop(); show(parseInt(slider.value, 10) - 1); }};
  root.querySelector('.mg-next').onclick = function() {{ stop(); show(parseInt(slider.value, 10) + 1); }};
  play.onclick = function() {{
    if (timer) {{ stop(); return; }}
    play.textContent = 'pause';
    if (parseInt(slider.value, 10) >= steps.length - 1) show(0);
    timer = setInterval(function() {{
      var k = parseInt(slider.value, 10) + 1;
      if (k >= steps.length) {{ stop(); return; }}
      show(k);
    }}, {interval});
  }};
  show(0);
}})();
</script>
</body></html>
"""


def backprop_steps(root, *, gradient=None, params=None, direction=None, max_nodes=DEFAULT_MAX_NODES,
                   path=None, duration=1.2, dpi=96):
    """The backward pass of ``root`` as one picture per engine step.

    Picture 0 shows the graph with only the seed gradient; picture ``k`` highlights the ``k``-th
    gradient function the engine runs (``draw_backward``'s numbering), with the nodes already run
    filled in, the gradients sent so far on the arrows, and each leaf's gradient once complete.
    Gradients are recomputed by a side-effect-free replay, so call this before ``backward()`` or
    after ``backward(retain_graph=True)``.

    Args:
        root: the output Tensor; non-scalar outputs need ``gradient=``.
        gradient: the seed gradient, as for ``Tensor.backward``.
        params: a Module or dict name -> Tensor naming the leaves.
        direction: graphviz ``rankdir``; by default chosen from the graph's shape (as ``draw_graph``).
        max_nodes: the most nodes drawn per picture.
        path: when given, also save there (``.gif`` or ``.html``).
        duration: seconds per step in a GIF.
        dpi: resolution of GIF frames.

    Returns:
        BackpropSteps: a sequence of ``graphviz.Digraph`` (``len`` = nodes run + 1) with
        ``captions``, ``save(path)`` and ``to_html()``.

    >>> import minigrad as mg
    >>> x = mg.tensor(2.0, requires_grad=True)
    >>> steps = mg.viz.backprop_steps((x * x + x).sum())
    >>> len(steps), steps.captions[1][:24]
    (4, 'step 1/3: #1 SumBackward')
    """
    info = collect(root)
    rep = replay(info, gradient)
    steps = BackpropSteps(info, rep, params, direction, max_nodes)
    if path is not None:
        steps.save(path, duration=duration, dpi=dpi)
    return steps
