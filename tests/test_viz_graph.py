"""minigrad.viz graph pictures: rendered with graphviz's real `dot`, checked by their SVG content."""

import html
import re

import graphviz
import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.viz._format import fmt_num
from minigrad.viz._walk import collect, replay

needs_dot = pytest.mark.skipif(not mg.viz.dot_available(), reason="graphviz `dot` is not installed")


def svg_of(graph):
    return graph.pipe(format="svg").decode("utf-8")


def texts(svg):
    """The visible text of an SVG (transparent/white ink of pending values left out)."""
    out = []
    for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", svg):
        if 'fill="#fffffe"' in attrs or 'fill="none"' in attrs:
            continue
        out.append(html.unescape(body))
    return out


def mlp():
    mg.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def mlp_loss(model):
    x = mg.randn(5, 3)
    return (model(x) ** 2).mean()


# --- draw_graph ---------------------------------------------------------------------------------
def test_draw_graph_returns_a_digraph_with_dot_source():
    model = mlp()
    g = mg.viz.draw_graph(mlp_loss(model), params=model)
    assert isinstance(g, graphviz.Digraph)
    assert g.source.startswith("digraph")


@needs_dot
def test_svg_names_ops_parameters_and_shapes():
    model = mlp()
    svg = svg_of(mg.viz.draw_graph(mlp_loss(model), params=model))
    words = texts(svg)
    for op in ("Linear", "Tanh", "Pow", "Mean"):
        assert op in words
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        assert name in words
    assert "4×3 float32" in words  # 0.weight
    assert "5×4 → 5×4" in words  # Tanh's input and output shapes


@needs_dot
def test_one_cluster_per_module_with_qualified_labels():
    model = mlp()
    svg = svg_of(mg.viz.draw_graph(mlp_loss(model), params=model))
    assert svg.count('class="cluster"') == 4  # Sequential and its three children
    words = texts(svg)
    for label in ("Sequential", "0 (Linear)", "1 (Tanh)", "2 (Linear)"):
        assert label in words


def test_modules_in_scope_name_parameters_without_params():
    model = mlp()
    source = mg.viz.draw_graph(mlp_loss(model)).source
    assert "0.weight" in source and "2 (Linear)" in source


def test_params_dict_names_leaves():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    b = mg.tensor([3.0, 4.0], requires_grad=True)
    source = mg.viz.draw_graph((a * b).sum(), params={"alpha": a, "beta": b}).source
    assert "<B>alpha</B>" in source and "<B>beta</B>" in source


def test_leaf_name_attribute_is_used():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    w.name = "my_weight"
    assert "<B>my_weight</B>" in mg.viz.draw_graph((w * 2).sum()).source


@needs_dot
def test_small_attributes_are_shown():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    words = texts(svg_of(mg.viz.draw_graph(x.sum(dim=1, keepdim=True).sum())))
    assert "dim=(1,) keepdim=True" in words


def test_index_keys_shown_compactly_and_index_arrays_by_shape():
    x = mg.randn(4, 5, requires_grad=True)
    source = mg.viz.draw_graph(x[1:3, 0].sum()).source
    assert "key=[1:3, 0]" in source
    idx = mg.tensor([0, 2, 3])
    source = mg.viz.draw_graph(x[idx].sum()).source
    assert "key=[idx3]" in source


@needs_dot
def test_gradient_norms_after_backward():
    model = mlp()
    loss = mlp_loss(model)
    loss.backward()
    words = texts(svg_of(mg.viz.draw_graph(loss, params=model)))
    for name, p in model.named_parameters():
        norm = float(np.linalg.norm(p.grad.numpy()))
        assert f"grad ‖·‖ = {fmt_num(norm)}" in words, name


def test_one_element_gradients_show_the_value():
    x = mg.tensor(3.0, requires_grad=True)
    y = x * x
    y.backward()
    assert "grad = 6" in mg.viz.draw_graph(y).source


