"""optim.swa_utils: the averaged weights, the SWA learning-rate anneal and BatchNorm statistics
recomputed, against values worked out by hand."""

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.optim import swa_utils


def _set(module, value):
    with mg.no_grad():
        for p in module.parameters():
            p.fill_(value)


def test_averaged_model_is_the_running_equal_weight_average():
    net = nn.Linear(2, 1)
    swa = swa_utils.AveragedModel(net)
    for value in (1.0, 2.0, 6.0):
        _set(net, value)
        swa.update_parameters(net)
    assert swa.module.weight.tolist() == [[3.0, 3.0]] and swa.n_averaged.item() == 3
    assert sorted(swa.state_dict()) == ["module.bias", "module.weight", "n_averaged"]
    assert swa(mg.ones(1, 2)).item() == 9.0  # forward is the averaged module's


def test_exponential_moving_averages_single_and_multi():
    net = nn.Linear(2, 1)
    ema = swa_utils.AveragedModel(net, multi_avg_fn=swa_utils.get_ema_multi_avg_fn(0.9))
    ema_one = swa_utils.AveragedModel(net, avg_fn=swa_utils.get_ema_avg_fn(0.9))
    for value in (1.0, 11.0):
        _set(net, value)
        ema.update_parameters(net)
        ema_one.update_parameters(net)
    assert ema.module.bias.item() == pytest.approx(0.9 * 1 + 0.1 * 11)
    assert ema_one.module.bias.item() == pytest.approx(2.0)


def test_buffers_follow_the_model_unless_averaged():
    net = nn.BatchNorm1d(1)
    copied, averaged = swa_utils.AveragedModel(net), swa_utils.AveragedModel(net, use_buffers=True)
    for mean in (2.0, 4.0):
        net.running_mean.fill_(mean)
        copied.update_parameters(net)
        averaged.update_parameters(net)
    assert copied.module.running_mean.item() == 4.0 and averaged.module.running_mean.item() == 3.0


def test_swalr_anneals_to_the_swa_learning_rate():
    opt = mg.optim.SGD([nn.Parameter(mg.zeros(1))], lr=0.5)
    sched = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3)
    lrs = []
    for _ in range(4):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    # cosine anneal α = (1 - cos(π t/3))/2: 0.25, 0.75, 1 -> lr = 0.05 α + 0.5 (1 - α)
    assert lrs == pytest.approx([0.3875, 0.1625, 0.05, 0.05])
    linear = swa_utils.SWALR(mg.optim.SGD([nn.Parameter(mg.zeros(1))], lr=1.0), 0.0, 2, "linear")
    linear.step()
    assert linear.get_last_lr() == pytest.approx([0.5])
    with pytest.raises(ValueError, match="anneal_strategy must by one of 'cos' or 'linear'"):
        swa_utils.SWALR(opt, 0.1, anneal_strategy="step")


def test_update_bn_recomputes_the_statistics_over_the_loader():
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((12, 3)).astype(np.float32) * 2 + 1)
    model = nn.Sequential(nn.BatchNorm1d(3))
    model.eval()
    loader = mg.data.DataLoader(mg.data.TensorDataset(x), batch_size=4)
    swa_utils.update_bn(loader, model)
    np.testing.assert_allclose(model[0].running_mean.numpy(), x.numpy().mean(0), rtol=1e-5)
    batches = x.numpy().reshape(3, 4, 3)
    np.testing.assert_allclose(model[0].running_var.numpy(), batches.var(1, ddof=1).mean(0), rtol=1e-5)
    assert model[0].momentum == 0.1 and not model.training
