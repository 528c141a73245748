"""Each optimizer against its docstring formula, written out again here in NumPy.

The objective f(θ) = Σ ½ a θ² + b θ has gradient a θ + b, so the gradients the optimizer sees
depend on its own earlier steps: a few steps compare the whole loop, not just one update.
Every case runs on both backends and on the three code paths (fused, foreach, reference).
"""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad import optim

SHAPES = [(3,), (2, 2)]  # two parameters, so the flat paths have something to fuse
STEPS = 7


def _problem():
    rng = np.random.default_rng(0)
    thetas = [rng.normal(size=s) for s in SHAPES]
    a = [rng.uniform(0.5, 2.0, size=s) for s in SHAPES]
    b = [rng.normal(size=s) for s in SHAPES]
    return thetas, a, b


# --- NumPy references, one step each: (theta, g, state dict, t) -> theta ------------------------
def ref_sgd(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        if momentum:
            s["b"] = g.copy() if t == 1 else momentum * s["b"] + (1 - dampening) * g
            g = g + momentum * s["b"] if nesterov else s["b"]
        return theta - lr * g
    return step


def ref_momentum(lr=1e-3, beta=0.9, weight_decay=0, bias_correction=False, maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        s["v"] = beta * s.get("v", 0) + (1 - beta) * g
        v = s["v"] / (1 - beta ** t) if bias_correction else s["v"]
        return theta - lr * v
    return step


def ref_adagrad(lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10, maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        s["r"] = s.get("r", initial_accumulator_value) + g * g
        return theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s["r"]) + eps)
    return step


def ref_adadelta(lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        s["r"] = rho * s.get("r", 0) + (1 - rho) * g * g
        delta = np.sqrt(s.get("u", 0) + eps) / np.sqrt(s["r"] + eps) * g
        s["u"] = rho * s.get("u", 0) + (1 - rho) * delta * delta
        return theta - lr * delta
    return step


def ref_rmsprop(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, nesterov=False,
                maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        s["r"] = alpha * s.get("r", 0) + (1 - alpha) * g * g
        if centered:
            s["s"] = alpha * s.get("s", 0) + (1 - alpha) * g
            rho = np.sqrt(s["r"] - s["s"] ** 2) + eps
        else:
            rho = np.sqrt(s["r"]) + eps
        if momentum:
            s["b"] = momentum * s.get("b", 0) + g / rho
            return theta - lr * (g / rho + momentum * s["b"] if nesterov else s["b"])
        return theta - lr * g / rho
    return step


def ref_adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
             decoupled_weight_decay=False):
    b1, b2 = betas

    def step(theta, g, s, t):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
        m_hat = s["m"] / (1 - b1 ** t)
        if amsgrad:
            s["vmax"] = np.maximum(s.get("vmax", 0), s["v"])
            v_hat = s["vmax"] / (1 - b2 ** t)
        else:
            v_hat = s["v"] / (1 - b2 ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return step


def ref_adamw(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    return ref_adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)


def ref_adamax(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False):
    b1, b2 = betas

    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
        s["u"] = np.maximum(b2 * s.get("u", 0), np.abs(g) + eps)
        return theta - lr / (1 - b1 ** t) * s["m"] / s["u"]
    return step


def ref_nadam(lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
              decoupled_weight_decay=False, maximize=False):
    b1, b2 = betas

    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))

    def step(theta, g, s, t):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        prod = math.prod(mu(i) for i in range(1, t + 1))
        s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
        denom = np.sqrt(s["v"] / (1 - b2 ** t)) + eps
        return (theta - lr * (1 - mu(t)) / (1 - prod) * g / denom
                - lr * mu(t + 1) / (1 - prod * mu(t + 1)) * s["m"] / denom)
    return step


def ref_radam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
              maximize=False):
    b1, b2 = betas

    def step(theta, g, s, t):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0) + (1 - b2) * g * g
        m_hat = s["m"] / (1 - b1 ** t)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho_t > 5:
            l_t = np.sqrt(1 - b2 ** t) / (np.sqrt(s["v"]) + eps)
            r_t = np.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            return theta - lr * m_hat * l_t * r_t
        return theta - lr * m_hat
    return step


def ref_lion(lr=1e-4, betas=(0.9, 0.99), weight_decay=0, maximize=False):
    b1, b2 = betas

    def step(theta, g, s, t):
        g = -g if maximize else g
        m = s.get("m", 0)
        c = b1 * m + (1 - b1) * g
        theta = theta - lr * (np.sign(c) + weight_decay * theta)
        s["m"] = b2 * m + (1 - b2) * g
        return theta
    return step