def test_show_data_summarises_leaf_values():
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    assert "[1, -2]" in mg.viz.draw_graph((x * x).sum(), show_data=True).source


def test_root_is_marked_with_its_value():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    source = mg.viz.draw_graph((x * x).sum()).source
    assert "<B>output</B>" in source and "value = 5" in source and "penwidth=2.2" in source


@needs_dot
def test_color_by_grad_shades_nodes_and_draws_a_legend():
    model = mlp()
    loss = mlp_loss(model)
    loss.backward(retain_graph=True)
    g = mg.viz.draw_graph(loss, params=model, color_by="grad")
    words = texts(svg_of(g))
    assert any(w.startswith("gradient norm (log scale)") for w in words)
    assert any(w.startswith("∇ ‖·‖ = ") for w in words)  # ops shaded from the replayed gradients
    fills = set(re.findall(r'fillcolor="(#[0-9a-f]{6})"', g.source))
    assert len(fills) >= 4


def test_color_by_grad_after_a_freed_backward_shades_what_that_pass_left():
    model = mlp()
    loss = mlp_loss(model)
    loss.backward()  # frees the graph: the natural order is forward, backward, then draw
    source = mg.viz.draw_graph(loss, params=model, color_by="grad").source
    assert "retain_graph=True" in source  # the note says how to get the rest
    shaded = re.findall(r"∇ ‖·‖ = ([^<]+)<", source)
    assert shaded  # ops whose backward needs nothing saved are recomputed from the seed
    assert source.count("no gradient") < len(collect(loss).nodes)
    assert "gradient not kept" in source  # an op whose input needed freed values: not "no gradient"


def test_color_by_grad_on_a_non_scalar_root_explains_why_ops_are_plain():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    source = mg.viz.draw_graph(x * 2, color_by="grad").source
    assert "ops not shaded: grad can be implicitly created only for scalar outputs" in source


def test_color_by_rejects_unknown_modes():
    x = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="color_by"):
        mg.viz.draw_graph(x * 2, color_by="rainbow")


def test_node_cap_elides_the_farthest_nodes_with_a_note():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(30):
        y = y * 1.1
    g = mg.viz.draw_graph(y.sum(), max_nodes=10)
    assert g.source.count("<B>Mul</B>") == 9  # Sum plus nine of the thirty Muls
    assert "22 more nodes not drawn" in g.source  # 21 Muls and the leaf
    assert "22 of 32 nodes elided (max_nodes=10)" in g.source


@needs_dot
def test_thousands_of_nodes_render_under_the_default_cap():
    from minigrad.viz._layout import DEFAULT_MAX_NODES
    mg.manual_seed(0)
    blocks = nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.Tanh()) for _ in range(600)])
    loss = blocks(mg.randn(2, 4)).sum()
    info = collect(loss)
    assert len(info.nodes) + len(info.leaves) > 2000
    g = mg.viz.draw_graph(loss, params=blocks)
    svg = svg_of(g)
    assert svg.count('class="node"') <= DEFAULT_MAX_NODES + 2  # plus the root and the elided note
    assert any("more nodes not drawn" in w for w in texts(svg))


def test_max_nodes_must_be_positive():
    x = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="max_nodes"):
        mg.viz.draw_graph(x * 2, max_nodes=0)


def test_long_chains_are_walked_without_recursion():
    x = mg.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(5000):
        y = y + 1.0
    g = mg.viz.draw_graph(y.sum(), max_nodes=50)
    assert "4,952 more nodes not drawn" in g.source


def test_max_depth_collapses_nested_modules_into_boxes():
    model = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.Tanh()), nn.Linear(4, 2))
    loss = mlp_loss(model)
    source = mg.viz.draw_graph(loss, params=model, max_depth=1).source
    assert "<B>0 (Sequential)</B>" in source and "2 ops, 2 parameters (16 values)" in source
    assert "<B>Tanh</B>" not in source and "0.0.weight" not in source
    assert "<B>1.weight</B>" not in source  # the top-level Linear is collapsed too
    assert "<B>1 (Linear)</B>" in source


