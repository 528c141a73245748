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
        if 'fill="#ffffff"' in attrs:
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


def test_color_by_grad_after_a_freed_backward_says_ops_are_not_shaded():
    model = mlp()
    loss = mlp_loss(model)
    loss.backward()
    source = mg.viz.draw_graph(loss, params=model, color_by="grad").source
    assert "ops not shaded" in source and "retain_graph=True" in source


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


def test_draw_backward_on_a_freed_graph_keeps_the_order_and_says_why():
    _, loss = diamond()
    loss.backward()
    source = mg.viz.draw_backward(loss).source
    assert "#5" in source and "retain_graph=True" in source and "‖g‖" not in source


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
