"""minigrad.viz plots (matplotlib, Agg): files of the expected pixel size and frame count, right numbers."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.viz import functions


def png_size(path):
    from PIL import Image
    with Image.open(path) as im:
        assert im.format == "PNG"
        return im.size


class LocalSGD:
    """A stand-in optimizer (θ ← θ − lr·∇), independent of minigrad.optim."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self, closure=None):
        loss = closure() if closure is not None else None
        with mg.no_grad():
            for p in self.params:
                p.sub_(self.lr * p.grad)
        return loss


def bowl(p):
    return p[0] * p[0] + 3 * p[1] * p[1]


# --- test functions -----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [functions.rosenbrock, functions.beale, functions.ravine])
def test_builtin_minima_are_stationary_zeros(fn):
    p = mg.tensor(fn.minima[0], dtype=mg.float64, requires_grad=True)
    value = fn(p)
    value.backward()
    assert abs(value.item()) < 1e-12
    np.testing.assert_allclose(p.grad.numpy(), 0.0, atol=1e-9)


def test_builtin_values_at_known_points():
    assert functions.rosenbrock(mg.tensor([0.0, 0.0])).item() == 1.0
    assert functions.saddle(mg.tensor([1.0, 2.0])).item() == -3.0
    assert functions.beale(mg.tensor([0.0, 0.0])).item() == pytest.approx(1.5 ** 2 + 2.25 ** 2 + 2.625 ** 2)


def test_builtins_accept_a_grid():
    grid = mg.zeros(2, 3, 4)
    assert functions.rosenbrock(grid).shape == (3, 4)


def test_unknown_function_name_lists_the_choices():
    with pytest.raises(ValueError, match="rosenbrock"):
        mg.viz.optimizer_race("himmelblau", {"sgd": lambda p: LocalSGD(p, 0.1)})


# --- optimizer_race -----------------------------------------------------------------------------
def test_race_trajectories_follow_the_update_rule(tmp_path):
    _, paths = mg.viz.optimizer_race(bowl, {"sgd": lambda p: LocalSGD(p, 0.1)}, start=(1.0, 1.0),
                                       steps=10, path=tmp_path / "race.png")
    traj = paths["sgd"]
    assert traj.shape == (11, 2)
    k = np.arange(11)
    np.testing.assert_allclose(traj[:, 0], 0.8 ** k)  # x ← x − 0.1·2x
    np.testing.assert_allclose(traj[:, 1], 0.4 ** k)  # y ← y − 0.1·6y


def test_race_png_has_the_figure_size(tmp_path):
    path = tmp_path / "race.png"
    mg.viz.optimizer_race("ravine", {"sgd": lambda p: LocalSGD(p, 0.05)}, steps=5, path=path,
                          figsize=(6, 4), dpi=50)
    assert png_size(path) == (300, 200)


def test_race_gif_has_one_frame_per_step(tmp_path):
    from PIL import Image
    path = tmp_path / "race.gif"
    mg.viz.optimizer_race("saddle", {"a": lambda p: LocalSGD(p, 0.1), "b": lambda p: LocalSGD(p, 0.2)},
                          steps=7, path=path, figsize=(4, 3), dpi=40)
    with Image.open(path) as im:
        assert im.n_frames == 8 and im.size == (160, 120)


def test_race_gif_frames_are_capped(tmp_path):
    from PIL import Image
    path = tmp_path / "race.gif"
    mg.viz.optimizer_race(bowl, {"sgd": lambda p: LocalSGD(p, 0.1)}, start=(1, 1), steps=30, path=path,
                          figsize=(3, 3), dpi=30, max_frames=10)
    with Image.open(path) as im:
        assert im.n_frames == 10


def test_race_marks_divergence_with_nan_rows():
    fig, paths = mg.viz.optimizer_race("rosenbrock", {"too fast": lambda p: LocalSGD(p, 1.0)}, steps=20)
    traj = paths["too fast"]
    assert traj.shape == (21, 2) and np.isnan(traj[-1]).all() and np.isfinite(traj[0]).all()
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "diverged at step" in labels[0]


