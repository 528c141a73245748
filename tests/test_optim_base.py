"""The Optimizer base class: groups, validation, state, state_dict, and the flat-buffer paths."""

import numpy as np
import pytest
from test_optim import CASES, IDS, run_optimizer

import minigrad as mg
from minigrad import optim

ALL = [optim.SGD, optim.Momentum, optim.Adagrad, optim.Adadelta, optim.RMSprop, optim.Adam, optim.AdamW,
       optim.Adamax, optim.NAdam, optim.RAdam, optim.Lion, optim.ASGD, optim.Rprop]


def _params(*shapes, dtype=mg.float64):
    rng = np.random.default_rng(3)
    return [mg.tensor(rng.normal(size=s), dtype=dtype, requires_grad=True) for s in shapes]


def _quadratic_step(opt, params, scale=1.0):
    opt.zero_grad()
    loss = sum(((p - 0.5) ** 2 * scale).sum() for p in params)
    loss.backward()
    opt.step()
    return loss


# --- validation -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", ALL)
def test_negative_learning_rate_is_rejected(cls):
    with pytest.raises(ValueError, match="Invalid learning rate: -0.1"):
        cls(_params(2), lr=-0.1)


@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.Adamax, optim.NAdam, optim.RAdam, optim.Lion])
@pytest.mark.parametrize("betas, index", [((1.0, 0.9), 0), ((0.9, -0.1), 1), ((0.9, 1.5), 1)])
def test_betas_outside_0_1_are_rejected(cls, betas, index):
    with pytest.raises(ValueError, match=f"Invalid beta parameter at index {index}"):
        cls(_params(2), betas=betas)


def test_sgd_nesterov_without_momentum_is_rejected():
    with pytest.raises(ValueError, match="Nesterov momentum requires a momentum > 0"):
        optim.SGD(_params(2), lr=0.1, nesterov=True)


def test_sgd_nesterov_with_dampening_is_rejected():
    with pytest.raises(ValueError, match="zero dampening"):
        optim.SGD(_params(2), lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)


def test_rmsprop_nesterov_without_momentum_is_rejected():
    with pytest.raises(ValueError, match="requires a momentum > 0"):
        optim.RMSprop(_params(2), nesterov=True)


@pytest.mark.parametrize("kwargs, word", [(dict(eps=-1e-8), "epsilon"),
                                          (dict(weight_decay=-1), "weight_decay")])
def test_negative_eps_and_weight_decay_are_rejected(kwargs, word):
    with pytest.raises(ValueError, match=word):
        optim.Adam(_params(2), **kwargs)


@pytest.mark.parametrize("etas", [(0.0, 1.2), (1.0, 1.2), (0.5, 1.0)])
def test_rprop_etas_must_straddle_1(etas):
    with pytest.raises(ValueError, match="Invalid eta values"):
        optim.Rprop(_params(2), etas=etas)


def test_adadelta_rho_above_1_is_rejected():
    with pytest.raises(ValueError, match="rho"):
        optim.Adadelta(_params(2), rho=1.5)


def test_momentum_beta_of_1_is_rejected():
    with pytest.raises(ValueError, match="beta value: 1.0"):
        optim.Momentum(_params(2), beta=1.0)


def test_group_hyper_parameters_are_validated_too():
    a, b = _params(2, 2)
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.SGD([{"params": [a]}, {"params": [b], "lr": -1.0}], lr=0.1)


def test_parameter_listed_twice_in_a_group_is_rejected():
    (p,) = _params(2)
    with pytest.raises(ValueError, match="listed twice"):
        optim.SGD([p, p], lr=0.1)


def test_parameter_in_two_groups_is_rejected():
    (p,) = _params(2)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_empty_parameter_list_is_rejected():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)


def test_single_tensor_instead_of_iterable_is_rejected():
    (p,) = _params(2)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)


def test_non_leaf_tensor_is_rejected():
    (p,) = _params(2)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)


def test_set_of_parameters_is_rejected():
    (p,) = _params(2)
    with pytest.raises(TypeError, match="ordered collections"):
        optim.SGD({p}, lr=0.1)


def test_fused_and_foreach_together_are_rejected():
    with pytest.raises(ValueError, match="cannot be `True` together"):
        optim.Adam(_params(2), foreach=True, fused=True)


# --- groups and steps ------------------------------------------------------------------------------
def test_groups_take_defaults_and_their_own_values():
    a, b = _params(2, 2)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0.9, 0.9]