def test_collapse_by_class_name_or_module():
    model = mlp()
    loss = mlp_loss(model)
    by_class = mg.viz.draw_graph(loss, params=model, collapse=nn.Linear).source
    assert by_class.count("shape=box3d") == 2 and "<B>Tanh</B>" in by_class
    by_name = mg.viz.draw_graph(loss, params=model, collapse="2").source
    assert by_name.count("shape=box3d") == 1
    by_object = mg.viz.draw_graph(loss, params=model, collapse=[model[0]]).source
    assert "<B>0 (Linear)</B>" in by_object


def test_a_tensor_without_graph_says_so():
    source = mg.viz.draw_graph(mg.tensor([1.0, 2.0]) * 2).source
    assert "no graph was recorded" in source


@needs_dot
def test_cnn_has_one_cluster_per_module_called():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 2 * 2, 3))
    loss = model(mg.rand(2, 1, 8, 8)).sum()
    loss.backward()
    svg = svg_of(mg.viz.draw_graph(loss, params=model))
    assert svg.count('class="cluster"') == len(list(model.modules()))
    words = texts(svg)
    assert "0 (Conv2d)" in words and "1 (BatchNorm2d)" in words and "3 (MaxPool2d)" in words
    assert any("stride=2 padding=1" in w for w in words)
    assert "4×1×3×3 float32" in words
    norm = float(np.linalg.norm(model[0].weight.grad.numpy()))
    assert f"grad ‖·‖ = {fmt_num(norm)}" in words


def test_multiple_roots_and_multi_output_ops():
    x = mg.tensor([[1.0, 2.0, 3.0, 4.0]], requires_grad=True)
    a, b = mg.split(x, 2, dim=1)
    source = mg.viz.draw_graph([a.sum(), (b * 2).sum()]).source
    assert "output 0" in source and "output 1" in source and 'taillabel="[1]"' in source


def test_draw_graph_on_the_strict_device(backend):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    source = mg.viz.draw_graph(y).source
    assert "grad ‖·‖ = 4.472" in source
    if backend.type != "cpu":
        assert str(backend) in source


# --- draw_backward and backprop_steps ------------------------------------------------------------
def diamond():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    a = x.exp()
    b = x * 3.0
    c = a.sin()
    return x, (c * b + a).sum()


def test_backward_order_matches_the_engine():
    _, loss = diamond()
    fired = []
    # hooks on each node's output fire when the engine runs that node
    rep = replay(collect(loss))
    for node in rep.order:
        node.register_hook_for_output(0, lambda g, n=node: fired.append(n))
    loss.backward()
    assert fired == rep.order
    assert [rep.step_of[id(n)] for n in rep.order] == list(range(1, len(rep.order) + 1))


@needs_dot
def test_draw_backward_numbers_every_gradient_function():
    _, loss = diamond()
    n = len(collect(loss).nodes)
    words = texts(svg_of(mg.viz.draw_backward(loss)))
    assert [w for w in words if re.fullmatch(r"#\d+", w)] and \
        sorted(int(w[1:]) for w in words if re.fullmatch(r"#\d+", w)) == list(range(1, n + 1))
    assert "SumBackward0" in words and "ExpBackward0" in words


@needs_dot
def test_draw_backward_edges_carry_the_gradients_backward_computes():
    x, loss = diamond()
    g = mg.viz.draw_backward(loss)
    words = texts(svg_of(g))
    loss.backward()
    assert f"grad ‖·‖ = {fmt_num(float(np.linalg.norm(x.grad.numpy())))}" in words
    assert "2, ‖g‖=1.414" in words  # the ones the Sum sends back (shape 2)


def test_draw_backward_leaves_grad_and_graph_untouched():
    x, loss = diamond()
    mg.viz.draw_backward(loss)
    assert x.grad is None
    loss.backward()  # would fail if the replay had freed saved tensors
    expected = x.grad.numpy().copy()
    x2, loss2 = diamond()
    loss2.backward()
    np.testing.assert_allclose(expected, x2.grad.numpy())


