"""nn.Module: registration, traversal, modes, to(), state dicts and their error messages, repr."""

from collections import OrderedDict

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.scale = nn.Parameter(mg.ones(1))
        self.register_buffer("counter", mg.zeros(1))
        self.register_buffer("scratch", mg.zeros(2), persistent=False)
        self.note = "plain attribute"

    def forward(self, x):
        return self.bn(self.fc(x)) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.block(x).relu())


def test_named_parameters_are_registered_in_assignment_order():
    names = [n for n, _ in Net().named_parameters()]
    assert names == ["block.scale", "block.fc.weight", "block.fc.bias", "block.bn.weight", "block.bn.bias",
                     "head.weight", "head.bias"]


def test_parameters_recurse_false_lists_only_own():
    net = Net()
    assert list(net.block.parameters(recurse=False)) == [net.block.scale]


def test_shared_parameter_is_listed_once():
    net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    net[1].weight = net[0].weight
    assert len(list(net.parameters())) == 3
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "1.bias"]


def test_shared_module_is_visited_once():
    shared = nn.Linear(2, 2)
    net = nn.Sequential(shared, shared)
    assert len(list(net.modules())) == 2
    assert len(list(net.parameters())) == 2


def test_buffers_and_plain_attributes():
    block = Block()
    assert [n for n, _ in block.named_buffers()] == ["counter", "scratch", "bn.running_mean",
                                                     "bn.running_var", "bn.num_batches_tracked"]
    assert block.note == "plain attribute"
    assert "note" not in dict(block.named_parameters())


def test_children_and_named_modules():
    net = Net()
    assert [type(m).__name__ for m in net.children()] == ["Block", "Linear"]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.fc", "block.bn", "head"]


def test_assigning_tensor_to_parameter_name_raises():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        layer.weight = mg.zeros(2, 2)


def test_assigning_none_removes_parameter_from_listing():
    layer = nn.Linear(2, 2)
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_replacing_a_parameter_keeps_its_position():
    layer = nn.Linear(2, 2)
    layer.weight = nn.Parameter(mg.zeros(2, 2))
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


def test_delattr_unregisters():
    block = Block()
    del block.fc
    assert "fc" not in dict(block.named_children())
    with pytest.raises(AttributeError):
        block.fc


def test_missing_attribute_error_names_class():
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        nn.Linear(1, 1).nope


def test_register_buffer_rejects_dotted_name():
    with pytest.raises(KeyError):
        nn.Module().register_buffer("a.b", mg.zeros(1))