def test_each_group_steps_with_its_own_learning_rate():
    a = mg.tensor([1.0], requires_grad=True)
    b = mg.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = mg.tensor([1.0]), mg.tensor([1.0])
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)


def test_add_param_group_later():
    a, b = _params(2, 2)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    assert opt.param_groups[1]["params"] == [b] or opt.param_groups[1]["params"][0] is b
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})


@pytest.mark.parametrize("cls", ALL)
def test_parameters_without_gradient_are_skipped(cls):
    a, b = _params(3, 3)
    before = b.detach().numpy().copy()
    opt = cls([a, b], lr=0.1)
    (a * a).sum().backward()
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), before)
    assert b.grad is None
    assert cls is optim.Adagrad or not opt.state[b]


@pytest.mark.parametrize("fused", [True, False])
def test_some_gradients_missing_on_some_steps_matches_the_reference(fused):
    def run(**path):
        ps = _params(3, (2, 2), 4)
        opt = optim.Adam(ps, lr=0.1, **path)
        for i in range(6):
            opt.zero_grad()
            used = ps if i % 3 else ps[:2]  # the third parameter misses every third step
            sum(((p - 0.5) ** 2).sum() for p in used).backward()
            opt.step()
        return [p.detach().numpy() for p in ps], [opt.state[p]["step"] for p in ps]
    got, steps = run(fused=fused, foreach=not fused)
    want, want_steps = run(foreach=False)
    assert steps == want_steps == [6, 6, 4]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-14)


def test_step_returns_the_closure_loss_computed_with_grad_enabled():
    (p,) = _params(2)
    opt = optim.SGD([p], lr=0.1)

    def closure():
        assert mg.is_grad_enabled()
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss
    with mg.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(float((np.random.default_rng(3).normal(size=2) ** 2).sum()))


def test_step_without_closure_returns_none():
    (p,) = _params(2)
    p.grad = mg.ones(2, dtype=mg.float64)
    assert optim.SGD([p], lr=0.1).step() is None


@pytest.mark.parametrize("fused", [True, False, None])
def test_step_keeps_parameter_identity_and_builds_no_graph(fused):
    ps = _params(3, 3)
    ids = [id(p) for p in ps]
    opt = optim.Adam(ps, lr=0.1, fused=fused, foreach=None if fused is not False else False)
    _quadratic_step(opt, ps)
    assert [id(p) for p in opt.param_groups[0]["params"]] == ids
    assert all(p.is_leaf and p.requires_grad and p.grad_fn is None for p in ps)
    assert all(opt.state[p]["exp_avg"].grad_fn is None for p in ps)


def test_reference_path_writes_into_the_parameters_own_storage():
    (p, q) = _params(3, 3)
    array = p.array
    alias = p.detach()
    opt = optim.SGD([p, q], lr=0.1, foreach=False)
    _quadratic_step(opt, [p, q])
    assert p.array is array
    np.testing.assert_array_equal(alias.numpy(), p.detach().numpy())


def test_step_bumps_the_version_counter():
    (p,) = _params(3)
    opt = optim.SGD([p], lr=0.1)
    v = p._version[0]
    _quadratic_step(opt, [p])
    assert p._version[0] > v


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    (p,) = _params(3)
    opt = optim.SGD([p], lr=0.1)
    (p * p).sum().backward()
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad.tolist() == [0.0, 0.0, 0.0]


def test_state_is_keyed_by_the_parameter_tensor():
    (p,) = _params(3)
    opt = optim.Adam([p], lr=0.1)
    _quadratic_step(opt, [p])
    assert list(opt.state) == [p]
    assert sorted(opt.state[p]) == ["exp_avg", "exp_avg_sq", "step"]
    assert opt.state[p]["step"] == 1


def test_adagrad_creates_its_state_at_construction():
    (p,) = _params(3)
    opt = optim.Adagrad([p], initial_accumulator_value=0.25)
    assert opt.state[p]["step"] == 0
    assert opt.state[p]["sum"].tolist() == [0.25] * 3


