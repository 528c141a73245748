"""Learning-rate schedules: 30-step sequences against the values their formulas give."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim
from minigrad.optim import lr_scheduler as S

STEPS = 30


def _opt(lr=0.1, cls=optim.SGD, **kwargs):
    return cls([mg.zeros(2, requires_grad=True)], lr=lr, **kwargs)


def _sequence(opt, sched, steps=STEPS, metric=None):
    """The lr in effect at epochs 0..steps-1 (PyTorch's loop: optimizer.step, then scheduler.step)."""
    lrs = []
    for epoch in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        assert sched.get_last_lr() == [g["lr"] for g in opt.param_groups]
        opt.step()
        sched.step() if metric is None else sched.step(metric(epoch))
    return lrs


def test_step_lr():
    opt = _opt(0.1)
    got = _sequence(opt, S.StepLR(opt, step_size=7, gamma=0.5))
    np.testing.assert_allclose(got, [0.1 * 0.5 ** (t // 7) for t in range(STEPS)], rtol=1e-12)


def test_multi_step_lr_with_a_repeated_milestone():
    opt = _opt(1.0)
    got = _sequence(opt, S.MultiStepLR(opt, milestones=[20, 5, 12, 12], gamma=0.1))
    want = [0.1 ** sum(t >= m for m in (5, 12, 12, 20)) for t in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_exponential_lr():
    opt = _opt(0.5)
    got = _sequence(opt, S.ExponentialLR(opt, gamma=0.9))
    np.testing.assert_allclose(got, [0.5 * 0.9 ** t for t in range(STEPS)], rtol=1e-12)


def test_cosine_annealing_follows_the_closed_form_also_past_t_max():
    opt = _opt(0.1)
    got = _sequence(opt, S.CosineAnnealingLR(opt, T_max=10, eta_min=0.001))
    want = [0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)
    assert got[10] == pytest.approx(0.001) and got[20] == pytest.approx(0.1)


def test_lambda_lr_per_group():
    a, b = mg.zeros(1, requires_grad=True), mg.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    sched = S.LambdaLR(opt, [lambda t: 1 / (t + 1), lambda t: 0.95 ** t])
    for t in range(STEPS):
        assert sched.get_last_lr() == pytest.approx([0.1 / (t + 1), 0.95 ** t], rel=1e-12)
        opt.step()
        sched.step()


def test_lambda_lr_needs_one_function_per_group():
    a, b = mg.zeros(1, requires_grad=True), mg.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        S.LambdaLR(opt, [lambda t: 1.0])


def test_linear_lr_warm_up():
    opt = _opt(0.1)
    got = _sequence(opt, S.LinearLR(opt, start_factor=0.25, end_factor=1.0, total_iters=8))
    want = [0.1 * (0.25 + 0.75 * min(t, 8) / 8) for t in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_linear_lr_decay_with_default_factors():
    opt = _opt(0.3)
    got = _sequence(opt, S.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=20))
    want = [0.3 * (1.0 - 0.9 * min(t, 20) / 20) for t in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(start_factor=0.0), dict(start_factor=1.5), dict(end_factor=-0.1)])
def test_linear_lr_rejects_factors_out_of_range(kwargs):
    with pytest.raises(ValueError, match="multiplicative factor"):
        S.LinearLR(_opt(), **kwargs)


def _one_cycle_expected(n, max_lr, pct, div, final_div, three_phase, strategy="cos"):
    """Phase boundaries as PyTorch places them (end of phase i at step e_i), interpolated."""
    def anneal(a, b, p):
        return b + (a - b) / 2 * (math.cos(math.pi * p) + 1) if strategy == "cos" else a + (b - a) * p
    lo, hi, floor = max_lr / div, max_lr, max_lr / div / final_div
    if three_phase:
        phases = [(pct * n - 1, lo, hi, 0.95, 0.85), (2 * pct * n - 2, hi, lo, 0.85, 0.95),
                  (n - 1, lo, floor, 0.95, 0.95)]
    else:
        phases = [(pct * n - 1, lo, hi, 0.95, 0.85), (n - 1, hi, floor, 0.85, 0.95)]
    lrs, moms = [], []
    for t in range(n):
        start = 0.0
        for i, (end, a, b, ma, mb) in enumerate(phases):
            if t <= end or i == len(phases) - 1:
                p = (t - start) / (end - start)
                lrs.append(anneal(a, b, p))
                moms.append(anneal(ma, mb, p))
                break
            start = end
    return lrs, moms


@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("strategy", ["cos", "linear"])
def test_one_cycle_lr_and_momentum(three_phase, strategy):
    opt = _opt(0.1, momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=STEPS, three_phase=three_phase,
                         anneal_strategy=strategy)
    lrs, moms = [], []
    for _ in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step() if len(lrs) < STEPS else None
    want_lrs, want_moms = _one_cycle_expected(STEPS, 1.0, 0.3, 25.0, 1e4, three_phase, strategy)
    np.testing.assert_allclose(lrs, want_lrs, rtol=1e-12)
    np.testing.assert_allclose(moms, want_moms, rtol=1e-12)
    assert lrs[0] == pytest.approx(1.0 / 25) and lrs[-1] == pytest.approx(1.0 / 25 / 1e4)
    assert max(lrs) == pytest.approx(1.0, rel=0.02)


def test_one_cycle_cycles_adams_beta1():
    opt = _opt(0.1, cls=optim.Adam, betas=(0.9, 0.99))
    sched = S.OneCycleLR(opt, max_lr=0.01, epochs=3, steps_per_epoch=10)
    betas = []
    for _ in range(STEPS - 1):
        opt.step()
        sched.step()
        betas.append(opt.param_groups[0]["betas"])
    _, want = _one_cycle_expected(STEPS, 0.01, 0.3, 25.0, 1e4, False)
    np.testing.assert_allclose([b[0] for b in betas], want[1:], rtol=1e-12)
    assert all(b[1] == 0.99 for b in betas)


def test_one_cycle_refuses_to_step_past_total_steps():
    opt = _opt()
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    sched.step()
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step 4 times"):
        sched.step()


def test_one_cycle_needs_total_steps_or_epochs():
    with pytest.raises(ValueError, match="total_steps OR"):
        S.OneCycleLR(_opt(), max_lr=1.0)


def test_one_cycle_without_momentum_in_the_optimizer():
    with pytest.raises(ValueError, match="momentum or beta1"):
        S.OneCycleLR(_opt(cls=optim.Adagrad), max_lr=1.0, total_steps=10)


def test_reduce_lr_on_plateau_mode_min_rel_with_patience_and_cooldown():
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.1)
    losses = [10, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    got = []
    for loss in losses:
        sched.step(loss)
        got.append(opt.param_groups[0]["lr"])
    # bad epochs from epoch 3: the 3rd bad epoch reduces, one cooldown epoch, then 3 more bad ones
    assert got == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.125, 0.125, 0.125]


def test_reduce_lr_on_plateau_never_goes_below_min_lr():
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, factor=0.1, patience=0, min_lr=0.05)
    for _ in range(5):
        sched.step(1.0)
    assert sched.get_last_lr() == [0.05]


def test_reduce_lr_on_plateau_relative_threshold():
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=0.1)
    sched.step(1.0)
    sched.step(0.95)  # not 10% better: a bad epoch, patience 0 -> reduce
    assert sched.get_last_lr() == [0.5]
    sched.step(0.8)  # 0.8 < 1.0·0.9: better
    assert sched.get_last_lr() == [0.5] and sched.best == 0.8


def test_reduce_lr_on_plateau_absolute_threshold_in_max_mode():
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=0, threshold=0.1, threshold_mode="abs")
    sched.step(0.5)
    sched.step(0.55)  # not above 0.5 + 0.1
    assert sched.get_last_lr() == [0.5]
    sched.step(0.7)
    assert sched.best == 0.7 and sched.num_bad_epochs == 0