def test_register_before_init_raises():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(mg.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_forward_missing_raises():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_train_eval_propagates():
    net = Net()
    net.eval()
    assert all(not m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_sets_none():
    net = Net()
    net(mg.randn(5, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_set_to_none_false_zeroes():
    layer = nn.Linear(2, 1)
    layer(mg.ones(1, 2)).sum().backward()
    layer.zero_grad(set_to_none=False)
    assert layer.weight.grad.tolist() == [[0.0, 0.0]]


def test_apply_visits_children_first():
    seen = []
    Net().apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "BatchNorm1d", "Block", "Linear", "Net"]


def test_requires_grad_false_freezes():
    net = Net().requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_call_records_module_scope_on_graph_nodes():
    net = Net()
    out = net(mg.randn(4, 3))
    assert out.grad_fn.scope == (net, net.head)
    relu_node = out.grad_fn.next_functions[0][0]
    assert relu_node.scope == (net,)


def test_forward_hooks_run_and_can_be_removed():
    layer = nn.Linear(2, 2)
    calls = []
    handle = layer.register_forward_hook(lambda m, inp, out: calls.append(out.shape))
    layer(mg.ones(3, 2))
    handle.remove()
    layer(mg.ones(3, 2))
    assert calls == [(3, 2)]


def test_forward_pre_hook_can_replace_input():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda m, inp: (inp[0] * 2,))
    assert layer(mg.tensor([1.0])).tolist() == [2.0]


# --- to() ---------------------------------------------------------------------------------------------
def test_to_dtype_keeps_parameter_identity():
    net = Net()
    params = list(net.parameters())
    net.to(mg.float64)
    assert all(a is b for a, b in zip(params, net.parameters()))
    assert all(p.dtype == mg.float64 for p in net.parameters())
    assert net.block.bn.running_mean.dtype == mg.float64
    assert net.block.bn.num_batches_tracked.dtype == mg.int64  # integer buffers keep their dtype


def test_to_moves_grad_along():
    layer = nn.Linear(2, 1)
    layer(mg.ones(1, 2)).sum().backward()
    layer.double()
    assert layer.weight.grad.dtype == mg.float64


def test_to_device_keeps_identity_and_moves_buffers(backend):
    with mg.use_backend("numpy"):
        net = Net()
    weight = net.head.weight
    net.to(backend)
    assert net.head.weight is weight
    assert weight.device == backend
    assert net.block.bn.running_var.device == backend
    out = net(mg.randn(4, 3))
    assert out.device == backend


def test_to_rejects_integer_dtype():
    with pytest.raises(TypeError, match="floating point"):
        nn.Linear(1, 1).to(mg.int64)


def test_optimizer_style_update_after_to_reaches_module():
    layer = nn.Linear(2, 1)
    p = layer.weight
    layer.double()
    with mg.no_grad():
        p.fill_(0.5)
    assert layer.weight.tolist() == [[0.5, 0.5]]


# --- state dicts -------------------------------------------------------------------------------------
def test_state_dict_keys_are_pytorchs():
    keys = list(Net().state_dict())
    assert keys == ["block.scale", "block.counter", "block.fc.weight", "block.fc.bias", "block.bn.weight",
                    "block.bn.bias", "block.bn.running_mean", "block.bn.running_var",
                    "block.bn.num_batches_tracked", "head.weight", "head.bias"]


def test_state_dict_values_are_detached_and_share_storage():
    layer = nn.Linear(2, 2)
    sd = layer.state_dict()
    assert not sd["weight"].requires_grad
    with mg.no_grad():
        layer.weight.fill_(3.0)
    assert sd["weight"].tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_load_state_dict_round_trip():
    a, b = Net(), Net()
    b.load_state_dict(a.state_dict())
    for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert na == nb
        np.testing.assert_array_equal(pa.numpy(), pb.numpy())


def test_load_state_dict_keeps_parameter_identity():
    a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    w = b.weight
    b.load_state_dict(a.state_dict())
    assert b.weight is w


def test_load_state_dict_error_lists_missing_unexpected_and_shapes():
    sd = nn.Linear(3, 2).state_dict()
    del sd["bias"]
    sd["extra"] = mg.zeros(1)
    with pytest.raises(RuntimeError) as info:
        nn.Linear(4, 2).load_state_dict(sd)
    msg = str(info.value)
    assert "Error(s) in loading state_dict for Linear" in msg
    assert 'Missing key(s) in state_dict: "bias".' in msg
    assert 'Unexpected key(s) in state_dict: "extra".' in msg
    assert "size mismatch for weight: copying a param with shape (2, 3) from checkpoint, " \
           "the shape in current model is (2, 4)." in msg


def test_load_state_dict_non_strict_reports_keys():
    sd = nn.Linear(3, 2).state_dict()
    del sd["bias"]
    sd["extra"] = mg.zeros(1)
    result = nn.Linear(3, 2).load_state_dict(sd, strict=False)
    assert result.missing_keys == ["bias"]
    assert result.unexpected_keys == ["extra"]
    assert repr(result) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=['extra'])"  # PyTorch's


def test_load_state_dict_result_prints_as_pytorch_when_all_keys_match():
    result = nn.Linear(3, 2).load_state_dict(nn.Linear(3, 2).state_dict())
    assert repr(result) == str(result) == "<All keys matched successfully>"
    assert result == ([], [])


def test_load_state_dict_casts_dtype():
    layer = nn.Linear(1, 1)
    layer.load_state_dict({"weight": mg.tensor([[2.0]], dtype=mg.float64), "bias": mg.tensor([1.0])})
    assert layer.weight.dtype == mg.float32 and layer.weight.tolist() == [[2.0]]


def test_load_state_dict_moves_cpu_checkpoint_to_module_device(backend):
    with mg.use_backend("numpy"):
        sd = nn.Linear(2, 2).state_dict()
    layer = nn.Linear(2, 2)
    layer.load_state_dict(sd)
    assert layer.weight.device == backend
    np.testing.assert_array_equal(layer.weight.detach().cpu().numpy(), sd["weight"].numpy())


def test_non_persistent_buffer_not_in_state_dict():
    assert "scratch" not in Block().state_dict()


# --- containers ---------------------------------------------------------------------------------------
def test_sequential_indexing_slicing_and_append():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert isinstance(net[-1], nn.Linear)
    head = net[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head(mg.ones(4, 2)).shape == (4, 3)
    net.append(nn.Sigmoid())
    assert len(net) == 4 and list(net._modules) == ["0", "1", "2", "3"]


def test_sequential_from_ordered_dict_uses_names():
    net = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert list(net.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(net.act, nn.Tanh)


def test_sequential_forward_matches_manual_chain():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = mg.randn(5, 2)
    expected = net[2](net[1](net[0](x)))
    np.testing.assert_allclose(net(x).detach().numpy(), expected.detach().numpy())


def test_sequential_delete_renumbers():
    net = nn.Sequential(nn.Linear(1, 1), nn.ReLU(), nn.Tanh())
    del net[0]
    assert list(net._modules) == ["0", "1"] and isinstance(net[0], nn.ReLU)


def test_module_list_registers_parameters():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    m = M()
    assert len(list(m.parameters())) == 6
    assert [n for n, _ in m.named_parameters()][:2] == ["layers.0.weight", "layers.0.bias"]
    m.layers.append(nn.Linear(2, 2))
    assert len(m.layers) == 4 and isinstance(m.layers[-1], nn.Linear)


def test_module_dict_access_and_registration():
    d = nn.ModuleDict({"enc": nn.Linear(2, 2)})
    d["dec"] = nn.Linear(2, 1)
    assert list(d.keys()) == ["enc", "dec"]
    assert [n for n, _ in d.named_parameters()] == ["enc.weight", "enc.bias", "dec.weight", "dec.bias"]
    assert d.pop("enc") is not None and "enc" not in d


def test_parameter_list_registers():
    pl = nn.ParameterList([nn.Parameter(mg.zeros(2)), mg.ones(3)])
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    assert isinstance(pl[1], nn.Parameter)


# --- Parameter and repr ------------------------------------------------------------------------------
def test_parameter_requires_grad_by_default_and_shares_storage():
    t = mg.zeros(3)
    p = nn.Parameter(t)
    assert p.requires_grad and p.is_leaf
    with mg.no_grad():
        p.fill_(1.0)
    assert t.tolist() == [1.0, 1.0, 1.0]


def test_parameter_keeps_dtype_and_can_be_frozen():
    p = nn.Parameter(mg.zeros(2, dtype=mg.float64), requires_grad=False)
    assert p.dtype == mg.float64 and not p.requires_grad


def test_parameter_repr():
    assert repr(nn.Parameter(mg.tensor([1.0]))).startswith("Parameter containing:\ntensor([1.]")


def test_deepcopy_copies_parameters():
    import copy
    a = nn.Linear(2, 2)
    b = copy.deepcopy(a)
    assert b.weight is not a.weight and isinstance(b.weight, nn.Parameter)
    np.testing.assert_array_equal(a.weight.detach().numpy(), b.weight.detach().numpy())
    with mg.no_grad():
        b.weight.fill_(0.0)
    assert float(a.weight.abs().sum()) > 0


def test_repr_tree():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.25))
    assert repr(net) == ("Sequential(\n"
                         "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                         "  (1): ReLU()\n"
                         "  (2): Dropout(p=0.25, inplace=False)\n"
                         ")")


def test_repr_nested_indents():
    text = repr(Net())
    assert "  (block): Block(\n    (fc): Linear(in_features=3, out_features=4, bias=True)" in text
    assert "(bn): BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, " \
           "track_running_stats=True)" in text


def test_deepcopy_module_with_buffers(backend):
    import copy
    bn = nn.BatchNorm1d(2)
    bn(mg.randn(4, 2))
    twin = copy.deepcopy(bn)
    assert twin.running_mean is not bn.running_mean and twin.running_mean.device == backend
    np.testing.assert_array_equal(twin.running_mean.cpu().numpy(), bn.running_mean.cpu().numpy())


def test_optimizer_built_before_to_still_updates_module():
    from minigrad import optim
    layer = nn.Linear(2, 1)
    opt = optim.SGD(layer.parameters(), lr=0.5)
    layer.double()
    before = layer.weight.detach().numpy().copy()
    layer(mg.ones(1, 2, dtype=mg.float64)).sum().backward()
    opt.step()
    np.testing.assert_allclose(layer.weight.detach().numpy(), before - 0.5, rtol=1e-12)
    assert layer.weight.dtype == mg.float64


def test_module_list_repr_collapses_repeats():
    layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])
    assert repr(layers) == ("ModuleList(\n"
                            "  (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)\n"
                            "  (2): ReLU()\n"
                            ")")