# --- fused / foreach -----------------------------------------------------------------------------
@pytest.mark.parametrize("path", [dict(), dict(foreach=False)], ids=["fast", "reference"])
def test_parameters_keep_their_own_storage(path):
    ps = _params(3, (2, 2))
    arrays = [p.array for p in ps]
    taken = ps[1].detach().numpy()  # taken before the first step: must see every update
    opt = optim.Adam(ps, lr=0.1, **path)
    _quadratic_step(opt, ps)
    _quadratic_step(opt, ps)
    assert all(p.array is a for p, a in zip(ps, arrays))
    np.testing.assert_array_equal(taken, ps[1].detach().numpy())
    assert len(opt._flats) == (1 if not path else 0)


def test_fused_notices_a_replaced_parameter_storage():
    def run(**path):
        ps = _params(3, 3)
        opt = optim.Adam(ps, lr=0.1, **path)
        _quadratic_step(opt, ps)
        ps[0].data = mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64)  # swaps the storage
        _quadratic_step(opt, ps)
        _quadratic_step(opt, ps)
        return [p.detach().numpy() for p in ps]
    for g, w in zip(run(fused=True), run(foreach=False)):
        np.testing.assert_allclose(g, w, rtol=1e-14)


def test_in_place_edit_of_a_fused_parameter_reaches_the_buffer():
    def run(**path):
        ps = _params(3, 3)
        opt = optim.Adam(ps, lr=0.1, **path)
        _quadratic_step(opt, ps)
        with mg.no_grad():
            ps[1].mul_(2.0)
        _quadratic_step(opt, ps)
        return [p.detach().numpy() for p in ps]
    for g, w in zip(run(fused=True), run(foreach=False)):
        np.testing.assert_allclose(g, w, rtol=1e-14)


def test_flat_paths_group_parameters_by_dtype():
    def run(**path):
        ps = _params(3, 2, dtype=mg.float32) + _params(4, dtype=mg.float64)
        opt = optim.Adam(ps, lr=0.1, **path)
        for _ in range(3):
            _quadratic_step(opt, ps)
        return [p.detach().numpy() for p in ps], [p.dtype for p in ps]
    for path in (dict(fused=True), dict(foreach=True)):
        got, dtypes = run(**path)
        want, _ = run(foreach=False)
        assert dtypes == [mg.float32, mg.float32, mg.float64]
        for g, w in zip(got, want):
            assert g.dtype == w.dtype
            np.testing.assert_allclose(g, w, rtol=1e-6)


def test_fused_path_on_the_second_backend_matches_numpy(backend):
    got, _, params = run_optimizer(optim.Adam, dict(lr=0.1, amsgrad=True), fused=True)
    assert all(p.device == backend for p in params)
    with mg.use_backend("numpy"):
        want, _, _ = run_optimizer(optim.Adam, dict(lr=0.1, amsgrad=True), foreach=False)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-14)


# --- state_dict --------------------------------------------------------------------------------------
def test_state_dict_names_parameters_by_position():
    a, b, c = _params(2, 2, 2)
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1)
    _quadratic_step(opt, [a, c])
    sd = opt.state_dict()
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert sorted(sd["state"]) == [0, 2]
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]


def test_state_dict_is_a_snapshot():
    (p,) = _params(3)
    opt = optim.Adam([p], lr=0.1)
    _quadratic_step(opt, [p])
    sd = opt.state_dict()
    saved = sd["state"][0]["exp_avg"].tolist()
    _quadratic_step(opt, [p])
    assert sd["state"][0]["exp_avg"].tolist() == saved


def _continue(cls, kwargs, path, through_file=None):
    """Train 3 steps, save, train 3 more; and load into a fresh optimizer, train 3 more: compare."""
    ps = _params(3, (2, 2))
    opt = cls(ps, **kwargs, **path)
    for _ in range(3):
        _quadratic_step(opt, ps)
    sd = opt.state_dict()
    snapshot = [p.detach().numpy().copy() for p in ps]
    if through_file is not None:
        mg.save(sd, through_file)
        sd = mg.load(through_file)
    for _ in range(3):
        _quadratic_step(opt, ps)
    qs = [mg.tensor(s, requires_grad=True) for s in snapshot]
    fresh = cls(qs, **{**kwargs, "lr": 123.0}, **path)  # lr comes back from the state dict
    fresh.load_state_dict(sd)
    for _ in range(3):
        _quadratic_step(fresh, qs)
    return [p.detach().numpy() for p in ps], [q.detach().numpy() for q in qs]


