"""minigrad.utils.tensorboard.SummaryWriter: event files read back with TensorBoard's own reader."""

import glob
import io
import os

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn

pytest.importorskip("tensorboard", reason="the tensorboard package is not installed")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams import plugin_data_pb2  # noqa: E402

from minigrad.utils.tensorboard import SummaryWriter  # noqa: E402


def read(logdir):
    acc = EventAccumulator(str(logdir), size_guidance={"scalars": 0, "images": 0, "histograms": 0,
                                                       "tensors": 0})
    acc.Reload()
    return acc


def test_scalars_are_read_back_with_their_steps(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar("train/loss", mg.tensor(1.0 / (step + 1)), step)
        w.add_scalar("lr", 0.1, 7, walltime=123.0)
    acc = read(tmp_path)
    events = acc.Scalars("train/loss")
    assert [e.step for e in events] == [0, 1, 2, 3, 4]
    np.testing.assert_allclose([e.value for e in events], [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5], rtol=1e-6)
    (lr,) = acc.Scalars("lr")
    assert (lr.step, lr.wall_time) == (7, 123.0) and lr.value == pytest.approx(0.1)
    with pytest.raises(ValueError, match="one value"):
        SummaryWriter(tmp_path / "x").add_scalar("bad", mg.ones(3), 0)


def test_add_scalars_writes_one_run_per_key_as_pytorch(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalars("loss", {"train": 1.0 - 0.1 * step, "val": 1.2 - 0.1 * step}, step)
    runs = sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "loss_*")))
    assert runs == ["loss_train", "loss_val"]
    val = read(tmp_path / "loss_val").Scalars("loss")
    np.testing.assert_allclose([e.value for e in val], [1.2, 1.1, 1.0], rtol=1e-6)


def test_histograms_count_every_value(tmp_path):
    mg.manual_seed(0)
    weights = mg.randn(1000)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("w", weights, 0)
        w.add_histogram("w_auto", weights, 0, bins="auto")
        w.add_histogram("w_few", weights, 0, bins=100, max_bins=10)
    acc = read(tmp_path)
    a = weights.numpy().astype(np.float64)
    for tag in ("w", "w_auto", "w_few"):
        h = acc.Histograms(tag)[0].histogram_value
        assert h.num == 1000 and sum(h.bucket) == 1000
        assert h.min == pytest.approx(a.min()) and h.max == pytest.approx(a.max())
        assert h.sum == pytest.approx(a.sum()) and h.sum_squares == pytest.approx(a @ a)
    assert len(acc.Histograms("w_few")[0].histogram_value.bucket) <= 11


def test_images_and_figures_are_pngs_of_the_right_size(tmp_path):
    from PIL import Image
    img = np.zeros((3, 8, 12), dtype=np.float32)
    img[0] = 1.0  # red
    fig = mg.viz.plot_history({"loss": [3.0, 2.0, 1.5]}, figsize=(4, 3), dpi=50)
    with SummaryWriter(tmp_path) as w:
        w.add_image("red", mg.tensor(img), 0)
        w.add_image("gray", np.full((5, 6), 255, dtype=np.uint8), 0, dataformats="HW")
        w.add_figure("curves", fig, 0)
        with pytest.raises(ValueError, match="1, 3 or 4 channels, got 12"):
            w.add_image("bad", img, 0, dataformats="HWC")  # a CHW image read as HWC
        with pytest.raises(ValueError, match="dataformats='CHW' needs a 3-d image"):
            w.add_image("bad", img[0], 0)
    acc = read(tmp_path)
    red = acc.Images("red")[0]
    assert (red.width, red.height) == (12, 8)
    pixels = np.asarray(Image.open(io.BytesIO(red.encoded_image_string)))
    assert pixels.shape == (8, 12, 3) and (pixels[..., 0] == 255).all() and (pixels[..., 1:] == 0).all()
    gray = acc.Images("gray")[0]
    assert (gray.width, gray.height) == (6, 5)
    curves = acc.Images("curves")[0]
    assert (curves.width, curves.height) == (200, 150)  # 4×3 inches at 50 dpi


def test_text_hparams_and_graph(tmp_path):
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    with SummaryWriter(tmp_path) as w:
        w.add_text("notes", "**lr** = 0.1", 0)
        w.add_hparams({"lr": 0.1, "optimizer": "adam", "nesterov": False}, {"hparam/accuracy": 0.9},
                      run_name="trial0")
        w.add_graph(model, mg.randn(2, 3))
    acc = read(tmp_path)
    text = acc.Tensors("notes/text_summary")[0].tensor_proto.string_val[0].decode()
    assert text == "**lr** = 0.1"
    graph = acc.Graph()
    names = {n.name: n for n in graph.node}
    assert {"0/weight", "0/bias", "2/weight", "2/bias"} <= set(names)
    linear = [n for n in graph.node if n.name.startswith("2/")]
    assert any("0/weight" in n.input for n in graph.node)
    assert linear, sorted(names)
    trial = read(tmp_path / "trial0")
    assert trial.Scalars("hparam/accuracy")[0].value == pytest.approx(0.9)
    start = trial.summary_metadata["_hparams_/session_start_info"].plugin_data.content
    hp = plugin_data_pb2.HParamsPluginData.FromString(start).session_start_info.hparams
    assert hp["lr"].number_value == pytest.approx(0.1) and hp["optimizer"].string_value == "adam"
    assert hp["nesterov"].bool_value is False
    with pytest.raises(TypeError, match="dictionary"):
        SummaryWriter(tmp_path / "y").add_hparams([("lr", 0.1)], {})


def test_default_log_dir_is_runs_date_host_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    w.close()
    assert w.get_logdir().startswith("runs" + os.sep) and w.get_logdir().endswith("_lr0.1")
    assert glob.glob(os.path.join(w.get_logdir(), "events.out.tfevents.*"))
