"""Recurrent layers: PyTorch's equations against a NumPy transcription, shapes, names, gradients."""

import math

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.autograd import gradcheck, gradgradcheck


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _np_step(mode, x, state, w_ih, w_hh, b_ih, b_hh):
    """One step of PyTorch's documented equations, written out gate by gate."""
    gi, gh = x @ w_ih.T + b_ih, state[0] @ w_hh.T + b_hh
    if mode == "RNN":
        h = np.tanh(gi + gh)
        return h, (h,)
    if mode == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = _sigmoid(f) * state[1] + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        return h, (h, c)
    r = _sigmoid(gi[:, :gi.shape[1] // 3] + gh[:, :gh.shape[1] // 3])
    z = _sigmoid(np.split(gi, 3, -1)[1] + np.split(gh, 3, -1)[1])
    n = np.tanh(np.split(gi, 3, -1)[2] + r * np.split(gh, 3, -1)[2])
    h = (1 - z) * n + z * state[0]
    return h, (h,)


def _np_forward(module, mode, x, states):
    """Reference multi-layer, bidirectional forward; x (L, N, in), states per layer·direction."""
    directions = 2 if module.bidirectional else 1
    p = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    layer_in, finals = x, []
    for layer in range(module.num_layers):
        outs = []
        for d in range(directions):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            w = [p["weight_ih" + sfx], p["weight_hh" + sfx], p["bias_ih" + sfx], p["bias_hh" + sfx]]
            state = states[layer * directions + d]
            hs = [None] * len(layer_in)
            for t in (range(len(layer_in) - 1, -1, -1) if d else range(len(layer_in))):
                hs[t], state = _np_step(mode, layer_in[t], state, *w)
            outs.append(np.stack(hs))
            finals.append(state)
        layer_in = np.concatenate(outs, -1)
    return layer_in, finals


@pytest.mark.parametrize("mode, cls", [("RNN", nn.RNN), ("LSTM", nn.LSTM), ("GRU", nn.GRU)])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, True)])
def test_matches_pytorch_equations(backend, mode, cls, layers, bidirectional):
    mg.manual_seed(0)
    module = cls(3, 4, num_layers=layers, bidirectional=bidirectional, dtype=mg.float64)
    directions = 2 if bidirectional else 1
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 2, 3))
    h0 = rng.standard_normal((layers * directions, 2, 4))
    c0 = rng.standard_normal((layers * directions, 2, 4))
    hx = (mg.tensor(h0), mg.tensor(c0)) if mode == "LSTM" else mg.tensor(h0)
    out, h_n = module(mg.tensor(x), hx)
    states = [(h0[k], c0[k]) if mode == "LSTM" else (h0[k],) for k in range(layers * directions)]
    expected, finals = _np_forward(module, mode, x, states)
    np.testing.assert_allclose(out.detach().cpu().numpy(), expected, atol=1e-12)
    h_n = h_n if mode == "LSTM" else (h_n,)
    for i, got in enumerate(h_n):  # h_n (and c_n for LSTM)
        np.testing.assert_allclose(got.detach().cpu().numpy(), np.stack([f[i] for f in finals]), atol=1e-12)


def test_lstm_one_step_by_hand(backend):
    # zero weights and biases: i = f = o = σ(0) = 1/2, g = tanh(0) = 0
    lstm = nn.LSTM(1, 1)
    for p in lstm.parameters():
        nn.init.zeros_(p)
    _, (h, c) = lstm(mg.ones(1, 1, 1), (mg.zeros(1, 1, 1), mg.full((1, 1, 1), 2.0)))
    assert c.item() == 1.0
    assert abs(h.item() - 0.5 * math.tanh(1.0)) < 1e-7


def test_gru_hidden_bias_sits_inside_the_reset_gate(backend):
    # only b_hn nonzero and r = σ(-∞) → 0 cancels it: n = tanh(0), z = 1/2, h' = h/2
    gru = nn.GRU(1, 1)
    for p in gru.parameters():
        nn.init.zeros_(p)
    with mg.no_grad():
        gru.bias_hh_l0[2] = 5.0    # b_hn
        gru.bias_ih_l0[0] = -1e4   # b_ir: r = 0
    _, h = gru(mg.zeros(1, 1, 1), mg.full((1, 1, 1), 1.0))
    assert abs(h.item() - 0.5) < 1e-7