@pytest.mark.parametrize("name, cls, ref, kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("path", [dict(fused=True), dict(foreach=False)], ids=["fused", "reference"])
def test_state_dict_round_trip_continues_identically(name, cls, ref, kwargs, path):
    original, resumed = _continue(cls, kwargs, path)
    for o, r in zip(original, resumed):
        np.testing.assert_array_equal(o, r)


@pytest.mark.parametrize("cls, kwargs", [(optim.Adam, dict(lr=0.1, amsgrad=True)),
                                         (optim.NAdam, dict(lr=0.1)),
                                         (optim.SGD, dict(lr=0.1, momentum=0.9)),
                                         (optim.Adagrad, dict(lr=0.1))])
def test_state_dict_round_trip_through_save_and_load(tmp_path, cls, kwargs):
    original, resumed = _continue(cls, kwargs, {}, through_file=tmp_path / "opt.safetensors")
    for o, r in zip(original, resumed):
        np.testing.assert_array_equal(o, r)


def test_lbfgs_state_dict_round_trip_continues_identically(tmp_path):
    def closure_for(opt, x):
        def closure():
            opt.zero_grad()
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            return loss
        return closure
    x = mg.tensor([-1.5, 2.0], dtype=mg.float64, requires_grad=True)
    opt = optim.LBFGS([x], max_iter=3, history_size=4)
    opt.step(closure_for(opt, x))
    mg.save(opt.state_dict(), tmp_path / "lbfgs.safetensors")
    y = mg.tensor(x.detach().numpy().copy(), requires_grad=True)
    opt.step(closure_for(opt, x))
    fresh = optim.LBFGS([y], max_iter=3, history_size=4)
    fresh.load_state_dict(mg.load(tmp_path / "lbfgs.safetensors"))
    fresh.step(closure_for(fresh, y))
    np.testing.assert_array_equal(x.detach().numpy(), y.detach().numpy())


def test_load_state_dict_rejects_a_different_number_of_groups():
    a, b = _params(2, 2)
    sd = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="parameter groups"):
        optim.SGD([a, b], lr=0.1).load_state_dict(sd)


def test_load_state_dict_rejects_a_group_of_another_size():
    a, b = _params(2, 2)
    sd = optim.SGD([a], lr=0.1).state_dict()
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([a, b], lr=0.1).load_state_dict(sd)


def test_load_state_dict_rejects_a_renamed_hyper_parameter():
    opt = optim.Adam(_params(2), lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["learning_rate"] = sd["param_groups"][0].pop("lr")
    with pytest.raises(ValueError, match=r"group 0 lacks the Adam hyper-parameter\(s\) \['lr'\] "
                                         r"\(it has \['learning_rate'\] instead\)"):
        optim.Adam(_params(2), lr=0.1).load_state_dict(sd)


def test_load_state_dict_validates_the_loaded_hyper_parameters():
    opt = optim.Adam(_params(2), lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["betas"] = (0.9, 1.5)
    fresh = optim.Adam(_params(2), lr=0.1)
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["betas"] == (0.9, 0.999)  # nothing half-loaded


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.update(exp_avg=mg.zeros(3, dtype=mg.float64)), r"'exp_avg' of shape \(3,\) does not match "
                                                                 r"parameter 1 \(Tensor of shape \(2,\)"),
    (lambda s: s.update(exp_avgg=s.pop("exp_avg")), r"parameter 1 .*unexpected \['exp_avgg'\], "
                                                     r"missing \['exp_avg'\]"),
    (lambda s: s.pop("step"), r"missing \['step'\]"),
])
def test_load_state_dict_rejects_state_of_another_shape_or_with_other_keys(edit, message):
    ps = _params(2, 2)
    opt = optim.Adam(ps, lr=0.1)
    _quadratic_step(opt, ps)
    sd = opt.state_dict()
    edit(sd["state"][1])
    with pytest.raises(ValueError, match=message):
        optim.Adam(_params(2, 2), lr=0.1).load_state_dict(sd)