def test_race_with_real_optimizers():
    optim = pytest.importorskip("minigrad.optim")
    _, paths = mg.viz.optimizer_race(
        "rosenbrock", {"SGD": lambda p: optim.SGD(p, lr=1e-3), "Adam": lambda p: optim.Adam(p, lr=0.05)},
        steps=100)
    assert set(paths) == {"SGD", "Adam"}
    start = np.array(functions.rosenbrock.start)
    # both make progress downhill
    for traj in paths.values():
        f0 = functions.rosenbrock(mg.tensor(start)).item()
        f1 = functions.rosenbrock(mg.tensor(traj[-1])).item()
        assert f1 < f0


def test_race_runs_closure_optimizers():
    optim = pytest.importorskip("minigrad.optim")
    if not hasattr(optim, "LBFGS"):
        pytest.skip("no LBFGS")
    _, paths = mg.viz.optimizer_race(bowl, {"LBFGS": lambda p: optim.LBFGS(p, lr=1, max_iter=20)},
                                     start=(1.0, 1.0), steps=2)
    np.testing.assert_allclose(paths["LBFGS"][-1], [0.0, 0.0], atol=1e-4)  # a quadratic: one step


def test_race_with_a_point_only_function():
    def f(p):
        if p.shape != (2,):
            raise ValueError("one point at a time")
        return (p * p).sum()
    _, paths = mg.viz.optimizer_race(f, {"sgd": lambda p: LocalSGD(p, 0.25)}, start=(1.0, -1.0), steps=3)
    np.testing.assert_allclose(paths["sgd"][-1], [0.125, -0.125])


# --- plot_history -------------------------------------------------------------------------------
def test_plot_history_pairs_train_and_validation(tmp_path):
    hist = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.6, 0.7],
            "acc": [0.5, 0.7, 0.9], "val_acc": [0.4, 0.8, 0.7]}
    path = tmp_path / "h.png"
    fig = mg.viz.plot_history(hist, path=path, figsize=(8, 3), dpi=50)
    assert png_size(path) == (400, 150)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["loss", "acc"]
    assert len(axes[0].get_lines()) == 3  # train, validation, best-epoch star
    star = axes[0].get_lines()[-1]
    assert star.get_xdata()[0] == 2  # best validation loss at epoch 2
    star = axes[1].get_lines()[-1]
    assert star.get_xdata()[0] == 2 and star.get_ydata()[0] == 0.8  # accuracy: higher is better