def test_reduce_lr_on_plateau_accepts_a_tensor_metric():
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, patience=0)
    sched.step(mg.tensor(2.0))
    assert sched.best == 2.0


def test_reduce_lr_on_plateau_rejects_factor_1():
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        S.ReduceLROnPlateau(_opt(), factor=1.0)


def test_sequential_lr_warm_up_then_cosine():
    opt = _opt(0.1)
    warm = S.LinearLR(opt, start_factor=0.1, total_iters=5)
    cos = S.CosineAnnealingLR(opt, T_max=25)
    got = _sequence(opt, S.SequentialLR(opt, [warm, cos], milestones=[5]))
    want = [0.1 * (0.1 + 0.9 * t / 5) for t in range(5)] + \
        [0.1 * (1 + math.cos(math.pi * (t - 5) / 25)) / 2 for t in range(5, STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-15)


def test_sequential_lr_three_schedulers():
    opt = _opt(1.0)
    scheds = [S.ExponentialLR(opt, gamma=0.5), S.StepLR(opt, step_size=3, gamma=0.1),
              S.ExponentialLR(opt, gamma=0.9)]
    got = _sequence(opt, S.SequentialLR(opt, scheds, milestones=[4, 10]))
    want = [0.5 ** t for t in range(4)] + [0.1 ** ((t - 4) // 3) for t in range(4, 10)] + \
        [0.9 ** (t - 10) for t in range(10, STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_sequential_lr_needs_one_milestone_fewer_than_schedulers():
    opt = _opt()
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 3)], milestones=[])


def test_chained_schedulers_multiply():
    opt = _opt(1.0)
    a = S.ExponentialLR(opt, gamma=0.9)
    b = S.StepLR(opt, step_size=3, gamma=0.1)
    for t in range(1, 10):
        opt.step()
        a.step()
        b.step()
        assert opt.param_groups[0]["lr"] == pytest.approx(0.9 ** t * 0.1 ** (t // 3), rel=1e-12)


def test_step_with_an_epoch_uses_the_closed_form():
    opt = _opt(1.0)
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    sched.step(7)
    assert sched.get_last_lr() == [0.125]


def test_schedulers_with_several_groups_keep_their_own_base_lr():
    a, b = mg.zeros(1, requires_grad=True), mg.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    sched = S.CosineAnnealingLR(opt, T_max=4)
    for _ in range(2):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == pytest.approx([0.05, 0.5])
    assert sched.base_lrs == [0.1, 1.0]


@pytest.mark.parametrize("make", [
    lambda o: S.StepLR(o, 3, 0.5), lambda o: S.MultiStepLR(o, [3, 7]), lambda o: S.ExponentialLR(o, 0.9),
    lambda o: S.CosineAnnealingLR(o, 10), lambda o: S.LinearLR(o, 0.2, total_iters=6),
    lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=40), lambda o: S.LambdaLR(o, lambda t: 0.9 ** t),
    lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.5, total_iters=3), S.ExponentialLR(o, 0.8)], [3]),
], ids=["step", "multistep", "exponential", "cosine", "linear", "onecycle", "lambda", "sequential"])
def test_state_dict_round_trip_resumes_the_same_sequence(tmp_path, make):
    opt = _opt(0.1, momentum=0.9)
    sched = make(opt)
    for _ in range(10):
        opt.step()
        sched.step()
    mg.save({"opt": opt.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.safetensors")
    rest = _sequence(opt, sched, steps=15)

    opt2 = _opt(0.1, momentum=0.9)
    sched2 = make(opt2)
    ckpt = mg.load(tmp_path / "ckpt.safetensors")
    opt2.load_state_dict(ckpt["opt"])
    sched2.load_state_dict(ckpt["sched"])
    np.testing.assert_allclose(_sequence(opt2, sched2, steps=15), rest, rtol=1e-15)


def test_reduce_lr_on_plateau_state_dict_round_trip():
    opt = _opt(1.0)
    sched = S.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for loss in (3, 2, 2, 2):
        sched.step(loss)
    sd = sched.state_dict()
    assert "optimizer" not in sd
    other = S.ReduceLROnPlateau(_opt(1.0), patience=1, factor=0.5)
    other.load_state_dict(sd)
    assert (other.best, other.num_bad_epochs, other.last_epoch) == (2, sched.num_bad_epochs, 4)


def test_constant_lr():
    opt = _opt(0.1)
    got = _sequence(opt, S.ConstantLR(opt, factor=0.5, total_iters=4))
    np.testing.assert_allclose(got, [0.05] * 4 + [0.1] * (STEPS - 4), rtol=1e-12)


def test_multiplicative_lr():
    opt = _opt(0.1)
    got = _sequence(opt, S.MultiplicativeLR(opt, lambda t: 0.95))
    np.testing.assert_allclose(got, [0.1 * 0.95 ** t for t in range(STEPS)], rtol=1e-12)


def test_polynomial_lr():
    opt = _opt(0.1)
    got = _sequence(opt, S.PolynomialLR(opt, total_iters=20, power=2.0))
    want = [0.1 * (1 - min(t, 20) / 20) ** 2 for t in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("T_mult", [1, 2])
def test_cosine_annealing_warm_restarts(T_mult):
    opt = _opt(0.1)
    got = _sequence(opt, S.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=T_mult, eta_min=0.001))
    want, T_i, T_cur = [], 5, 0
    for _ in range(STEPS):
        want.append(0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * T_cur / T_i)) / 2)
        T_cur += 1
        if T_cur >= T_i:
            T_cur, T_i = T_cur - T_i, T_i * T_mult
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_cosine_annealing_warm_restarts_with_fractional_epochs():
    opt = _opt(0.1)
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=4)
    sched.step(5.5)  # 1.5 epochs into the second period
    assert sched.get_last_lr()[0] == pytest.approx(0.1 * (1 + math.cos(math.pi * 1.5 / 4)) / 2)