def test_load_state_dict_takes_pytorch_layouts():
    """PyTorch keeps ``step`` as a 0-d tensor, SGD's absent buffer as None, and extra flags."""
    (p,) = _params(2)
    sd = {"state": {0: {"step": mg.tensor(3.0), "exp_avg": mg.ones(2), "exp_avg_sq": mg.ones(2)}},
          "param_groups": [dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                                maximize=False, foreach=None, capturable=False, differentiable=False,
                                fused=None, decoupled_weight_decay=False, params=[0])]}
    opt = optim.Adam([p])
    opt.load_state_dict(sd)
    assert opt.state[p]["step"] == 3.0 and opt.state[p]["exp_avg"].dtype is mg.float64
    sgd = optim.SGD([p], lr=0.1)
    sgd.load_state_dict({"state": {0: {"momentum_buffer": None}},
                         "param_groups": [dict(lr=0.1, momentum=0, dampening=0, weight_decay=0,
                                               nesterov=False, maximize=False, foreach=None,
                                               differentiable=False, fused=None, params=[0])]})
    assert sgd.state[p] == {}


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    (p,) = _params(3)
    opt = optim.Adam([p], lr=0.1)
    _quadratic_step(opt, [p])
    q = mg.zeros(3, dtype=mg.float32, requires_grad=True)
    other = optim.Adam([q], lr=0.1)
    other.load_state_dict(opt.state_dict())
    assert other.state[q]["exp_avg"].dtype is mg.float32


def test_load_state_dict_restores_tuples():
    (p,) = _params(3)
    opt = optim.Adam([p], lr=0.1, betas=(0.8, 0.9))
    sd = opt.state_dict()
    sd["param_groups"][0]["betas"] = [0.5, 0.6]  # as a JSON round trip may hand it back
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["betas"] == (0.5, 0.6)


# --- convergence ---------------------------------------------------------------------------------
CONVERGE = [
    (optim.SGD, dict(lr=0.05), 300),
    (optim.SGD, dict(lr=0.02, momentum=0.9, nesterov=True), 300),
    (optim.Momentum, dict(lr=0.1, beta=0.9), 300),
    (optim.Adagrad, dict(lr=0.5), 300),
    (optim.Adadelta, dict(lr=50.0), 300),
    (optim.RMSprop, dict(lr=0.05), 300),
    (optim.RMSprop, dict(lr=0.005, momentum=0.9, centered=True), 300),
    (optim.RMSprop, dict(lr=0.005, momentum=0.9, nesterov=True), 300),
    (optim.Adam, dict(lr=0.05), 300),
    (optim.AdamW, dict(lr=0.05, weight_decay=0.0), 300),
    (optim.Adamax, dict(lr=0.1), 300),
    (optim.NAdam, dict(lr=0.05), 300),
    (optim.RAdam, dict(lr=0.1), 300),
    (optim.Lion, dict(lr=0.01), 1000),
]


@pytest.mark.parametrize("cls, kwargs, steps", CONVERGE,
                         ids=[f"{c.__name__}-{i}" for i, (c, _, _) in enumerate(CONVERGE)])
def test_converges_on_an_ill_conditioned_convex_quadratic(cls, kwargs, steps):
    """f(x) = ½ xᵀ diag(1, 10) x + bᵀx, minimum at x* = −b/diag."""
    a, b = mg.tensor([1.0, 10.0], dtype=mg.float64), mg.tensor([1.0, -2.0], dtype=mg.float64)
    x = mg.tensor([3.0, 2.0], dtype=mg.float64, requires_grad=True)
    opt = cls([x], **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * a * x * x + b * x).sum().backward()
        opt.step()
    np.testing.assert_allclose(x.detach().numpy(), [-1.0, 0.2], atol=0.02)


def _rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_solves_rosenbrock(line_search_fn):
    x = mg.tensor([-1.5, 2.0], dtype=mg.float64, requires_grad=True)
    opt = optim.LBFGS([x], lr=1 if line_search_fn else 0.1, max_iter=50 if line_search_fn else 200,
                      max_eval=1000, line_search_fn=line_search_fn)

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(x)
        loss.backward()
        return loss
    for _ in range(5 if line_search_fn else 20):
        opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=1e-4)


@pytest.mark.parametrize("cls, kwargs, steps", [
    (optim.Adam, dict(lr=0.02), 3000),
    (optim.SGD, dict(lr=1e-3, momentum=0.9), 3000),
    (optim.RMSprop, dict(lr=1e-3, momentum=0.9, centered=True), 3000)])
def test_first_order_methods_reach_the_rosenbrock_valley_floor(cls, kwargs, steps):
    x = mg.tensor([-1.5, 2.0], dtype=mg.float64, requires_grad=True)
    opt = cls([x], **kwargs)
    start = _rosenbrock(x).item()
    for _ in range(steps):
        opt.zero_grad()
        _rosenbrock(x).backward()
        opt.step()
    assert _rosenbrock(x).item() < 1e-3 * start
    np.testing.assert_allclose(x.detach().numpy(), [1.0, 1.0], atol=0.1)


