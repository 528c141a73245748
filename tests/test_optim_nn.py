"""Optimizers, schedules and clipping with real ``nn.Module`` models: the training loop as users write it."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad import optim
from minigrad.optim import lr_scheduler


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], dtype=np.float32) + 0.1).astype(np.float32)
    return mg.tensor(x), mg.tensor(y)


def _model(seed=0):
    mg.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))


def _train(model, opt, steps, sched=None, clip=None):
    x, y = _data()
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("cls, kwargs", [(optim.Adam, dict(lr=0.01)),
                                         (optim.SGD, dict(lr=0.05, momentum=0.9)),
                                         (optim.RMSprop, dict(lr=0.003)), (optim.AdamW, dict(lr=0.01))])
def test_training_a_model_lowers_the_loss_and_paths_agree(cls, kwargs):
    runs = {}
    for name, path in (("fused", dict(fused=True)), ("reference", dict(foreach=False))):
        model = _model()
        losses = _train(model, cls(model.parameters(), **kwargs, **path), 60)
        runs[name] = (losses, [p.detach().numpy() for p in model.parameters()])
    losses, params = runs["fused"]
    assert losses[-1] < 0.2 * losses[0]
    np.testing.assert_allclose(losses, runs["reference"][0], rtol=1e-5)
    for a, b in zip(params, runs["reference"][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_model_state_dict_sees_fused_updates_and_load_state_dict_reaches_the_buffer():
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.01)
    _train(model, opt, 3)
    sd = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    for (name, p) in model.named_parameters():
        np.testing.assert_array_equal(sd[name], p.detach().numpy())
    other = _model(seed=1)
    opt.load_state_dict(opt.state_dict())
    model.load_state_dict(other.state_dict())  # copies in place into the fused views
    x, _ = _data()
    np.testing.assert_array_equal(model(x).detach().numpy(), other(x).detach().numpy())
    _train(model, opt, 1)  # and the optimizer keeps training the loaded values
    assert not np.array_equal(model(x).detach().numpy(), other(x).detach().numpy())


def test_model_to_another_dtype_mid_training():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    _train(model, opt, 3)
    model.to(mg.float64)
    x, y = _data()
    opt.zero_grad()
    nn.functional.mse_loss(model(x.double()), y.double()).backward()
    opt.step()
    assert all(p.dtype is mg.float64 for p in model.parameters())
    assert all(np.isfinite(p.detach().numpy()).all() for p in model.parameters())


def test_checkpoint_of_model_optimizer_and_scheduler_resumes_identically(tmp_path):
    model = _model()
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=20)
    _train(model, opt, 8, sched, clip=1.0)
    mg.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()},
            tmp_path / "ckpt.safetensors")
    rest = _train(model, opt, 10, sched, clip=1.0)

    model2 = _model(seed=5)
    opt2 = optim.Adam(model2.parameters(), lr=0.02)
    sched2 = lr_scheduler.OneCycleLR(opt2, max_lr=0.05, total_steps=20)
    ckpt = mg.load(tmp_path / "ckpt.safetensors")
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    assert _train(model2, opt2, 10, sched2, clip=1.0) == rest
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_gradient_clipping_keeps_a_too_large_learning_rate_from_diverging():
    """Linear least squares with lr 0.8 beyond 2/λ_max: plain GD explodes, clipped GD settles."""
    runs = []
    for clip in (None, 1.0):
        mg.manual_seed(0)
        model = nn.Linear(4, 1)
        with np.errstate(all="ignore"):
            runs.append(_train(model, optim.SGD(model.parameters(), lr=0.8), 40, clip=clip))
    unclipped, clipped = runs
    assert unclipped[-1] > 1e6 * unclipped[0]
    assert clipped[-1] < 0.05 * clipped[0]


def test_per_layer_learning_rates_with_parameter_groups():
    model = _model()
    first, last = model[0], model[2]
    opt = optim.SGD([{"params": first.parameters()}, {"params": last.parameters(), "lr": 0.0}], lr=0.1)
    before = [p.detach().numpy().copy() for p in last.parameters()]
    _train(model, opt, 2)
    for p, b in zip(last.parameters(), before):
        np.testing.assert_array_equal(p.detach().numpy(), b)