def test_plot_history_spreads_per_batch_values_over_the_epochs():
    fig = mg.viz.plot_history({"loss": [1.0, 0.9, 0.7, 0.6, 0.5, 0.45], "val_loss": [0.95, 0.55]})
    ax = [a for a in fig.axes if a.get_visible()][0]
    batches, epochs = ax.get_lines()[0], ax.get_lines()[1]
    np.testing.assert_allclose(batches.get_xdata(), [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    np.testing.assert_allclose(epochs.get_xdata(), [1, 2])


def test_plot_history_accepts_per_epoch_records():
    fig = mg.viz.plot_history([{"train_loss": 1.0, "test_loss": 2.0}, {"train_loss": 0.5, "test_loss": 1.0}])
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 1 and axes[0].get_title() == "loss"


# --- plot_grad_flow -----------------------------------------------------------------------------
def trained_mlp():
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    loss = (model(mg.randn(16, 2)) ** 2).mean()
    loss.backward()
    return model


def test_plot_grad_flow_bars_are_the_gradient_magnitudes(tmp_path):
    model = trained_mlp()
    path = tmp_path / "gf.png"
    fig = mg.viz.plot_grad_flow(model, path=path, figsize=(5, 4), dpi=40)
    assert png_size(path) == (200, 160)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["0.weight", "0.bias", "2.weight", "2.bias"]
    bars = ax.patches
    means = [b.get_height() for b in bars[4:]]
    expected = [np.abs(p.grad.numpy()).mean() for _, p in model.named_parameters()]
    np.testing.assert_allclose(means, expected, rtol=1e-6)


def test_plot_grad_flow_marks_parameters_without_gradient():
    model = trained_mlp()
    model[2].bias.grad = None
    fig = mg.viz.plot_grad_flow(model)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "no grad" in labels


# --- loss landscape -----------------------------------------------------------------------------
def test_filter_normalised_directions_match_each_filter_norm():
    from minigrad.viz.plots import _filter_normalised_direction
    model = trained_mlp()
    params = list(model.parameters())
    d = _filter_normalised_direction(params, np.random.default_rng(0), ignore_biases=True)
    w = params[0].detach().numpy()
    np.testing.assert_allclose(np.linalg.norm(d[0], axis=1), np.linalg.norm(w, axis=1), rtol=1e-6)
    assert not d[1].any()  # biases stay fixed


def test_loss_surface_center_is_the_loss_and_parameters_are_restored():
    model = trained_mlp()
    x, y = mg.randn(8, 2), mg.randn(8, 1)
    before = [p.detach().numpy().copy() for p in model.parameters()]

    def mse(out, t):
        return ((out - t) ** 2).mean()
    s = mg.viz.loss_surface(model, mse, (x, y), dims=2, steps=5)
    assert s["losses"].shape == (5, 5)
    assert s["losses"][2, 2] == pytest.approx(mse(model(x), y).item(), rel=1e-6)
    assert s["center"] == pytest.approx(s["losses"][2, 2])
    for b, p in zip(before, model.parameters()):
        np.testing.assert_array_equal(b, p.detach().numpy())
    one = mg.viz.loss_surface(model, mse, (x, y), dims=1, steps=7)
    assert one["losses"].shape == (7,) and one["losses"][3] == pytest.approx(s["center"], rel=1e-6)


def test_loss_landscape_writes_both_panels(tmp_path):
    model = trained_mlp()
    path = tmp_path / "ll.png"
    batch = (mg.randn(8, 2), mg.randn(8, 1))
    fig = mg.viz.loss_landscape(model, lambda out, t: ((out - t) ** 2).mean(), batch,
                                path=path, steps=5, figsize=(8, 3), dpi=50)
    assert png_size(path) == (400, 150)
    assert len(fig.axes) == 3  # 1-D, 2-D and the colour bar


def test_grad_flow_and_loss_surface_on_the_strict_device(backend):
    mg.manual_seed(0)
    model = nn.Linear(3, 2).to(backend)
    x, y = mg.randn(4, 3), mg.randn(4, 2)
    ((model(x) - y) ** 2).mean().backward()
    fig = mg.viz.plot_grad_flow(model)
    assert len(fig.axes[0].patches) == 4
    s = mg.viz.loss_surface(model, lambda out, t: ((out - t) ** 2).mean(), (x, y), dims=2, steps=3)
    assert s["losses"].shape == (3, 3) and s["center"] == pytest.approx(s["losses"][1, 1])


# --- plot_decision_boundary ---------------------------------------------------------------------
def test_decision_boundary_of_a_known_linear_classifier(tmp_path):
    model = nn.Linear(2, 2)
    with mg.no_grad():
        model.weight.copy_(mg.tensor([[-1.0, 0.0], [1.0, 0.0]]))  # class 1 where x > 0
        model.bias.zero_()
    points = mg.tensor([[-1.0, 0.5], [-0.5, -1.0], [0.5, 0.2], [1.0, 1.0]])
    labels = mg.tensor([0, 0, 1, 0])  # the last one is on the wrong side
    path = tmp_path / "db.png"
    fig = mg.viz.plot_decision_boundary(model, points, labels, path=path, figsize=(4, 3), dpi=50,
                                        resolution=50)
    assert png_size(path) == (200, 150)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "accuracy on these points: 75.0%" in texts


def test_decision_boundary_reads_one_column_as_a_binary_logit():
    model = nn.Linear(2, 1)
    with mg.no_grad():
        model.weight.copy_(mg.tensor([[0.0, 1.0]]))  # class 1 where y > 0
        model.bias.zero_()
    fig = mg.viz.plot_decision_boundary(model, mg.tensor([[0.0, -1.0], [0.0, 1.0]]), mg.tensor([0, 1]),
                                        resolution=20)
    assert "accuracy on these points: 100.0%" in [t.get_text() for t in fig.axes[0].texts]