def test_chained_scheduler():
    opt = _opt(0.1)
    got = _sequence(opt, S.ChainedScheduler([S.ConstantLR(opt, 0.1, 3), S.ExponentialLR(opt, 0.9)]))
    want = [0.1 * 0.9 ** t * (0.1 if t < 3 else 1.0) for t in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def _triangle(t, up, down):
    """Position in [0, 1] on the triangle wave of a cycle of up + down steps."""
    t = t % (up + down)
    return t / up if t <= up else 1 - (t - up) / down


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_and_momentum(mode):
    opt = _opt(1.0, momentum=0.9)
    sched = S.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4, step_size_down=6, mode=mode, gamma=0.97)
    lrs, moms = [], []
    for _ in range(STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    scale = {"triangular": lambda t: 1.0, "triangular2": lambda t: 0.5 ** (t // 10),
             "exp_range": lambda t: 0.97 ** t}[mode]
    want = [_triangle(t, 4, 6) * scale(t) for t in range(STEPS)]
    np.testing.assert_allclose(lrs, [0.01 + 0.09 * w for w in want], rtol=1e-12)
    np.testing.assert_allclose(moms, [0.9 - 0.1 * w for w in want], rtol=1e-12)


def test_cyclic_lr_cycles_adams_beta1_and_rejects_adagrad():
    opt = _opt(0.1, cls=optim.Adam)
    S.CyclicLR(opt, 0.01, 0.1, step_size_up=3)
    assert opt.param_groups[0]["betas"] == (0.9, 0.999)
    with pytest.raises(ValueError, match="momentum or beta1"):
        S.CyclicLR(_opt(cls=optim.Adagrad), 0.01, 0.1)