def test_draw_backward_on_a_freed_graph_keeps_the_numbers_that_pass_left():
    x, loss = diamond()
    before = mg.viz.draw_backward(loss).source
    loss.backward()  # frees the graph
    after = mg.viz.draw_backward(loss).source
    assert "#5" in after and "retain_graph=True" in after
    leaf_total = f"grad ‖·‖ = {fmt_num(float(np.linalg.norm(x.grad.numpy())))}"
    assert leaf_total in before and leaf_total in after  # the leaf keeps its number
    # Sum and Add need nothing saved: the gradients they send are recomputed from the seed
    flows = lambda src: re.findall(r'label=<<FONT[^>]*>([^<]*)</FONT>>', src)  # noqa: E731
    assert sum("‖g‖" in f for f in flows(after)) >= 2
    assert any("not kept" in f for f in flows(after))  # Mul and Sin needed what was freed
    x.grad = None
    x2, loss2 = diamond()
    assert mg.viz.draw_backward(loss2).source.count("not kept") == 0


def test_draw_backward_non_scalar_needs_a_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="gradient="):
        mg.viz.draw_backward(x * 2)
    assert "‖g‖=2.828" in mg.viz.draw_backward(x * 2, gradient=mg.ones(2)).source


def test_draw_backward_on_the_strict_device(backend):
    x = mg.tensor([3.0, 4.0], requires_grad=True)
    source = mg.viz.draw_backward((x * x).sum()).source
    assert "grad ‖·‖ = 10" in source  # 2x = (6, 8)


def test_backprop_steps_has_one_picture_per_engine_step():
    _, loss = diamond()
    steps = mg.viz.backprop_steps(loss)
    n = len(collect(loss).nodes)
    assert len(steps) == n + 1 and len(list(steps)) == n + 1
    assert steps.captions[0].startswith("step 0/")
    assert "CURRENT" not in steps[0].source
    assert 'fillcolor="#ffb84d"' in steps[2].source  # the node being run is highlighted
    assert steps[-1].source.count('fillcolor="#cfe8cf"') == n - 1  # all earlier ones done