# --- full backward hooks and keyword-aware forward hooks (PyTorch 2.13's behaviour) ---------------------
class _Two(nn.Module):
    def forward(self, a, scale, b):
        return a * scale + b, a - b


def _values(grads):
    return [None if g is None else g.tolist() for g in grads]


def test_full_backward_hooks_see_output_then_input_gradients():
    module, log = _Two(), []
    module.register_full_backward_pre_hook(lambda m, go: log.append(("pre", _values(go))))
    module.register_full_backward_hook(lambda m, gi, go: log.append(("full", _values(gi), _values(go))))
    a, b = mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([3.0, 4.0])
    y, _ = module(a, 2.0, b)
    (y * 3).sum().backward()
    # torch: [('pre', [[3, 3], None]), ('full', [[6, 6], None, [0, 0]], [[3, 3], None])] (b: zeros, here None)
    assert log == [("pre", [[3.0, 3.0], None]), ("full", [[6.0, 6.0], None, None], [[3.0, 3.0], None])]


def test_full_backward_hook_runs_when_no_input_requires_grad():
    layer, log = nn.Linear(3, 2), []
    layer.register_full_backward_hook(lambda m, gi, go: log.append((gi, tuple(go[0].shape))))
    layer(mg.randn(4, 3)).sum().backward()
    assert log == [((None,), (4, 2))] and layer.weight.grad is not None