def test_rnn_relu_nonlinearity(backend):
    rnn = nn.RNN(1, 1, nonlinearity="relu", bias=False)
    nn.init.constant_(rnn.weight_ih_l0, -1.0)
    nn.init.constant_(rnn.weight_hh_l0, 1.0)
    out, _ = rnn(mg.tensor([[[1.0]], [[-3.0]]]))
    assert out.flatten().tolist() == [0.0, 3.0]


def test_batch_first_transposes_input_and_output(backend):
    mg.manual_seed(1)
    lstm = nn.LSTM(3, 4, batch_first=True)
    x = mg.randn(2, 5, 3)
    out, (h, _) = lstm(x)
    time_first = nn.LSTM(3, 4)
    time_first.load_state_dict(lstm.state_dict())
    ref, _ = time_first(x.transpose(0, 1))
    assert out.shape == (2, 5, 4)
    np.testing.assert_allclose(out.detach().cpu().numpy(), ref.transpose(0, 1).detach().cpu().numpy())
    assert h.shape == (1, 2, 4)


def test_unbatched_input(backend):
    mg.manual_seed(2)
    gru = nn.GRU(3, 4, num_layers=2)
    x = mg.randn(5, 3)
    out, h = gru(x)
    ref, _ = gru(x.unsqueeze(1))
    assert out.shape == (5, 4) and h.shape == (2, 4)
    np.testing.assert_allclose(out.detach().cpu().numpy(), ref.squeeze(1).detach().cpu().numpy())