def ref_asgd(lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        g = g + weight_decay * theta
        eta, mu = s.get("eta", lr), s.get("mu", 1.0)
        theta = theta * (1 - lambd * eta) - eta * g
        s["ax"] = theta.copy() if mu == 1 else s["ax"] + mu * (theta - s["ax"])
        s["eta"] = lr / (1 + lambd * lr * t) ** alpha
        s["mu"] = 1 / max(1, t - t0)
        return theta
    return step


def ref_rprop(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        prev, size = s.get("prev", np.zeros_like(g)), s.get("size", np.full_like(g, lr))
        size = np.where(g * prev > 0, np.minimum(etas[1] * size, step_sizes[1]), size)
        size = np.where(g * prev < 0, np.maximum(etas[0] * size, step_sizes[0]), size)
        g = np.where(g * prev < 0, 0.0, g)
        s["prev"], s["size"] = g, np.clip(size, *step_sizes)
        return theta - np.sign(g) * s["size"]
    return step

CASES = [
    ("SGD", optim.SGD, ref_sgd, dict(lr=0.1)),
    ("SGD-momentum", optim.SGD, ref_sgd, dict(lr=0.1, momentum=0.9)),
    ("SGD-dampening", optim.SGD, ref_sgd, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD-nesterov", optim.SGD, ref_sgd, dict(lr=0.1, momentum=0.8, nesterov=True)),
    ("SGD-weight-decay", optim.SGD, ref_sgd, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("SGD-maximize", optim.SGD, ref_sgd, dict(lr=0.1, momentum=0.5, maximize=True)),
    ("Momentum", optim.Momentum, ref_momentum, dict(lr=0.1)),
    ("Momentum-bias-correction", optim.Momentum, ref_momentum, dict(lr=0.1, beta=0.8, bias_correction=True)),
    ("Momentum-weight-decay", optim.Momentum, ref_momentum, dict(lr=0.1, weight_decay=0.2, maximize=True)),
    ("Adagrad", optim.Adagrad, ref_adagrad, dict(lr=0.1)),
    ("Adagrad-lr-decay", optim.Adagrad, ref_adagrad, dict(lr=0.1, lr_decay=0.5)),
    ("Adagrad-initial-accumulator", optim.Adagrad, ref_adagrad, dict(lr=0.1, initial_accumulator_value=0.7)),
    ("Adagrad-weight-decay", optim.Adagrad, ref_adagrad, dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adadelta", optim.Adadelta, ref_adadelta, dict()),
    ("Adadelta-lr-rho", optim.Adadelta, ref_adadelta, dict(lr=0.5, rho=0.5, eps=1e-3)),
    ("Adadelta-weight-decay", optim.Adadelta, ref_adadelta, dict(weight_decay=0.1, maximize=True)),
    ("RMSprop", optim.RMSprop, ref_rmsprop, dict(lr=0.01)),
    ("RMSprop-momentum", optim.RMSprop, ref_rmsprop, dict(lr=0.01, momentum=0.9)),
    ("RMSprop-centered", optim.RMSprop, ref_rmsprop, dict(lr=0.01, centered=True)),
    ("RMSprop-centered-momentum", optim.RMSprop, ref_rmsprop, dict(lr=0.01, centered=True, momentum=0.5)),
    ("RMSprop-nesterov", optim.RMSprop, ref_rmsprop, dict(lr=0.01, momentum=0.9, nesterov=True)),
    ("RMSprop-weight-decay", optim.RMSprop, ref_rmsprop, dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("Adam", optim.Adam, ref_adam, dict(lr=0.1)),
    ("Adam-amsgrad", optim.Adam, ref_adam, dict(lr=0.1, amsgrad=True)),
    ("Adam-weight-decay", optim.Adam, ref_adam, dict(lr=0.1, weight_decay=0.1)),
    ("Adam-decoupled", optim.Adam, ref_adam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam-maximize", optim.Adam, ref_adam, dict(lr=0.1, betas=(0.5, 0.9), maximize=True)),
    ("AdamW", optim.AdamW, ref_adamw, dict(lr=0.1)),
    ("AdamW-amsgrad", optim.AdamW, ref_adamw, dict(lr=0.1, weight_decay=0.3, amsgrad=True)),
    ("Adamax", optim.Adamax, ref_adamax, dict(lr=0.1)),
    ("Adamax-weight-decay", optim.Adamax, ref_adamax, dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("NAdam", optim.NAdam, ref_nadam, dict(lr=0.1)),
    ("NAdam-momentum-decay", optim.NAdam, ref_nadam, dict(lr=0.1, momentum_decay=0.3, betas=(0.8, 0.9))),
    ("NAdam-weight-decay", optim.NAdam, ref_nadam, dict(lr=0.1, weight_decay=0.1)),
    ("NAdam-decoupled", optim.NAdam, ref_nadam, dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", optim.RAdam, ref_radam, dict(lr=0.1, betas=(0.9, 0.9))),  # ρₜ > 5 from t = 6
    ("RAdam-weight-decay", optim.RAdam, ref_radam, dict(lr=0.1, betas=(0.9, 0.9), weight_decay=0.1)),
    ("RAdam-decoupled", optim.RAdam, ref_radam,
     dict(lr=0.1, betas=(0.9, 0.9), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Lion", optim.Lion, ref_lion, dict(lr=0.1)),
    ("Lion-weight-decay", optim.Lion, ref_lion, dict(lr=0.1, weight_decay=0.5, betas=(0.5, 0.8))),
    ("Lion-maximize", optim.Lion, ref_lion, dict(lr=0.1, maximize=True)),
    ("ASGD", optim.ASGD, ref_asgd, dict(lr=0.1)),
    ("ASGD-averaging", optim.ASGD, ref_asgd, dict(lr=0.1, lambd=0.01, t0=2, weight_decay=0.1, maximize=True)),
    ("Rprop", optim.Rprop, ref_rprop, dict(lr=0.1)),
    ("Rprop-bounds", optim.Rprop, ref_rprop, dict(lr=0.3, etas=(0.4, 1.5), step_sizes=(0.05, 0.5))),
    ("Rprop-maximize", optim.Rprop, ref_rprop, dict(lr=0.3, maximize=True)),
]
IDS = [c[0] for c in CASES]


def run_optimizer(cls, kwargs, steps=STEPS, **path):
    thetas, a, b = _problem()
    params = [mg.tensor(t, requires_grad=True) for t in thetas]
    a_t = [mg.tensor(x) for x in a]
    b_t = [mg.tensor(x) for x in b]
    opt = cls(params, **kwargs, **path)
    for _ in range(steps):
        opt.zero_grad()
        loss = sum(((0.5 * ai * p * p + bi * p).sum() for p, ai, bi in zip(params, a_t, b_t)), mg.tensor(0.0))
        loss.backward()
        opt.step()
    return [p.detach().cpu().numpy() for p in params], opt, params


def run_reference(ref, kwargs, steps=STEPS):
    thetas, a, b = _problem()
    out = []
    for theta, ai, bi in zip(thetas, a, b):
        step, state = ref(**kwargs), {}
        for t in range(1, steps + 1):
            theta = step(theta, ai * theta + bi, state, t)
        out.append(theta)
    return out


@pytest.mark.parametrize("name, cls, ref, kwargs", CASES, ids=IDS)
def test_matches_formula(backend, name, cls, ref, kwargs):
    got, _, _ = run_optimizer(cls, kwargs)
    want = run_reference(ref, kwargs)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name, cls, ref, kwargs", CASES, ids=IDS)
def test_fused_foreach_and_reference_paths_agree(backend, name, cls, ref, kwargs):
    fused, _, _ = run_optimizer(cls, kwargs, fused=True)
    foreach, _, _ = run_optimizer(cls, kwargs, foreach=True)
    reference, _, _ = run_optimizer(cls, kwargs, foreach=False)
    for f, e, r in zip(fused, foreach, reference):
        np.testing.assert_allclose(f, r, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(e, r, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name, cls, ref, kwargs", CASES, ids=IDS)
def test_float32_matches_float64_formula_to_round_off(name, cls, ref, kwargs):
    thetas, a, b = _problem()
    params = [mg.tensor(t.astype(np.float32), requires_grad=True) for t in thetas]
    opt = cls(params, **kwargs)
    for _ in range(3):
        opt.zero_grad()
        for p, ai, bi in zip(params, a, b):
            p.grad = mg.tensor((ai * p.detach().numpy().astype(np.float64) + bi).astype(np.float32))
        opt.step()
    want = run_reference(ref, kwargs, steps=3)
    for p, w in zip(params, want):
        assert p.dtype is mg.float32
        np.testing.assert_allclose(p.detach().numpy(), w, rtol=2e-5, atol=2e-5)


# PyTorch's own numbers: torch 2.13.0+cpu, float64, five steps of the problem above
# (torch.optim.ASGD / Rprop with these arguments; rounded to 12 decimals). Computed once in a
# scratch script; torch is not a dependency of minigrad or its tests.
TORCH_5_STEPS = [
    (optim.ASGD, dict(lr=0.1, lambd=0.01, t0=2, weight_decay=0.1),
     [[0.492863594578, 0.213997636895, 0.390940049759], [[0.147899401817, -0.572182665191],
                                                         [-0.230705486391, 0.983406191831]]]),
    (optim.Rprop, dict(lr=0.3, etas=(0.4, 1.5), step_sizes=(0.05, 0.5)),
     [[0.695730221093, 0.437895136709, 0.340422650443], [[0.104900117153, -0.765669373161],
                                                         [-0.688404945091, 0.25400004513]]]),
    (optim.Rprop, dict(lr=0.3, maximize=True),
     [[-2.106749778907, -2.364584863291, 2.872902650443], [[-2.127579882847, 1.696810626839],
                                                          [2.594075054909, 3.53648004513]]]),
]


@pytest.mark.parametrize("path", [dict(), dict(foreach=False)], ids=["fast", "reference"])
@pytest.mark.parametrize("cls, kwargs, want", TORCH_5_STEPS, ids=["ASGD", "Rprop", "Rprop-maximize"])
def test_matches_pytorch_numbers(cls, kwargs, want, path):
    got, _, _ = run_optimizer(cls, kwargs, steps=5, **path)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=2e-12)


def test_asgd_averages_the_iterates_from_t0_on():
    got, opt, params = run_optimizer(optim.ASGD, dict(lr=0.1, lambd=0.01, t0=2, weight_decay=0.1), steps=5)
    # torch's state["ax"] after the same five steps (same script as TORCH_5_STEPS)
    want = [[0.468484338218, 0.189171979356, 0.40606659026], [[0.145149034787, -0.568983349537],
                                                               [-0.193510978963, 1.011202743326]]]
    for p, w in zip(params, want):
        np.testing.assert_allclose(opt.state[p]["ax"].numpy(), w, rtol=0, atol=2e-12)
    assert opt.state[params[0]]["mu"] == 1 / 3  # 1 / max(1, t − t₀) after t = 5


def test_rprop_step_sizes_grow_shrink_and_stay_within_bounds():
    x = mg.tensor([0.0, 0.0, 0.0], dtype=mg.float64, requires_grad=True)
    opt = optim.Rprop([x], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.04, 0.3))
    for g in ([1.0, 1.0, 1.0], [1.0, -1.0, 0.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]):
        x.grad = mg.tensor(g, dtype=mg.float64)
        opt.step()
    # coordinate 0: Δ 0.1, 0.2, 0.3 (capped), 0.3; coordinate 1: 0.1, 0.05 and no step at the flip,
    # then 0.05 (g_prev was zeroed), 0.1; coordinate 2: 0.1, 0.1 (g = 0 takes no step), 0.1, 0.2
    np.testing.assert_allclose(x.detach().numpy(), [-0.9, -0.1 - 0.05 - 0.1, -0.4])
    np.testing.assert_allclose(opt.state[x]["step_size"].numpy(), [0.3, 0.1, 0.2])


# --- the textbook numbers -------------------------------------------------------------------------
def test_momentum_holds_the_lectures_exponentially_weighted_averages():
    x = mg.zeros(1, requires_grad=True)
    opt = optim.Momentum([x], lr=1.0, beta=0.9)
    seen = []
    for g in (7.5, 4.0, 6.0, 8.0):
        x.grad = mg.tensor([g])
        opt.step()
        seen.append(opt.state[x]["momentum_buffer"].item())
    np.testing.assert_allclose(seen, [0.75, 1.075, 1.5675, 2.21075], rtol=1e-6)
    assert [round(v, 2) for v in seen] == [0.75, 1.07, 1.57, 2.21] or [round(v, 2) for v in seen] == \
        [0.75, 1.08, 1.57, 2.21]


def test_momentum_bias_correction_divides_by_one_minus_beta_to_the_t():
    x = mg.zeros(1, dtype=mg.float64, requires_grad=True)
    opt = optim.Momentum([x], lr=1.0, beta=0.9, bias_correction=True)
    before = 0.0
    for t, (g, v) in enumerate(zip((7.5, 4.0, 6.0, 8.0), (0.75, 1.075, 1.5675, 2.21075)), start=1):
        x.grad = mg.tensor([g], dtype=mg.float64)
        opt.step()
        assert x.item() - before == pytest.approx(-v / (1 - 0.9 ** t), rel=1e-12)
        before = x.item()
    assert -(x.item()) == pytest.approx(7.5 + 1.075 / 0.19 + 1.5675 / 0.271 + 2.21075 / 0.3439, rel=1e-12)


def test_momentum_is_sgd_with_a_rescaled_learning_rate():
    got, _, _ = run_optimizer(optim.Momentum, dict(lr=0.1, beta=0.9))
    want, _, _ = run_optimizer(optim.SGD, dict(lr=0.1 * (1 - 0.9), momentum=0.9))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-12)


def test_adam_first_step_moves_each_parameter_by_about_lr_against_the_gradient_sign():
    rng = np.random.default_rng(1)
    g = rng.uniform(0.5, 2.0, size=20) * rng.choice([-1, 1], size=20) * 10.0 ** rng.integers(-2, 4, size=20)
    x = mg.zeros(20, dtype=mg.float64, requires_grad=True)
    opt = optim.Adam([x], lr=0.01)
    x.grad = mg.tensor(g)
    opt.step()
    # exactly -lr·g/(|g| + ε): m̂ = g and √v̂ = |g| whatever the gradient's scale
    np.testing.assert_allclose(x.detach().numpy(), -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(x.detach().numpy(), -0.01 * np.sign(g), rtol=1e-5)


def _gd_on_square(lr, steps):
    x = mg.tensor([1.0], dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([x], lr=lr)
    path = [x.item()]
    for _ in range(steps):
        opt.zero_grad()
        (x * x).sum().backward()
        opt.step()
        path.append(x.item())
    return path


def test_gradient_descent_on_x_squared_converges_for_lr_0_1():
    path = _gd_on_square(0.1, 60)
    assert abs(path[-1]) < 1e-5
    assert all(abs(b) < abs(a) for a, b in zip(path, path[1:]))


def test_gradient_descent_on_x_squared_oscillates_for_lr_1():
    path = _gd_on_square(1.0, 6)
    assert path == [1.0, -1.0, 1.0, -1.0, 1.0, -1.0, 1.0]


@pytest.mark.parametrize("lr", [1.01, 1.5, 100.0])
def test_gradient_descent_on_x_squared_diverges_for_lr_above_1(lr):
    path = _gd_on_square(lr, 10)
    assert all(abs(b) > abs(a) for a, b in zip(path, path[1:]))


def test_small_learning_rate_converges_slowly():
    path = _gd_on_square(0.01, 10)
    assert path[-1] == pytest.approx(0.98 ** 10, rel=1e-12)


def test_rmsprop_nesterov_is_goodfellow_algorithm_8_6_at_the_look_ahead_point():
    """Algorithm 8.6 run literally (gradient at θ̃ = θ + αv) vs the optimizer storing φ = θ + αv."""
    a = np.array([1.0, 4.0])
    lr, alpha, rho, eps = 0.01, 0.9, 0.99, 1e-8
    theta, v, r = np.array([1.0, -1.0]), np.zeros(2), np.zeros(2)
    phi = mg.tensor(theta + alpha * v, requires_grad=True)
    opt = optim.RMSprop([phi], lr=lr, alpha=rho, eps=eps, momentum=alpha, nesterov=True)
    for _ in range(10):
        theta_tilde = theta + alpha * v
        g = a * theta_tilde
        r = rho * r + (1 - rho) * g * g
        v = alpha * v - lr * g / (np.sqrt(r) + eps)
        theta = theta + v
        opt.zero_grad()
        (0.5 * mg.tensor(a) * phi * phi).sum().backward()
        opt.step()
        np.testing.assert_allclose(phi.detach().numpy(), theta + alpha * v, rtol=1e-12)


def test_radam_takes_momentum_steps_until_rho_exceeds_5():
    x = mg.zeros(1, dtype=mg.float64, requires_grad=True)
    opt = optim.RAdam([x], lr=0.1)
    m, before = 0.0, 0.0
    for t in range(1, 6):  # β₂ = 0.999: ρ₁..ρ₅ ≤ 5
        x.grad = mg.tensor([2.0], dtype=mg.float64)
        opt.step()
        m = 0.9 * m + 0.1 * 2.0
        assert x.item() - before == pytest.approx(-0.1 * m / (1 - 0.9 ** t), rel=1e-12)
        before = x.item()


def test_adagrad_effective_learning_rate_only_decays():
    x = mg.zeros(3, requires_grad=True)
    opt = optim.Adagrad([x], lr=1.0)
    rates = []
    for g in ([1.0, 5.0, 0.1], [3.0, 0.0, 0.2], [0.5, 1.0, 0.0]):
        x.grad = mg.tensor(g)
        opt.step()
        rates.append(1.0 / (np.sqrt(opt.state[x]["sum"].numpy()) + 1e-10))
    assert all((b <= a).all() for a, b in zip(rates, rates[1:]))


def test_lion_moves_every_coordinate_by_exactly_lr():
    x = mg.zeros(4, dtype=mg.float64, requires_grad=True)
    opt = optim.Lion([x], lr=0.01)
    x.grad = mg.tensor([1e-6, -3.0, 200.0, -1e-9], dtype=mg.float64)
    opt.step()
    assert x.tolist() == [-0.01, 0.01, -0.01, 0.01]


def test_lbfgs_first_iteration_is_a_scaled_gradient_step():
    x0 = np.array([1.0, -2.0, 0.5])
    a = np.array([1.0, 3.0, 2.0])
    x = mg.tensor(x0, requires_grad=True)
    opt = optim.LBFGS([x], lr=0.5, max_iter=1)

    def closure():
        opt.zero_grad()
        loss = (0.5 * mg.tensor(a) * x * x).sum()
        loss.backward()
        return loss
    opt.step(closure)
    g = a * x0
    np.testing.assert_allclose(x.detach().numpy(), x0 - min(1.0, 1.0 / np.abs(g).sum()) * 0.5 * g, rtol=1e-12)


def test_lbfgs_second_iteration_uses_the_two_loop_recursion():
    x0, a, lr = np.array([1.0, -2.0, 0.5]), np.array([1.0, 3.0, 2.0]), 0.5
    x = mg.tensor(x0, requires_grad=True)
    opt = optim.LBFGS([x], lr=lr, max_iter=2, max_eval=10)  # default max_eval (2·5//4) stops after one

    def closure():
        opt.zero_grad()
        loss = (0.5 * mg.tensor(a) * x * x).sum()
        loss.backward()
        return loss
    opt.step(closure)
    g0 = a * x0
    t0 = min(1.0, 1.0 / np.abs(g0).sum()) * lr
    x1 = x0 - t0 * g0
    g1 = a * x1
    s, y = -t0 * g0, g1 - g0
    rho = 1 / (y @ s)
    alpha = rho * (s @ -g1)
    q = -g1 - alpha * y
    r = (y @ s) / (y @ y) * q
    beta = rho * (y @ r)
    d = r + (alpha - beta) * s
    np.testing.assert_allclose(x.detach().numpy(), x1 + lr * d, rtol=1e-12)


def test_lbfgs_returns_the_loss_at_the_start():
    x = mg.tensor([2.0], dtype=mg.float64, requires_grad=True)
    opt = optim.LBFGS([x])

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss
    assert opt.step(closure).item() == 4.0


def test_lbfgs_rejects_parameter_groups():
    a, b = mg.zeros(1, requires_grad=True), mg.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])


def test_cubic_interpolation_finds_the_minimum_of_a_cubic():
    from minigrad.optim.lbfgs import _cubic_interpolate

    def f(x):
        return x ** 3 - 2 * x ** 2 + 0.5 * x

    def df(x):
        return 3 * x ** 2 - 4 * x + 0.5
    x_min = (4 + math.sqrt(16 - 6)) / 6  # the local minimum, root of f'
    assert _cubic_interpolate(0.2, f(0.2), df(0.2), 2.0, f(2.0), df(2.0)) == pytest.approx(x_min, rel=1e-12)
    assert _cubic_interpolate(2.0, f(2.0), df(2.0), 0.2, f(0.2), df(0.2)) == pytest.approx(x_min, rel=1e-12)


def test_strong_wolfe_line_search_step_satisfies_both_conditions():
    """One L-BFGS iteration with the line search: sufficient decrease and the curvature condition."""
    x0 = np.array([-1.2, 1.0])

    def f_and_grad(v):
        x = mg.tensor(v, requires_grad=True)
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss.item(), x.grad.numpy()
    x = mg.tensor(x0, requires_grad=True)
    opt = optim.LBFGS([x], max_iter=1, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss
    opt.step(closure)
    f0, g0 = f_and_grad(x0)
    d = -g0
    t = opt.state[x]["t"]
    f1, g1 = f_and_grad(x.detach().numpy())
    np.testing.assert_allclose(x.detach().numpy(), x0 + t * d, rtol=1e-12)
    assert f1 <= f0 + 1e-4 * t * (g0 @ d)
    assert abs(g1 @ d) <= 0.9 * abs(g0 @ d)


def test_sgd_nesterov_is_the_look_ahead_method_stored_at_the_look_ahead_point():
    """v ← μv + γ∇f(θ − μv), θ ← θ − v (gradient at the look-ahead point θ − μv) run literally,
    against SGD(nesterov=True), whose parameter is that look-ahead point φ = θ − μv."""
    a = np.array([1.0, 10.0])
    lr, mu = 0.05, 0.9
    theta, v = np.array([1.0, -1.0]), np.zeros(2)
    phi = mg.tensor(theta - mu * v, dtype=mg.float64, requires_grad=True)
    opt = optim.SGD([phi], lr=lr, momentum=mu, nesterov=True)
    for _ in range(20):
        v = mu * v + lr * a * (theta - mu * v)
        theta = theta - v
        opt.zero_grad()
        (0.5 * mg.tensor(a) * phi * phi).sum().backward()
        opt.step()
        np.testing.assert_allclose(phi.detach().numpy(), theta - mu * v, rtol=1e-12)


# --- Muon: 2-D weights only, so its own problem -------------------------------------------------
MUON_SHAPES = [(3, 2), (2, 4)]  # a tall and a wide matrix: NS runs on the wide orientation of both


def _muon_problem():
    rng = np.random.default_rng(0)
    thetas = [rng.normal(size=s) for s in MUON_SHAPES]
    a = [rng.uniform(0.5, 2.0, size=s) for s in MUON_SHAPES]
    b = [rng.normal(size=s) for s in MUON_SHAPES]
    return thetas, a, b


def ref_muon(lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
             ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-7, ns_steps=5, adjust_lr_fn=None):
    def orthogonalise(u):
        x = u.T if u.shape[0] > u.shape[1] else u
        x = x / max(np.linalg.norm(x), eps)
        a, b, c = ns_coefficients
        for _ in range(ns_steps):
            gram = x @ x.T
            x = a * x + (b * gram + c * gram @ gram) @ x
        return x.T if u.shape[0] > u.shape[1] else x

    def step(theta, g, s, t):
        s["b"] = momentum * s.get("b", 0) + (1 - momentum) * g
        u = (1 - momentum) * g + momentum * s["b"] if nesterov else s["b"]
        rows, cols = theta.shape
        scale = 0.2 * math.sqrt(max(rows, cols)) if adjust_lr_fn == "match_rms_adamw" \
            else math.sqrt(max(1, rows / cols))
        return theta * (1 - lr * weight_decay) - lr * scale * orthogonalise(u)
    return step


MUON_CASES = [dict(lr=0.05), dict(lr=0.05, nesterov=False, momentum=0.5, weight_decay=0.0),
              dict(lr=0.02, adjust_lr_fn="match_rms_adamw", ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5))]


def _run_muon(kwargs, steps=STEPS):
    thetas, a, b = _muon_problem()
    params = [mg.tensor(t, requires_grad=True) for t in thetas]
    opt = optim.Muon(params, **kwargs)  # each weight alone: Muon has no flat path
    for _ in range(steps):
        opt.zero_grad()
        loss = sum((0.5 * mg.tensor(ai) * p * p + mg.tensor(bi) * p).sum() for p, ai, bi in zip(params, a, b))
        loss.backward()
        opt.step()
    return [p.detach().cpu().numpy() for p in params]


@pytest.mark.parametrize("kwargs", MUON_CASES, ids=["default", "heavy-ball", "match-rms-adamw"])
def test_muon_matches_formula(backend, kwargs):
    thetas, a, b = _muon_problem()
    want = []
    for theta, ai, bi in zip(thetas, a, b):
        step, state = ref_muon(**kwargs), {}
        for t in range(1, STEPS + 1):
            theta = step(theta, ai * theta + bi, state, t)
        want.append(theta)
    for got, w in zip(_run_muon(kwargs), want):
        np.testing.assert_allclose(got, w, rtol=1e-12, atol=1e-13)


def test_muon_agrees_with_pytorch_to_bfloat16_precision_and_takes_2d_weights_only():
    # torch 2.13's Muon(lr=0.05, weight_decay=0.1), five steps of the problem above (float64;
    # PyTorch's Newton-Schulz iterations run in bfloat16, ours in float64)
    want = [[[0.260451, -0.077279], [0.590347, 0.105457], [-0.424498, 0.164851]],
            [[1.174144, 0.853819, -0.638313, -1.009376], [-0.584129, 0.008058, -2.098663, -0.294119]]]
    for got, w in zip(_run_muon(dict(lr=0.05, weight_decay=0.1), steps=5), want):
        np.testing.assert_allclose(got, w, atol=5e-3)
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        optim.Muon([mg.zeros(3, requires_grad=True)])
    with pytest.raises(ValueError, match="Adjust learning rate function cubic is not supported"):
        optim.Muon([mg.zeros(2, 2, requires_grad=True)], adjust_lr_fn="cubic")


# --- Adafactor: factored second moments for matrices ---------------------------------------------
ADAFACTOR_SHAPES = [(3, 4), (5,), (2, 3, 2), ()]


def ref_adafactor(lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, maximize=False):
    def step(theta, g, s, t):
        g = -g if maximize else g
        eps1 = np.finfo(np.float64).eps if eps[0] is None else eps[0]
        decay, rho = t ** beta2_decay, min(lr, 1 / math.sqrt(t))
        alpha = max(eps[1], np.sqrt(np.mean(theta * theta))) * rho
        theta = theta * (1 - lr * weight_decay)
        if theta.ndim > 1:
            s["r"] = s.get("r", 0) + decay * ((g * g).mean(-1, keepdims=True) - s.get("r", 0))
            s["c"] = s.get("c", 0) + decay * ((g * g).mean(-2, keepdims=True) - s.get("c", 0))
            v = s["r"] @ s["c"] / np.maximum(s["r"].mean(-2, keepdims=True), eps1)
        else:
            s["v"] = v = s.get("v", 0) + decay * (g * g - s.get("v", 0))
        u = g / np.sqrt(np.maximum(v, eps1 * eps1))
        return theta - alpha / max(1.0, np.sqrt(np.mean(u * u)) / d) * u
    return step


ADAFACTOR_CASES = [dict(), dict(lr=0.05, weight_decay=0.1, maximize=True),
                   dict(beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0)]


@pytest.mark.parametrize("kwargs", ADAFACTOR_CASES, ids=["default", "decay-maximize", "eps-clip"])
def test_adafactor_matches_formula(backend, kwargs):
    rng = np.random.default_rng(0)
    thetas = [rng.normal(size=s) for s in ADAFACTOR_SHAPES]
    a = [rng.uniform(0.5, 2.0, size=s) for s in ADAFACTOR_SHAPES]
    b = [rng.normal(size=s) for s in ADAFACTOR_SHAPES]
    params = [mg.tensor(t, requires_grad=True) for t in thetas]
    opt = optim.Adafactor(params, **kwargs)
    for _ in range(6):
        opt.zero_grad()
        loss = sum((0.5 * mg.tensor(ai) * p * p + mg.tensor(bi) * p).sum() for p, ai, bi in zip(params, a, b))
        loss.backward()
        opt.step()
    for p, theta, ai, bi in zip(params, thetas, a, b):
        step, state = ref_adafactor(**kwargs), {}
        for t in range(1, 7):
            theta = step(theta, ai * theta + bi, state, t)
        np.testing.assert_allclose(p.detach().cpu().numpy(), theta, rtol=1e-12, atol=1e-13)
    assert opt.state[params[0]]["row_var"].shape == (3, 1)
    assert opt.state[params[2]]["col_var"].shape == (2, 1, 2)
    if backend.type == "cpu" and not kwargs:  # torch 2.13's Adafactor, the same six steps (float64)
        np.testing.assert_allclose(params[0].detach().numpy().reshape(-1)[:4],
                                   [0.1543547389, -0.0968306125, 0.5842365254, 0.1153711936], atol=1e-10)
        np.testing.assert_allclose(params[3].item(), 0.2073181234, atol=1e-10)


def test_adafactor_validates_like_pytorch():
    w = [mg.zeros(2, 2, requires_grad=True)]
    for kwargs, message in [(dict(beta2_decay=0.5), "beta2_decay should be <= 0"),
                            (dict(d=0.5), "Clipping threshold d should be >= 1"),
                            (dict(eps=(None, -1.0)), "epsilon2 should be >= 0")]:
        with pytest.raises(ValueError, match=message):
            optim.Adafactor(w, **kwargs)


@pytest.mark.parametrize("cls", [optim.Adafactor, optim.Muon])
def test_matrix_optimizers_resume_from_their_state_dict(cls):
    def run(steps, resume_after=None):
        rng = np.random.default_rng(1)
        w = mg.tensor(rng.normal(size=(3, 4)), requires_grad=True)
        opt = cls([w], lr=0.05)
        for k in range(steps):
            if k == resume_after:
                saved, values = opt.state_dict(), w.detach().clone()
                w = mg.tensor(values.numpy(), requires_grad=True)
                opt = cls([w], lr=0.05)
                opt.load_state_dict(saved)
            w.grad = mg.tensor(np.cos(np.arange(12.0) * (k + 1)).reshape(3, 4))
            opt.step()
        return w.detach().numpy()
    np.testing.assert_array_equal(run(5, resume_after=3), run(5))


def test_pytorchs_capturable_and_differentiable_flags():
    w = [mg.zeros(2, requires_grad=True)]
    opt = optim.Adam(w, capturable=False, differentiable=False)
    assert opt.param_groups[0]["capturable"] is False and opt.param_groups[0]["differentiable"] is False
    optim.SGD(w, lr=0.1, differentiable=False)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        optim.RMSprop(w, differentiable=True)
    # a checkpoint from before a flag existed loads with the flag's default, as in PyTorch
    saved = opt.state_dict()
    for group in saved["param_groups"]:
        del group["capturable"], group["differentiable"]
    optim.Adam(w).load_state_dict(saved)
    del saved["param_groups"][0]["lr"]
    with pytest.raises(ValueError, match=r"lacks the Adam hyper-parameter\(s\) \['lr'\]"):
        optim.Adam(w).load_state_dict(saved)