@pytest.mark.parametrize("name, cls, ref, kwargs", CASES, ids=IDS)
@pytest.mark.parametrize("big, block", [(1, 1 << 16), (4, 1 << 16), (1 << 14, 1 << 16), (1 << 14, 3)],
                         ids=["all-alone", "big-alone", "all-together", "together-in-blocks"])
def test_fast_path_equals_the_reference_however_the_parameters_are_split(monkeypatch, name, cls, ref, kwargs,
                                                                          big, block):
    from minigrad.optim import optimizer
    monkeypatch.setattr(optimizer, "BIG_PARAMETER_SIZE", big)  # parameters of 3 and 4 elements
    monkeypatch.setattr(optimizer, "BLOCK_SIZE", block)  # 3: each parameter is a block of its own
    got, opt, _ = run_optimizer(cls, kwargs)
    assert len(opt._flats) == (1 if big > 4 else 0)
    assert [len(f.blocks) for f in opt._flats.values()] == ([2 if block == 3 else 1] if big > 4 else [])
    want, _, _ = run_optimizer(cls, kwargs, foreach=False)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-14, atol=1e-15)


def test_step_hooks_run_around_the_step_and_can_be_removed():
    (p,) = _params(2)
    opt = optim.SGD([p], lr=0.1)
    calls = []
    pre = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", p.tolist())))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", p.tolist())))
    p.grad = mg.ones(2, dtype=mg.float64)
    before = p.tolist()
    opt.step()
    assert calls == [("pre", before), ("post", p.tolist())]
    pre.remove()
    opt.step()
    assert [c[0] for c in calls] == ["pre", "post", "post"]


def test_flat_buffers_follow_a_parameter_to_another_dtype():
    ps = _params(3, 3)
    opt = optim.SGD(ps, lr=0.1, momentum=0.9)
    _quadratic_step(opt, ps)
    for p in ps:
        p.data = p.data.float()
    _quadratic_step(opt, ps)
    assert all(p.dtype is mg.float32 for p in ps)
    assert [f.theta.dtype for f in opt._flats.values()] == [np.dtype("float32")]


@pytest.mark.gpu
def test_fused_path_on_cuda_matches_numpy():
    with mg.use_backend("cupy"):
        got, _, params = run_optimizer(optim.Adam, dict(lr=0.1, amsgrad=True), fused=True)
        assert all(p.device.type == "cuda" for p in params)
    want, _, _ = run_optimizer(optim.Adam, dict(lr=0.1, amsgrad=True), foreach=False)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_named_parameters_keep_their_names_in_the_group_and_state_dict():
    a, b = _params(2, 3)
    opt = optim.Adam([("w", a), ("b", b)], lr=0.1)
    assert opt.param_groups[0]["params"][0] is a and opt.param_groups[0]["param_names"] == ["w", "b"]
    _quadratic_step(opt, [a, b])
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["w", "b"]


@pytest.mark.parametrize("path", [dict(foreach=False), dict(fused=True), dict(foreach=True)])
def test_sgd_first_momentum_buffer_does_not_alias_the_gradient(path):
    """The first buffer is the gradient's value; zeroing the gradient in place must not zero it."""
    ps = _params(2, 3)
    opt = optim.SGD(ps, lr=0.1, momentum=0.9, **path)
    _quadratic_step(opt, ps)
    buffers = [opt.state[p]["momentum_buffer"].tolist() for p in ps]
    opt.zero_grad(set_to_none=False)
    assert [opt.state[p]["momentum_buffer"].tolist() for p in ps] == buffers
    assert all(any(v != 0 for v in b) for b in buffers)


def test_one_group_with_parameters_on_two_devices():
    pytest.importorskip("array_api_strict")

    def run(**path):
        cpu = _params(3, 2)
        with mg.use_backend("strict"):
            dev = _params(3, 2)
        opt = optim.Adam(cpu + dev, lr=0.1, **path)
        for _ in range(3):
            opt.zero_grad()
            for p in cpu + dev:  # one loss per device: ops never mix devices
                ((p - 0.5) ** 2).sum().backward()
            opt.step()
        assert all(p.device.type == "strict" for p in dev)
        return [p.detach().cpu().numpy() for p in cpu + dev]
    for g, w in zip(run(fused=True), run(foreach=False)):
        np.testing.assert_allclose(g, w, rtol=1e-14)