def test_backward_hooks_can_replace_gradients():
    layer = nn.Linear(3, 2)
    x = mg.randn(4, 3, requires_grad=True)
    handle = layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    layer(x).sum().backward()
    assert x.grad.abs().sum().item() == 0.0
    handle.remove()
    layer.weight.grad = x.grad = None
    layer.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))  # doubles everything below it
    layer(x).sum().backward()
    expected = 2 * np.broadcast_to(layer.weight.sum(0).detach().numpy(), (4, 3))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(layer.weight.grad.numpy(), 2 * x.sum(0).detach().numpy()[None].repeat(2, 0),
                               rtol=1e-6)


def test_backward_hook_with_a_wrong_number_of_gradients_fails_clearly():
    layer = nn.Linear(3, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="backward hook returned 2 values for grad_input; expected 1"):
        layer(mg.randn(4, 3, requires_grad=True)).sum().backward()


def test_no_backward_hook_nodes_under_no_grad():
    layer, log = nn.Linear(3, 2), []
    layer.register_full_backward_hook(lambda m, gi, go: log.append(1))
    with mg.no_grad():
        out = layer(mg.randn(4, 3))
    assert out.grad_fn is None and not log


def test_forward_hooks_with_kwargs_prepend_and_always_call():
    order = []

    class Scaled(nn.Module):
        def forward(self, x, factor=1.0):
            if factor < 0:
                raise ValueError("negative")
            return x * factor

    m = Scaled()
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": kwargs["factor"] * 10}),
                                with_kwargs=True)
    m.register_forward_pre_hook(lambda mod, args: order.append("first"), prepend=True)
    def after(mod, args, kwargs, out):
        order.append(("after", kwargs, None if out is None else out.tolist()))
    m.register_forward_hook(after, with_kwargs=True, always_call=True)
    assert m(mg.tensor([1.0]), factor=2.0).tolist() == [20.0]
    assert order == ["first", ("after", {"factor": 20.0}, [20.0])]
    m.register_forward_hook(lambda mod, args, out: order.append("plain"))
    with pytest.raises(ValueError):
        m(mg.tensor([1.0]), factor=-0.1)
    assert order[-2:] == ["first", ("after", {"factor": -1.0}, None)]  # "plain" is not always_call


def test_forward_pre_hook_with_kwargs_must_return_a_pair():
    layer = nn.Linear(2, 2)
    layer.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match="tuple of \\(new_args, new_kwargs\\)"):
        layer(mg.ones(1, 2))