@needs_dot
def test_backprop_steps_keep_the_same_layout():
    _, loss = diamond()
    steps = mg.viz.backprop_steps(loss)
    sizes = {re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', svg_of(g)).groups() for g in steps[1:]}
    assert len(sizes) == 1


@needs_dot
def test_backprop_steps_saves_a_gif_with_one_frame_per_step(tmp_path):
    from PIL import Image
    _, loss = diamond()
    path = tmp_path / "steps.gif"
    steps = mg.viz.backprop_steps(loss, path=path, dpi=48)
    with Image.open(path) as im:
        assert im.n_frames == len(steps)


@needs_dot
def test_backprop_steps_saves_an_html_slider(tmp_path):
    _, loss = diamond()
    steps = mg.viz.backprop_steps(loss)
    with open(steps.save(tmp_path / "steps.html"), encoding="utf-8") as f:
        text = f.read()
    assert text.count("<svg") == len(steps)
    assert 'type="range"' in text and f'max="{len(steps) - 1}"' in text
    assert "<?xml" not in text
    # gradients not yet sent take their place invisibly (no ink: they would show on shaded boxes)
    first = text.split('class="mg-step"')[1]
    assert "‖g‖" in first and all("‖g‖" not in html.unescape(body)
                                  for attrs, body in re.findall(r"<text([^>]*)>(.*?)</text>", first)
                                  if 'fill="none"' not in attrs)


# --- output -------------------------------------------------------------------------------------
@needs_dot
def test_render_and_write_produce_files(tmp_path):
    model = mlp()
    g = mg.viz.draw_graph(mlp_loss(model), params=model)
    out = g.render(tmp_path / "g", format="svg")
    with open(out, encoding="utf-8") as f:
        assert f.read().lstrip().startswith("<?xml")
    with open(g.write(tmp_path / "g.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


@needs_dot
def test_jupyter_displays_svg_inline():
    x = mg.tensor([1.0], requires_grad=True)
    bundle = mg.viz.draw_graph(x * 2)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_missing_dot_names_the_packages_and_keeps_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    x = mg.tensor([1.0], requires_grad=True)
    g = mg.viz.draw_graph(x * 2)
    assert "<B>Mul</B>" in g.source
    for render in (lambda: g.pipe(format="svg"), lambda: g.render(tmp_path / "g", format="png"),
                   lambda: g.write(tmp_path / "g.svg"), lambda: mg.viz.backprop_steps(x.sum()).save(
                       tmp_path / "s.gif")):
        with pytest.raises(mg.viz.GraphvizNotFoundError) as err:
            render()
        text = str(err.value)
        assert "apt-get install graphviz" in text and "brew install graphviz" in text
        assert "conda install -c conda-forge graphviz" in text and ".source" in text
        assert isinstance(err.value, graphviz.ExecutableNotFound)


def test_jupyter_without_dot_shows_the_hint_and_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    x = mg.tensor([1.0], requires_grad=True)
    bundle = mg.viz.draw_graph(x * 2)._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "apt-get install graphviz" in bundle["text/plain"] and "digraph" in bundle["text/plain"]


def test_direction_is_validated():
    x = mg.tensor([1.0], requires_grad=True)
    assert "rankdir=TB" in mg.viz.draw_graph(x * 2, direction="TB").source
    with pytest.raises(ValueError, match="direction"):
        mg.viz.draw_graph(x * 2, direction="up")


# --- every tensor a node, with its value and gradient (micrograd's draw_dot shows data | grad) ---
def karpathy_neuron():
    """The two-input tanh neuron: o = tanh(x1·w1 + x2·w2 + b), b chosen so that n ≈ 0.8814."""
    def leaf(v, name):
        t = mg.tensor(v, dtype=mg.float64, requires_grad=True)
        t.name = name
        return t
    x1, x2, w1, w2 = leaf(2.0, "x1"), leaf(0.0, "x2"), leaf(-3.0, "w1"), leaf(1.0, "w2")
    b = leaf(6.8813735870195432, "b")
    x1w1 = x1 * w1
    x2w2 = x2 * w2
    s = x1w1 + x2w2
    n = s + b
    o = n.tanh()
    for t, name in ((x1w1, "x1*w1"), (x2w2, "x2*w2"), (s, "x1*w1 + x2*w2"), (n, "n"), (o, "o")):
        t.name = name
        t.retain_grad()
    return [x1, x2, w1, w2, b, x1w1, x2w2, s, n, o]


def test_the_neuron_drawn_after_backward_shows_every_value_and_gradient():
    tensors = karpathy_neuron()
    tensors[-1].backward()  # the natural order: forward, backward, draw
    source = mg.viz.draw_graph(tensors[-1], show_data=True).source
    for t in tensors:
        assert f"<B>{html.escape(t.name, quote=False)}</B>" in source, t.name
        value, grad = fmt_num(t.item()), fmt_num(t.grad.item())
        assert re.search(rf"(data|value =) {re.escape(value)}<", source), (t.name, value)
        assert f"grad = {grad}<" in source, (t.name, grad)
    # the numbers micrograd's picture shows: o = 0.7071, do/dn = 1 - o² = 0.5, dL/dx1 = w1·0.5
    assert "value = 0.7071" in source and "grad = -1.5<" in source and "grad = 1<" in source


def test_inputs_and_targets_without_grad_are_nodes_with_their_values_after_backward():
    # the neuron as the issue drew it: the inputs x1, x2 need no gradient (they were "const")
    x1, x2 = mg.tensor(2.0, dtype=mg.float64), mg.tensor(0.0, dtype=mg.float64)
    x1.name, x2.name = "x1", "x2"
    w = mg.tensor([-3.0, 1.0], dtype=mg.float64, requires_grad=True)
    target = mg.tensor(0.5, dtype=mg.float64)  # unnamed: drawn as "input"
    o = (x1 * w[0] + x2 * w[1] + 6.8813735870195432).tanh()
    loss = (o - target) ** 2
    loss.backward()  # frees the graph: the inputs are found without what the ops saved
    source = mg.viz.draw_graph(loss, show_data=True).source
    assert "<B>x1</B>" in source and "<B>x2</B>" in source and "<B>input</B>" in source
    assert "data 2<" in source and "data 0<" in source and "data 0.5<" in source
    assert "const" not in source.split("Pow")[0]  # only the exponent, a Python number, is a const
    assert source.count(" -> ") == len(collect(loss, constants=True).edges) + 1  # + the output box


def test_intermediates_without_retain_grad_get_the_gradient_of_the_pass_when_recomputable():
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    h = x * 3.0
    h.name = "h"
    loss = h.sum()
    loss.backward(retain_graph=True)
    source = mg.viz.draw_graph(loss, show_data=True).source
    assert "<B>h</B>" in source and "data [3, -6]" in source
    assert "grad ‖·‖ = 1.414" in source  # dloss/dh = [1, 1]: recomputed by the replay


def test_intermediate_values_come_from_saved_tensors_until_backward_frees_them():
    x = mg.tensor([1.0, -2.0], requires_grad=True)
    loss = (x * 3.0).sigmoid().exp().sum()  # sigmoid and exp save their outputs, mul its inputs
    source = mg.viz.draw_graph(loss, show_data=True).source
    s = 1 / (1 + np.exp(-np.array([3.0, -6.0])))
    assert f"data [{fmt_num(s[0])}, {fmt_num(s[1])}]" in source  # sigmoid's saved output
    assert "1 intermediate value not shown" in source  # 3·x: saved by nobody, held by nobody
    loss.backward()
    assert "3 intermediate values not shown" in mg.viz.draw_graph(loss, show_data=True).source


def test_no_gradients_are_shown_before_backward_has_run():
    tensors = karpathy_neuron()
    source = mg.viz.draw_graph(tensors[-1], show_data=True).source
    assert "grad" not in source.replace("requires_grad", "")
    assert "data 0.8814" in source  # values are there already


# --- graphs that fit -----------------------------------------------------------------------------
def test_direction_follows_the_graph_shape():
    x = mg.tensor([1.0], requires_grad=True)
    chain = x
    for _ in range(12):
        chain = (chain * 1.1).tanh()
    assert "rankdir=TB" in mg.viz.draw_graph(chain.sum()).source  # deep: top to bottom
    leaves = [mg.tensor([float(i)], requires_grad=True) for i in range(24)]
    wide = mg.stack([a * b for a, b in zip(leaves[::2], leaves[1::2])]).sum()
    assert "rankdir=LR" in mg.viz.draw_graph(wide).source  # shallow and broad: left to right
    assert "rankdir=LR" in mg.viz.draw_graph(chain.sum(), direction="LR").source


def unrolled_lstm(steps):
    """An LSTM unrolled by hand, one LSTMCell call per step (nn.LSTM's recurrence is one node)."""
    mg.manual_seed(0)
    cell, head = nn.LSTMCell(8, 16), nn.Linear(16, 1)
    h = c = mg.zeros(1, 16)
    outputs = []
    for x in mg.randn(steps, 1, 8):
        h, c = cell(x, (h, c))
        outputs.append(h)
    return cell, head(mg.stack(outputs)).sum()


@needs_dot
def test_an_unrolled_lstm_is_folded_and_lays_out_in_seconds():
    import time

    from minigrad.viz._layout import LAYOUT_BUDGET
    lstm, loss = unrolled_lstm(20)  # unfolded, graphviz took 20-150 s on this graph
    g = mg.viz.draw_graph(loss, params=lstm)
    assert "nodes folded" in g.source and "to keep the layout fast" in g.source
    start = time.perf_counter()
    svg = svg_of(g)
    assert time.perf_counter() - start < 10  # about 0.7 s alone; the machine may be shared
    assert svg.count('class="node"') <= LAYOUT_BUDGET + 4  # plus the fold note and the output
    assert "1×16 ×20" in g.source  # the 20 steps stacked: one item in its label, not 20
    # pt: the steps' inputs and the four weights' arrows run along the top (2054 pt measured)
    assert svg_size(svg)[0] <= 2200
    assert any("Mul" in w and "×" in w for w in texts(svg))  # the note says what it folded
    assert "nodes folded" not in mg.viz.draw_graph(loss, params=lstm, fold=False).source
    mg.manual_seed(0)
    layer = nn.LSTM(8, 16)
    out, _ = layer(mg.randn(20, 1, 8))
    assert "nodes folded" not in mg.viz.draw_graph(out.sum(), params=layer).source  # one recurrence node


def test_folding_keeps_the_first_and_last_steps_of_a_chain():
    x = mg.tensor([1.0], requires_grad=True)
    x.name = "start"
    y = x
    for _ in range(400):
        y = y * 1.001
    source = mg.viz.draw_graph(y.sum()).source
    assert "<B>start</B>" in source  # the input end survives the fold
    assert re.search(r"⋯ 3\d\d nodes folded", source)


def example(name):
    """The module of ``examples/<name>.py`` (its models), without running its main."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def svg_size(svg):
    return tuple(map(float, re.search(r'<svg width="(\d+)pt" height="(\d+)pt"', svg).groups()))


@needs_dot
def test_the_demo_cnn_graph_fits_a_screen():
    demo = example("train_digits")
    mg.manual_seed(0)
    model = demo.DigitsCNN() if hasattr(demo, "DigitsCNN") else demo.CNN()
    x, y = mg.randn(4, 1, 8, 8), mg.tensor([0, 1, 2, 3])  # held, as the demo holds its batch
    loss = nn.CrossEntropyLoss(label_smoothing=0.1)(model(x), y)
    loss.backward()
    svg = svg_of(mg.viz.draw_graph(loss, params=model))
    assert texts(svg).count("input") == 1  # the images are a box too (the loss op reads the labels
    # as an array it prepared, not as the Tensor y, so they have no box)
    w, h = svg_size(svg)
    assert 1 / 3 <= w / h <= 2.5, (w, h)  # was 2733×389 pt (7:1) drawn left to right
    assert w <= 1000  # pt: a notebook column or a laptop screen shows it whole


@needs_dot
def test_blocks_of_layers_stack_instead_of_forming_a_staircase():
    mg.manual_seed(0)
    model = example("cnn_graph").SmallCNN()  # blocks (conv, batch norm, ReLU, pool), each a module of modules
    x, y = mg.rand(4, 1, 8, 8), mg.tensor([0, 3, 5, 9])
    loss = nn.CrossEntropyLoss()(model(x), y)
    loss.backward(retain_graph=True)
    for graph in (mg.viz.draw_graph(loss, params=model), mg.viz.draw_backward(loss, params=model)):
        w, h = svg_size(svg_of(graph))
        assert w <= 800 and 1 / 3 <= w / h <= 1, (w, h)  # each block beside the last: 1174×1049 pt


def test_outputs_only_backward_reads_stay_out_of_the_picture():
    # BatchNorm also returns x̂ and 1/σ, cross-entropy its log-probabilities, for their backward
    bn = nn.BatchNorm1d(3)
    x = mg.randn(4, 3)
    loss = nn.functional.cross_entropy(bn(x), mg.tensor([0, 1, 2, 0]))
    source = mg.viz.draw_graph(loss, params=bn).source
    assert "4×3, 3, 3 → 4×3, 3, 3<" in source  # y, mean, var: not x̂ (4×3) and 1/σ (1×3)
    assert "1×3" not in source
    assert source.count("taillabel=") == 1  # BatchNorm's [0]; cross-entropy shows one output: no label
