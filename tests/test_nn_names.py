"""nn layers and functions PyTorch programs reach for beyond the core set: padding layers,
RMSNorm, Softmax2d, channel shuffle, pdist, Gumbel-softmax, the ``*_with_indices`` pooling
spellings and two more initialisers; values worked out by hand (gradients in test_ops.py)."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F


def test_padding_layers_by_mode():
    row = mg.arange(3.0).reshape(1, 3)  # [0, 1, 2] as (C, W)
    assert nn.ReflectionPad1d(2)(row).tolist() == [[2.0, 1.0, 0.0, 1.0, 2.0, 1.0, 0.0]]
    assert nn.ReplicationPad1d(2)(row).tolist() == [[0.0, 0.0, 0.0, 1.0, 2.0, 2.0, 2.0]]
    assert nn.CircularPad1d(2)(row).tolist() == [[1.0, 2.0, 0.0, 1.0, 2.0, 0.0, 1.0]]
    assert nn.ConstantPad1d((2, 1), 3.5)(row).tolist() == [[3.5, 3.5, 0.0, 1.0, 2.0, 3.5]]
    assert nn.ZeroPad2d((1, 0, 0, 1))(mg.ones(1, 1, 1)).tolist() == [[[0.0, 1.0], [0.0, 0.0]]]
    image = mg.arange(12.0).reshape(1, 1, 3, 4)
    padded = nn.ReflectionPad2d((1, 2, 1, 0))(image)
    assert padded.shape == (1, 1, 4, 7)
    assert padded[0, 0, 0].tolist() == [5.0, 4.0, 5.0, 6.0, 7.0, 6.0, 5.0]  # row 1 mirrored above row 0
    assert nn.ReplicationPad3d(1)(mg.ones(1, 1, 1, 1, 1)).shape == (1, 1, 3, 3, 3)
    assert nn.ZeroPad3d(1)(mg.ones(1, 1, 1, 1)).shape == (1, 3, 3, 3)
    with pytest.raises(RuntimeError, match="expected a 3-d or 4-d"):
        nn.ReflectionPad2d(1)(mg.ones(3))
    x = mg.arange(3.0, requires_grad=True)
    nn.ReflectionPad1d(2)(x.reshape(1, 3)).sum().backward()
    assert x.grad.tolist() == [2.0, 3.0, 2.0]  # each element counted once per appearance


def test_rms_norm():
    out = nn.RMSNorm(2)(mg.tensor([[3.0, 4.0]]))
    np.testing.assert_allclose(out.tolist(), [[3 / math.sqrt(12.5), 4 / math.sqrt(12.5)]], rtol=1e-6)
    layer = nn.RMSNorm([2, 2], eps=1e-2, elementwise_affine=False)
    assert layer.weight is None and not list(layer.parameters())
    x = mg.tensor([[[1.0, -1.0], [1.0, -1.0]]])
    np.testing.assert_allclose(layer(x).tolist(), (x / math.sqrt(1.01)).tolist(), rtol=1e-6)
    weighted = F.rms_norm(mg.tensor([[3.0, 4.0]]), (2,), mg.tensor([1.0, 2.0]))
    np.testing.assert_allclose(weighted.tolist(), [[3 / math.sqrt(12.5), 8 / math.sqrt(12.5)]], rtol=1e-6)
    assert repr(nn.RMSNorm(3)) == "RMSNorm((3,), eps=None, elementwise_affine=True)"
    with pytest.raises(RuntimeError, match="rms_norm: given normalized_shape=\\[3\\]"):
        F.rms_norm(mg.ones(2, 4), (3,))


def test_softmax2d_channel_shuffle_and_pdist():
    probs = nn.Softmax2d()(mg.arange(8.0).reshape(1, 2, 2, 2))
    top = math.exp(4) / (1 + math.exp(4))  # channels v and v + 4 at every position
    np.testing.assert_allclose(probs[0, :, 0, 0].tolist(), [1 - top, top], rtol=1e-6)
    assert F.channel_shuffle(mg.arange(6.0).reshape(1, 6, 1, 1), 2).reshape(-1).tolist() == [0, 3, 1, 4, 2, 5]
    assert nn.ChannelShuffle(3)(mg.arange(6.0).reshape(1, 6, 1)).reshape(-1).tolist() == [0, 2, 4, 1, 3, 5]
    points = mg.tensor([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    assert F.pdist(points).tolist() == [5.0, 10.0, 5.0]  # pairs (0,1), (0,2), (1,2)
    assert F.pdist(points, p=1).tolist() == [7.0, 14.0, 7.0]


def test_gumbel_softmax_samples_the_softmax_distribution():
    mg.manual_seed(0)
    logits = mg.tensor([0.0, 1.0, 2.0]).expand(20000, 3)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.sum(-1).numpy(), 1.0, rtol=1e-5)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(hard.reshape(-1).tolist()) == {0.0, 1.0} and (hard.sum(-1) == 1).all()
    expected = np.exp([0.0, 1.0, 2.0]) / np.exp([0.0, 1.0, 2.0]).sum()  # P(argmax = k) = softmax(logits)_k
    np.testing.assert_allclose((hard.sum(0) / 20000).tolist(), expected, atol=0.015)
    leaf = mg.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    (F.gumbel_softmax(leaf, hard=True) * mg.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert leaf.grad is not None and bool(mg.isfinite(leaf.grad).all())  # the soft sample's gradient


@pytest.mark.filterwarnings("ignore:`nn.functional.upsample")  # deprecated there, as in PyTorch
def test_with_indices_and_deprecated_upsample_spellings():
    x = mg.tensor([[[[1.0, 3.0], [2.0, 0.0]]]])
    values, indices = F.max_pool2d_with_indices(x, 2)
    assert values.tolist() == [[[[3.0]]]] and indices.tolist() == [[[[1]]]]
    values, indices = F.adaptive_max_pool1d_with_indices(mg.tensor([[[1.0, 3.0, 2.0, 5.0]]]), 2)
    assert values.tolist() == [[[3.0, 5.0]]] and indices.tolist() == [[[1, 3]]]
    grid = mg.arange(4.0).reshape(1, 1, 2, 2)
    assert F.upsample_nearest(grid, size=4).tolist() == F.interpolate(grid, size=4).tolist()
    corners = F.upsample_bilinear(grid, scale_factor=2)
    assert corners[0, 0, 0].tolist() == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])  # align_corners=True


def test_dirac_and_sparse_initialisers():
    w = mg.empty(4, 2, 3, 3)
    nn.init.dirac_(w)
    assert w.sum().item() == 2 and w[1, 1, 1, 1].item() == 1 and w[3].sum().item() == 0
    x = mg.randn(1, 2, 5, 5)
    np.testing.assert_allclose(F.conv2d(x, w, padding=1)[:, :2].numpy(), x.numpy(), rtol=1e-6)  # identity
    grouped = mg.empty(4, 2, 3)
    nn.init.dirac_(grouped, 2)
    assert grouped.nonzero().tolist() == [[0, 0, 1], [1, 1, 1], [2, 0, 1], [3, 1, 1]]
    mg.manual_seed(0)
    s = nn.init.sparse_(mg.empty(10, 3), 0.3)
    assert (s == 0).sum(0).tolist() == [3, 3, 3]  # ⌈0.3 · 10⌉ zeros per column


def test_conv_transpose1d_layer():
    mg.manual_seed(0)
    up = nn.ConvTranspose1d(4, 6, 3, stride=3, padding=1, output_padding=2, dilation=2)
    assert up.weight.shape == (4, 6, 3)
    assert up(mg.zeros(2, 4, 5)).shape == (2, 6, 17)  # (5 - 1)·3 - 2·1 + 2·(3 - 1) + 2 + 1
    assert nn.ConvTranspose1d(4, 2, 3, stride=2)(mg.zeros(4, 5), output_size=[12]).shape == (2, 12)
    assert F.conv_transpose1d(mg.ones(1, 1, 3), mg.ones(1, 1, 2), stride=2).tolist() == [[[1.0] * 6]]
    with pytest.raises(ValueError, match="valid sizes range from 11 to 12"):
        nn.ConvTranspose1d(4, 2, 3, stride=2)(mg.zeros(1, 4, 5), output_size=[13])


def test_buffer_assignment_registers_a_buffer():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Buffer(mg.tensor([2.0]))
            self.cache = nn.Buffer(mg.zeros(1), persistent=False)
            self.linear = nn.Linear(1, 1)

    m = Model()
    assert [name for name, _ in m.named_buffers()] == ["scale", "cache"]
    assert list(m.state_dict()) == ["scale", "linear.weight", "linear.bias"]
    assert type(m.scale) is mg.Tensor and not m.scale.requires_grad
    m.scale = nn.Buffer(mg.tensor([3.0]))  # replaced in place of the old one
    assert m.scale.item() == 3.0 and len(list(m.buffers())) == 2
    m.scale = mg.tensor([4.0])  # a plain tensor assigned to a buffer's name stays a buffer
    assert m.state_dict()["scale"].item() == 4.0


def test_max_unpool_puts_the_maxima_back_and_lp_pool_takes_power_means():
    x = mg.tensor([[[[1.0, 5.0, 0.0, 2.0], [3.0, 2.0, 7.0, 1.0]]]])
    values, indices = nn.MaxPool2d(2, return_indices=True)(x)
    assert nn.MaxUnpool2d(2)(values, indices).tolist() == [[[[0.0, 5.0, 0.0, 0.0], [0.0, 0.0, 7.0, 0.0]]]]
    assert nn.MaxUnpool2d(2)(values, indices, output_size=(2, 5)).shape == (1, 1, 2, 5)
    with pytest.raises(RuntimeError, match="invalid max index 6"):
        F.max_unpool2d(values, indices, 2, output_size=(2, 3))
    line = mg.tensor([[[1.0, 4.0, 2.0, 8.0, 3.0]]])
    v1, i1 = F.max_pool1d(line, 2, return_indices=True)
    assert nn.MaxUnpool1d(2)(v1, i1).tolist() == [[[0.0, 4.0, 0.0, 8.0]]]
    assert nn.LPPool2d(2, 2)(mg.tensor([[[[3.0, 4.0], [0.0, 0.0]]]])).tolist() == [[[[5.0]]]]  # √(9 + 16)
    assert nn.LPPool1d(1, 2)(line).tolist() == [[[5.0, 10.0]]]  # p = 1: sums of each window


def test_lazy_layers_infer_their_input_size_on_the_first_call():
    mg.manual_seed(0)
    net = nn.Sequential(nn.LazyConv2d(6, kernel_size=5, padding=2), nn.LazyBatchNorm2d(), nn.Sigmoid(),
                        nn.AvgPool2d(2), nn.Flatten(), nn.LazyLinear(10, bias=False))
    optimizer = mg.optim.SGD(net.parameters(), lr=0.1)  # made before the shapes are known
    assert isinstance(net[0].weight, nn.UninitializedParameter) and net[0].has_uninitialized_params()
    out = net(mg.randn(4, 1, 8, 8))
    assert out.shape == (4, 10)
    assert [type(m).__name__ for m in net] == ["Conv2d", "BatchNorm2d", "Sigmoid", "AvgPool2d", "Flatten",
                                               "Linear"]
    assert net[0].weight.shape == (6, 1, 5, 5) and net[0].in_channels == 1
    assert net[1].num_features == 6 and net[1].running_var.shape == (6,)
    assert net[1].num_batches_tracked.item() == 1 and net[1].running_mean.abs().sum().item() > 0  # updated
    assert net[5].weight.shape == (10, 96) and net[5].bias is None
    assert all(type(p) is nn.Parameter for p in net.parameters())
    bound = 1 / math.sqrt(96)  # PyTorch's default initialisation, from the inferred fan-in
    assert float(net[5].weight.abs().max()) <= bound
    before = net[5].weight.detach().clone()
    F.cross_entropy(net(mg.randn(4, 1, 8, 8)), mg.tensor([0, 1, 2, 3])).backward()
    optimizer.step()  # the optimizer holds the same Parameter objects, now materialised
    assert not (net[5].weight.detach() == before).all()
    up = nn.LazyConvTranspose2d(3, 2, stride=2)
    assert up(mg.ones(1, 5, 4, 4)).shape == (1, 3, 8, 8) and up.weight.shape == (5, 3, 2, 2)
    assert type(up) is nn.ConvTranspose2d
    norm = nn.LazyInstanceNorm1d(affine=True)
    assert norm(mg.ones(2, 5, 7)).shape == (2, 5, 7) and norm.weight.shape == (5,)
    assert nn.LazyBatchNorm1d()(mg.randn(3, 4)).shape == (3, 4)


def test_multi_margin_and_triplet_with_distance_losses():
    scores, target = mg.tensor([[0.1, 0.2, 0.4, 0.8]]), mg.tensor([3])
    # terms i ≠ 3: max(0, 1 - 0.8 + x_i) = 0.3, 0.4, 0.6; their sum over C = 4 classes
    assert F.multi_margin_loss(scores, target).item() == pytest.approx(1.3 / 4)
    assert nn.MultiMarginLoss(p=2)(scores, target).item() == pytest.approx((0.09 + 0.16 + 0.36) / 4)
    weight = mg.tensor([1.0, 1.0, 1.0, 2.0])
    assert nn.MultiMarginLoss(weight=weight)(scores[0], target[0]).item() == pytest.approx(2 * 1.3 / 4)
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        F.multi_margin_loss(scores, target, p=3)

    def l1(u, v):
        return (u - v).abs().sum(-1)

    a, p, n = mg.tensor([[0.0, 0.0]]), mg.tensor([[3.0, 4.0]]), mg.tensor([[6.0, 8.0]])
    loss = nn.TripletMarginWithDistanceLoss(distance_function=l1, margin=10.0)
    assert loss(a, p, n).item() == pytest.approx(7 - 14 + 10)
    swapped = nn.TripletMarginWithDistanceLoss(distance_function=l1, margin=10.0, swap=True)
    assert swapped(a, p, n).item() == pytest.approx(7 - 7 + 10)  # d(p, n) = 7 < d(a, n) = 14
    default = F.triplet_margin_with_distance_loss(a, p, n, margin=6.0)  # the 2-norm: 5 and 10
    assert default.item() == pytest.approx(1.0, abs=1e-5)


def test_data_parallel_runs_the_module_and_prefixes_its_keys():
    inner = nn.Linear(3, 2)
    model = nn.DataParallel(inner)
    x = mg.randn(4, 3)
    assert model(x).tolist() == inner(x).tolist() and model.module is inner
    assert list(model.state_dict()) == ["module.weight", "module.bias"]
    bare = nn.Linear(3, 2)
    bare.load_state_dict({k.removeprefix("module."): v for k, v in model.state_dict().items()})
    assert bare(x).tolist() == inner(x).tolist()


def test_weighted_regression_losses_reduce_as_pytorch():
    # PyTorch's weighted mean is Σ wᵢlᵢ / Σ wᵢ for mse_loss and l1_loss but mean(wᵢlᵢ) for
    # huber_loss; mse_loss(weight=) used to return the plain mean(wᵢlᵢ) (6.5 here)
    x, y, w = mg.tensor([1.0, 2.0]), mg.zeros(2), mg.tensor([1.0, 3.0])
    assert F.mse_loss(x, y, weight=w).item() == pytest.approx((1 * 1 + 3 * 4) / 4)
    assert F.mse_loss(x, y, weight=w, reduction="sum").item() == 13.0
    assert F.l1_loss(x, y, weight=w).item() == pytest.approx((1 * 1 + 3 * 2) / 4)
    assert F.huber_loss(x, y, weight=w, reduction="none").tolist() == [0.5, 4.5]
    assert F.huber_loss(x, y, weight=w).item() == pytest.approx(2.5)
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.l1_loss(mg.ones(3, 2), mg.zeros(3, 2), weight=w)


def test_normalisations_take_pytorchs_bias_flag():
    bn = nn.BatchNorm2d(3, bias=False)
    assert [n for n, _ in bn.named_parameters()] == ["weight"] and bn.bias is None
    assert repr(bn) == ("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, bias=False, "
                        "track_running_stats=True)")
    assert repr(nn.GroupNorm(2, 4, bias=False)) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=False)"
    assert repr(nn.LayerNorm(3)) == "LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert repr(nn.InstanceNorm1d(3)).endswith("affine=False, bias=False, track_running_stats=False)")
    x = mg.arange(24.0).reshape(2, 4, 3)
    np.testing.assert_allclose(nn.GroupNorm(2, 4, bias=False)(x).tolist(), nn.GroupNorm(2, 4)(x).tolist())