def test_initial_state_is_used(backend):
    mg.manual_seed(3)
    rnn = nn.RNN(2, 3)
    x = mg.randn(4, 1, 2)
    a, _ = rnn(x)
    b, _ = rnn(x, mg.ones(1, 1, 3))
    assert not np.allclose(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    c, _ = rnn(x, mg.zeros(1, 1, 3))
    np.testing.assert_array_equal(a.detach().cpu().numpy(), c.detach().cpu().numpy())


def test_parameter_names_and_shapes_are_pytorchs():
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    shapes = {k: tuple(v.shape) for k, v in lstm.state_dict().items()}
    assert list(shapes)[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert shapes["weight_ih_l0"] == (16, 3)
    assert shapes["weight_ih_l1_reverse"] == (16, 8)
    assert shapes["weight_hh_l1"] == (16, 4)
    assert len(shapes) == 16
    assert set(nn.GRU(3, 4, bias=False).state_dict()) == {"weight_ih_l0", "weight_hh_l0"}


def test_default_init_is_uniform_one_over_sqrt_hidden():
    mg.manual_seed(4)
    gru = nn.GRU(50, 100)
    w = gru.weight_hh_l0.detach().numpy()
    bound = 1 / math.sqrt(100)
    assert np.abs(w).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.005  # std of U(-a, a) is a/√3


def test_init_reproducible_under_manual_seed():
    mg.manual_seed(5)
    a = nn.LSTM(2, 3).weight_ih_l0.tolist()
    mg.manual_seed(5)
    assert nn.LSTM(2, 3).weight_ih_l0.tolist() == a


def test_dropout_only_between_layers_in_training(backend):
    mg.manual_seed(6)
    rnn = nn.RNN(2, 8, num_layers=2, dropout=0.5)
    x = mg.randn(3, 2, 2)
    rnn.eval()
    a, _ = rnn(x)
    b, _ = rnn(x)
    np.testing.assert_array_equal(a.detach().cpu().numpy(), b.detach().cpu().numpy())
    rnn.train()
    c, _ = rnn(x)
    assert not np.allclose(a.detach().cpu().numpy(), c.detach().cpu().numpy())


def test_wrong_input_size_message():
    with pytest.raises(RuntimeError, match="must be equal to input_size. Expected 3, got 4"):
        nn.LSTM(3, 2)(mg.zeros(5, 1, 4))


def test_wrong_hidden_shape_message():
    with pytest.raises(RuntimeError, match="GRU: expected hidden size \\(1, 2, 4\\), got \\[1, 3, 4\\]"):
        nn.GRU(3, 4)(mg.zeros(5, 2, 3), mg.zeros(1, 3, 4))


def test_repr():
    expected = "LSTM(10, 20, num_layers=2, batch_first=True)"
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == expected


def _outputs(module, x, state):
    out, h = module(x, tuple(state) if len(state) == 2 else state[0])
    return (out,) + (h if isinstance(h, tuple) else (h,))


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
def test_gradcheck_over_a_few_steps(backend, float64, cls):
    mg.manual_seed(7)
    module = cls(2, 2, dtype=mg.float64)
    x = mg.randn(3, 1, 2, requires_grad=True)
    hx = (mg.randn(1, 1, 2, requires_grad=True),)
    if cls is nn.LSTM:
        hx = hx + (mg.randn(1, 1, 2, requires_grad=True),)
    # the parameters are inputs too: gradcheck perturbs them in place, the module reads them
    params = tuple(module.parameters())
    assert gradcheck(lambda x, *rest: _outputs(module, x, rest[:len(hx)]), (x,) + hx + params)


@pytest.mark.parametrize("cls, state", [(nn.RNNCell, 1), (nn.LSTMCell, 2), (nn.GRUCell, 1)])
def test_cells_equal_one_step_of_the_layer(backend, cls, state):
    mg.manual_seed(8)
    cell = cls(3, 4)
    layer = {nn.RNNCell: nn.RNN, nn.LSTMCell: nn.LSTM, nn.GRUCell: nn.GRU}[cls](3, 4)
    layer.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
    x = mg.randn(2, 3)
    out = cell(x)
    _, h = layer(x.unsqueeze(0))
    got = out[0] if state == 2 else out
    expected = h[0][0] if state == 2 else h[0]
    np.testing.assert_allclose(got.detach().cpu().numpy(), expected.detach().cpu().numpy(), rtol=1e-6)


# --- the fused recurrence: gradients of the array loop, first and second order ---------------------
RECURRENCE_CASES = [(mode, sizes, reverse) for mode in ("LSTM", "GRU", "RNN_TANH", "RNN_RELU")
                    for sizes, reverse in (((2, 2, 2), False), ((3, 2, 2, 1), False), ((3, 2, 2, 1), True))]


def _recurrence_inputs(mode, sizes, seed):
    from minigrad.ops.rnn import GATES
    rng = np.random.default_rng(seed)
    hidden, gates = 2, GATES[mode] * 2
    make = lambda *shape: mg.tensor(rng.uniform(-1, 1, shape), requires_grad=True)  # noqa: E731
    c0 = make(sizes[0], hidden) if mode == "LSTM" else None
    return [make(sum(sizes), gates), make(sizes[0], hidden), c0, make(gates, hidden), make(gates)]


def _run_recurrence(mode, sizes, reverse):
    from minigrad.ops.rnn import Recurrence

    def run(proj, h0, *rest):
        c0, w, b = rest if mode == "LSTM" else (None,) + rest
        return Recurrence.apply(proj, h0, c0, w, b, mode=mode, batch_sizes=sizes, reverse=reverse)
    return run


@pytest.mark.parametrize("mode, sizes, reverse", RECURRENCE_CASES)
def test_recurrence_equals_its_tensor_op_reference(backend, mode, sizes, reverse):
    from minigrad.ops.rnn import reference
    inputs = _recurrence_inputs(mode, sizes, 0)
    got = _run_recurrence(mode, sizes, reverse)(*[t for t in inputs if t is not None])
    expected = reference(*inputs, mode=mode, batch_sizes=sizes, reverse=reverse)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.detach().cpu().numpy(), e.detach().cpu().numpy(), atol=1e-12)


@pytest.mark.parametrize("mode, sizes, reverse", RECURRENCE_CASES)
def test_recurrence_gradcheck(backend, mode, sizes, reverse):
    inputs = [t for t in _recurrence_inputs(mode, sizes, 1) if t is not None]
    assert gradcheck(_run_recurrence(mode, sizes, reverse), inputs)


@pytest.mark.parametrize("mode, sizes, reverse", RECURRENCE_CASES[::3])
def test_recurrence_gradgradcheck(backend, mode, sizes, reverse):
    inputs = [t for t in _recurrence_inputs(mode, sizes, 2) if t is not None]
    assert gradgradcheck(_run_recurrence(mode, sizes, reverse), inputs)


def test_lstm_weight_gradient_is_one_node_per_layer():
    lstm = nn.LSTM(3, 4, num_layers=2)
    out, _ = lstm(mg.randn(6, 2, 3))
    names = set()
    stack, seen = [out.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen or not hasattr(node, "next_functions"):
            continue
        seen.add(node)
        names.add(node.name)
        stack.extend(e[0] for e in node.next_functions)
    assert "RecurrenceBackward0" in names and "SigmoidBackward0" not in names
    assert len(seen) < 20  # not hundreds of per-step nodes


# --- packed sequences ---------------------------------------------------------------------------------
from minigrad.nn.utils.rnn import (  # noqa: E402
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)


def test_pad_sequence_shapes_and_padding_value(backend):
    a, b = mg.ones(3, 2), mg.ones(1, 2)
    out = pad_sequence([a, b], padding_value=-1.0)
    assert out.shape == (3, 2, 2)
    assert out[1:, 1].tolist() == [[-1.0, -1.0], [-1.0, -1.0]]
    assert pad_sequence([a, b], batch_first=True).shape == (2, 3, 2)
    left = pad_sequence([mg.tensor([1.0, 2.0]), mg.tensor([3.0])], batch_first=True, padding_side="left")
    assert left.tolist() == [[1.0, 2.0], [0.0, 3.0]]


def test_pack_padded_sequence_layout(backend):
    x = mg.tensor([[1.0, 4.0, 6.0], [2.0, 5.0, 0.0], [3.0, 0.0, 0.0]])  # (T=3, B=3), lengths 3, 2, 1
    p = pack_padded_sequence(x, [3, 2, 1])
    assert p.data.tolist() == [1.0, 4.0, 6.0, 2.0, 5.0, 3.0]
    assert p.batch_sizes.tolist() == [3, 2, 1] and p.batch_sizes.dtype == mg.int64
    assert p.sorted_indices is None and p.unsorted_indices is None


def test_pack_unsorted_keeps_the_permutation_and_round_trips(backend):
    x = mg.tensor([[1.0, 4.0, 6.0], [0.0, 5.0, 7.0], [0.0, 0.0, 8.0]])  # lengths 1, 2, 3
    p = pack_padded_sequence(x, mg.tensor([1, 2, 3]), enforce_sorted=False)
    assert p.sorted_indices.tolist() == [2, 1, 0] and p.unsorted_indices.tolist() == [2, 1, 0]
    assert p.data.tolist() == [6.0, 4.0, 1.0, 7.0, 5.0, 8.0]
    padded, lengths = pad_packed_sequence(p, total_length=4)
    assert lengths.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(padded.cpu().numpy()[:3], x.cpu().numpy())
    assert padded.shape == (4, 3)


def test_pack_errors():
    x = mg.zeros(3, 2)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        pack_padded_sequence(x, [1, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        pack_padded_sequence(x, [3, 0])
    with pytest.raises(ValueError, match="total_length"):
        pad_packed_sequence(pack_padded_sequence(x, [3, 2]), total_length=2)
    with pytest.raises(ValueError, match="padding_side"):
        pad_sequence([x], padding_side="middle")


def test_pack_sequence_and_unpack_round_trip(backend):
    seqs = [mg.tensor([[1.0], [2.0]]), mg.tensor([[3.0], [4.0], [5.0]]), mg.tensor([[6.0]])]
    p = pack_sequence(seqs, enforce_sorted=False)
    assert p.batch_sizes.tolist() == [3, 2, 1]
    assert [s.tolist() for s in unpack_sequence(p)] == [s.tolist() for s in seqs]
    padded = pad_sequence(seqs, batch_first=True)
    unpadded = unpad_sequence(padded, [2, 3, 1], batch_first=True)
    assert [s.tolist() for s in unpadded] == [s.tolist() for s in seqs]


def test_packing_is_differentiable(backend, float64):
    x = mg.randn(3, 2, 2, requires_grad=True)
    assert gradcheck(lambda t: pad_packed_sequence(pack_padded_sequence(t, [3, 1]))[0], (x,))


@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU, nn.RNN])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packed_input_equals_each_sequence_run_alone(backend, cls, bidirectional):
    mg.manual_seed(3)
    module = cls(2, 3, num_layers=2, bidirectional=bidirectional, dtype=mg.float64)
    seqs = [mg.randn(n, 2, dtype=mg.float64) for n in (2, 4, 3)]
    with mg.no_grad():
        out, h_n = module(pack_sequence(seqs, enforce_sorted=False))
    assert isinstance(out, PackedSequence)
    padded, lengths = pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == [2, 4, 3]
    h_n = h_n if isinstance(h_n, tuple) else (h_n,)
    for k, s in enumerate(seqs):
        with mg.no_grad():
            alone, h_alone = module(s.unsqueeze(1))
        h_alone = h_alone if isinstance(h_alone, tuple) else (h_alone,)
        np.testing.assert_allclose(padded[k, :len(s)].cpu().numpy(), alone[:, 0].cpu().numpy(), atol=1e-12)
        assert float(padded[k, len(s):].abs().sum()) == 0.0
        for got, want in zip(h_n, h_alone):
            np.testing.assert_allclose(got[:, k].detach().cpu().numpy(), want[:, 0].detach().cpu().numpy(),
                                       atol=1e-12)


def test_packed_input_with_initial_state_in_caller_order(backend):
    mg.manual_seed(4)
    gru = nn.GRU(2, 3, dtype=mg.float64)
    seqs = [mg.randn(n, 2, dtype=mg.float64) for n in (1, 3)]
    h0 = mg.randn(1, 2, 3, dtype=mg.float64)
    _, h_n = gru(pack_sequence(seqs, enforce_sorted=False), h0)
    for k, s in enumerate(seqs):
        _, h_alone = gru(s.unsqueeze(1), h0[:, k:k + 1])
        np.testing.assert_allclose(h_n[:, k].detach().cpu().numpy(), h_alone[:, 0].detach().cpu().numpy(),
                                   atol=1e-12)


@pytest.mark.gpu
@pytest.mark.parametrize("cls", [nn.LSTM, nn.GRU])
def test_packed_recurrence_on_cuda_equals_the_cpu(cls):
    results = {}
    for device in ("cpu", "cuda"):
        mg.manual_seed(5)
        module = cls(2, 3, num_layers=2, bidirectional=True, dtype=mg.float64).to(device)
        seqs = [mg.randn(n, 2, dtype=mg.float64).to(device).requires_grad_() for n in (2, 4, 3)]
        out, _ = module(pack_sequence(seqs, enforce_sorted=False))
        (out.data ** 2).sum().backward()
        results[device] = [out.data.detach().cpu().numpy()] + [
            t.grad.cpu().numpy() for t in seqs + list(module.parameters())]
    for got, want in zip(results["cuda"], results["cpu"]):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("cls", [nn.RNN, nn.LSTM, nn.GRU])
def test_second_order_through_stacked_layers(cls):
    # the incoming gradient of a layer depends on its own outputs here (through the next layer):
    # a second-order rule that takes total instead of partial derivatives counts that path twice
    mg.manual_seed(0)
    layer = cls(2, 3, num_layers=2).double()
    x = mg.randn(4, 2, 2, dtype=mg.float64, requires_grad=True)
    assert gradgradcheck(lambda x: layer(x)[0].tanh(), (x,))


# --- gradients of whole layers, first, second and third order -------------------------------------
LAYERS = {"RNN_TANH": (nn.RNN, {}), "RNN_RELU": (nn.RNN, {"nonlinearity": "relu"}),
          "LSTM": (nn.LSTM, {}), "GRU": (nn.GRU, {})}
# (num_layers, bidirectional, bias, batch sizes of the packed input or None for padded (T=3, N=2))
SHAPES = [(1, False, True, None), (1, False, False, (3, 2, 1)), (2, False, True, (2, 1)),
          (1, True, False, None)]


def _layer_and_inputs(mode, shape, seed):
    """A tiny float64 layer and the inputs of a function of (x, h0, [c0], *parameters)."""
    layers, bidirectional, bias, batch_sizes = shape
    cls, kwargs = LAYERS[mode]
    mg.manual_seed(seed)
    module = cls(2, 2, num_layers=layers, bidirectional=bidirectional, bias=bias, dtype=mg.float64, **kwargs)
    batch = 2 if batch_sizes is None else batch_sizes[0]
    rows = 6 if batch_sizes is None else sum(batch_sizes)
    x = mg.randn(rows, 2, dtype=mg.float64, requires_grad=True)
    states = tuple(mg.randn(layers * (1 + bidirectional), batch, 2, dtype=mg.float64, requires_grad=True)
                   for _ in range(2 if mode == "LSTM" else 1))

    def run(x, *rest):
        hx = rest[:len(states)]
        if batch_sizes is None:
            out, h_n = module(x.reshape(3, 2, 2), hx if mode == "LSTM" else hx[0])
        else:
            packed, h_n = module(PackedSequence(x, mg.tensor(batch_sizes)), hx if mode == "LSTM" else hx[0])
            out = packed.data
        return (out.tanh(),) + (h_n if mode == "LSTM" else (h_n,))  # tanh: a gradient that depends on out
    # the parameters are inputs too: gradcheck perturbs them in place, the module reads them
    return run, (x,) + states + tuple(module.parameters())


@pytest.mark.parametrize("shape", SHAPES, ids=["1-layer", "packed-nobias", "2-layers-packed", "bi-nobias"])
@pytest.mark.parametrize("mode", list(LAYERS))
def test_layer_gradcheck_and_gradgradcheck(mode, shape):
    run, inputs = _layer_and_inputs(mode, shape, 11)
    assert gradcheck(run, inputs)
    assert gradgradcheck(run, inputs)


def _second_derivatives(mode):
    """A function of (proj, h0, w, b) returning second derivatives of a loss through Recurrence."""
    from minigrad.ops.rnn import Recurrence
    proj, h0, c0, w, b = _recurrence_inputs(mode, (2, 1), 3)
    u = mg.tensor(np.random.default_rng(4).uniform(-1, 1, (3, 2)))

    def second_derivatives(proj, h0, w, b):
        with mg.enable_grad():  # gradcheck's finite differences run under no_grad
            hs, h_n = Recurrence.apply(proj, h0, c0, w, b, mode=mode, batch_sizes=(2, 1), reverse=False)[:2]
            (d_proj,) = mg.grad((hs * u).sum() + h_n.tanh().sum(), proj, create_graph=True)
            return mg.grad((d_proj * d_proj).sum(), (proj, h0, w, b), create_graph=True)
    return second_derivatives, (proj, h0, w, b)


@pytest.mark.parametrize("mode", ["GRU", "LSTM"])
def test_third_order_through_the_recurrence(mode):
    # the second-order results must be connected to the inputs, the incoming gradients and the
    # vector they were taken along
    assert gradcheck(*_second_derivatives(mode))


def test_fourth_order_through_the_recurrence():
    assert gradgradcheck(*_second_derivatives("RNN_TANH"))


def test_the_gradient_op_is_recorded_only_under_create_graph():
    lstm = nn.LSTM(2, 2)
    x = mg.randn(3, 1, 2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.grad_fn))  # the gradient as it arrives, before .grad
    lstm(x)[0].sum().backward()
    assert seen == [None]
    mg.grad(lstm(x)[0].sum(), x, create_graph=True)
    nodes, stack = set(), [seen[1]]
    while stack:
        node = stack.pop()
        if node is not None and type(node).__name__ != "AccumulateGrad" and node not in nodes:  # not a leaf
            nodes.add(node)
            stack.extend(e[0] for e in node.next_functions)
    assert "RecurrenceGrad" in {node.op_name for node in nodes}
