"""mg.distributions: densities, entropies and KL against PyTorch's values (computed once with
torch 2.13, float64), reparameterised gradients, and sample statistics with fixed seeds."""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import gradcheck

D = mg.distributions


def t(values, dtype=mg.float64):
    return mg.tensor(values, dtype=dtype)


def close(tensor, expected, atol=1e-10):
    np.testing.assert_allclose(tensor.detach().cpu().numpy(), expected, rtol=1e-9, atol=atol)


def test_normal_log_prob_entropy_cdf():
    d = D.Normal(t([0.5, -1.0]), t([2.0, 0.3]))
    close(d.log_prob(t([1.0, -0.7])), [-1.643335713764618, -0.21496572887873666])
    close(d.entropy(), [2.112085713764618, 0.21496572887873655])
    close(d.cdf(t([1.0, -0.7])), [0.5987063256829237, 0.841344746068543])
    close(d.mean, [0.5, -1.0])
    close(d.stddev, [2.0, 0.3])
    close(d.variance, [4.0, 0.09])


def test_normal_rsample_is_differentiable_in_loc_and_scale():
    loc, scale = t([0.3, -0.2]).requires_grad_(), t([1.5, 0.5]).requires_grad_()

    def draw(loc, scale):  # the same noise on every call: gradcheck compares like with like
        mg.manual_seed(3)
        return D.Normal(loc, scale).rsample((5,))
    assert gradcheck(draw, [loc, scale])
    mg.manual_seed(3)
    x = D.Normal(loc, scale).rsample((5,))
    x.sum().backward()
    assert loc.grad.tolist() == [5.0, 5.0]
    mg.manual_seed(3)
    eps = mg.randn(5, 2, dtype=mg.float64)
    close(scale.grad, eps.sum(0).numpy())  # d(loc + scale·ε)/d scale = ε


def test_sample_has_no_gradient_and_the_extended_shape():
    loc = t([0.0, 1.0]).requires_grad_()
    s = D.Normal(loc, 1.0).sample((3, 4))
    assert s.shape == (3, 4, 2) and not s.requires_grad
    assert D.Normal(t([0.0, 1.0]), 1.0).batch_shape == (2,)


def test_normal_sample_statistics():
    mg.manual_seed(0)
    x = D.Normal(t([2.0]), t([0.5])).sample((20000,))
    assert abs(x.mean().item() - 2.0) < 4 * 0.5 / math.sqrt(20000)
    assert abs(x.std().item() - 0.5) < 0.01


def test_normal_rejects_non_positive_scale():
    with pytest.raises(ValueError, match="scale to satisfy the constraint GreaterThan"):
        D.Normal(0.0, -1.0)
    assert D.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0


def test_categorical_from_probs():
    d = D.Categorical(probs=t([[0.2, 0.0, 0.8], [1.0, 1.0, 2.0]]))
    close(d.log_prob(mg.tensor([2, 1])), [-0.2231435513142097, -1.3862943611198906])
    close(d.entropy(), [0.5004024235381879, 1.0397207708399179])  # a zero probability adds 0, not NaN
    assert all(math.isnan(v) for v in d.mean.tolist())
    assert d.batch_shape == (2,) and d.event_shape == ()


def test_categorical_from_logits_broadcasts_values():
    d = D.Categorical(logits=t([[0.2, -1.0, 3.0]]))
    close(d.log_prob(mg.tensor([[0], [2]])), [[-2.876151177649976], [-0.07615117764997636]])
    close(d.probs, [[0.05635123187215809, 0.016972664874016427, 0.9266761032538255]])


def test_categorical_sample_frequencies():
    mg.manual_seed(1)
    d = D.Categorical(probs=t([[0.1, 0.6, 0.3], [0.5, 0.0, 0.5]]))
    s = d.sample((30000,))
    assert s.shape == (30000, 2) and s.dtype is mg.int64
    freq = [[(s[:, r] == k).float().mean().item() for k in range(3)] for r in range(2)]
    np.testing.assert_allclose(freq, [[0.1, 0.6, 0.3], [0.5, 0.0, 0.5]], atol=0.015)


def test_categorical_gradient_through_log_prob():
    logits = t([0.3, -0.4, 1.1]).requires_grad_()
    assert gradcheck(lambda z: D.Categorical(logits=z).log_prob(mg.tensor([2, 0])), [logits])
    assert gradcheck(lambda z: D.Categorical(logits=z).entropy(), [logits])


def test_categorical_needs_exactly_one_parameter():
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        D.Categorical()
    with pytest.raises(ValueError, match="either `probs` or `logits`"):
        D.Categorical(probs=t([0.5, 0.5]), logits=t([0.0, 0.0]))


def test_categorical_has_no_rsample():
    with pytest.raises(NotImplementedError, match="rsample"):
        D.Categorical(probs=t([0.5, 0.5])).rsample()


def test_one_hot_categorical():
    d = D.OneHotCategorical(probs=t([0.2, 0.3, 0.5]))
    close(d.log_prob(t([0.0, 1.0, 0.0])), -1.2039728043259361)
    close(d.entropy(), 1.0296530140645737)
    close(d.variance, [0.16, 0.21, 0.25])
    mg.manual_seed(2)
    s = D.OneHotCategorical(probs=t([[1.0, 1.0, 2.0]] * 2)).sample((4,))
    assert s.shape == (4, 2, 3) and s.sum(-1).tolist() == [[1.0, 1.0]] * 4


def test_bernoulli_from_probs_and_logits():
    d = D.Bernoulli(probs=t([0.3, 0.0, 1.0]))
    close(d.log_prob(t([1.0, 0.0, 1.0])), [-1.2039728043259361, 0.0, -2.220446049250318e-16])
    close(d.entropy(), [0.6108643020548935, 0.0, 2.220446049250318e-16])
    close(d.logits, [-0.8472978603872038, -36.04365338911715, 36.04365338911715])
    d = D.Bernoulli(logits=t([2.0, -30.0]))
    close(d.log_prob(t([0.0, 1.0])), [-2.1269280110429727, -30.000000000000092])
    close(d.entropy(), [0.36533385508720784, 2.8990143619012088e-12], atol=1e-13)


def test_bernoulli_sample_frequency_and_support():
    mg.manual_seed(4)
    s = D.Bernoulli(probs=t([0.25])).sample((40000,))
    assert set(s.unique().tolist()) == {0.0, 1.0}
    assert abs(s.mean().item() - 0.25) < 4 * math.sqrt(0.25 * 0.75 / 40000)
    with pytest.raises(ValueError, match="support"):
        D.Bernoulli(probs=t(0.5)).log_prob(t(0.5))


def test_uniform():
    d = D.Uniform(t([0.0, 1.0]), t([2.0, 5.0]))
    close(d.log_prob(t([1.0, 4.0])), [-0.6931471805599453, -1.3862943611198906])
    close(d.entropy(), [0.6931471805599453, 1.3862943611198906])
    close(d.stddev, [0.5773502691896258, 1.1547005383792517])
    close(d.mean, [1.0, 3.0])
    with pytest.raises(ValueError, match="support"):
        D.Uniform(0.0, 1.0).log_prob(mg.tensor(2.0))


def test_uniform_rsample_range_and_gradient():
    mg.manual_seed(5)
    low, high = t([-1.0]).requires_grad_(), t([3.0]).requires_grad_()
    x = D.Uniform(low, high).rsample((10000,))
    assert x.min().item() >= -1.0 and x.max().item() < 3.0
    assert abs(x.mean().item() - 1.0) < 0.05
    x.mean().backward()  # d(low + (high - low)u)/d low = 1 - u, whose mean is about 1/2
    assert abs(low.grad.item() - 0.5) < 0.02 and abs(low.grad.item() + high.grad.item() - 1) < 1e-12


def test_kl_divergence_closed_forms():
    close(D.kl_divergence(D.Normal(t([0.0, 1.0]), t([1.0, 2.0])), D.Normal(t([1.0, 0.0]), t([0.5, 3.0]))),
          [2.8068528194400546, 0.18324288588594217])
    close(D.kl_divergence(D.Categorical(probs=t([0.2, 0.0, 0.8])), D.Categorical(probs=t([0.3, 0.3, 0.4]))),
          0.47342472282632336)
    close(D.kl_divergence(D.Bernoulli(t([0.2])), D.Bernoulli(t([0.7]))), [0.5341108087103075])
    close(D.kl_divergence(D.Uniform(t(0.0), t(1.0)), D.Uniform(t(-1.0), t(2.0))), 1.0986122886681098)
    assert D.kl_divergence(D.Uniform(t(0.0), t(1.0)), D.Uniform(t(0.5), t(2.0))).item() == math.inf


def test_kl_normal_matches_monte_carlo_and_is_differentiable():
    mu = t([0.4]).requires_grad_()
    p, q = D.Normal(mu, 0.8), D.Normal(0.0, 1.0)
    mg.manual_seed(6)
    x = p.sample((200000,))
    mc = (p.log_prob(x) - q.log_prob(x)).mean().item()
    assert abs(D.kl_divergence(p, q).item() - mc) < 0.01
    assert gradcheck(lambda m: D.kl_divergence(D.Normal(m, 0.8), D.Normal(0.0, 1.0)), [mu])


def test_independent_sums_over_the_reinterpreted_axes():
    loc, scale = t([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]]), t([[1.0, 0.5, 2.0], [0.7, 1.5, 0.9]])
    p = D.Independent(D.Normal(loc, scale), 1)
    q = D.Independent(D.Normal(mg.zeros(2, 3, dtype=mg.float64), mg.ones(2, 3, dtype=mg.float64)), 1)
    assert p.batch_shape == (2,) and p.event_shape == (3,) and p.has_rsample
    close(p.log_prob(t([[0.1, 0.2, 0.3], [-0.4, 0.5, -0.6]])), [-6.078065599614018, -2.971164875235727])
    close(p.entropy(), [4.2568155996140185, 4.200245248125624])
    close(D.kl_divergence(p, q), [3.75, 0.3965703514883943])
    assert p.rsample((4,)).shape == (4, 2, 3) and p.mean is loc
    with pytest.raises(ValueError, match="reinterpreted_batch_ndims"):
        D.Independent(D.Normal(loc, scale), 3)
    other = D.Independent(D.Normal(loc.flip(0), scale.flip(1)), 2)
    assert gradcheck(lambda m, s: D.kl_divergence(D.Independent(D.Normal(m, s), 2), other),
                     [loc.clone().requires_grad_(), scale.clone().requires_grad_()])


def test_normal_icdf_inverts_cdf_with_torchs_values_and_gradients():
    loc, scale = t([0.5, -1.0, 2.0]).requires_grad_(), t([1.0, 0.5, 2.0]).requires_grad_()
    d = D.Normal(loc, scale)
    x = d.icdf(t([0.1, 0.5, 0.975]))
    close(x, [-0.7815515655446008, -1.0, 5.919927969080108])
    x.sum().backward()
    close(loc.grad, [1.0, 1.0, 1.0])
    close(scale.grad, [-1.2815515655446008, 0.0, 1.959963984540054])
    close(d.icdf(d.cdf(t([0.3, -2.0, 7.0]))), [0.3, -2.0, 7.0], atol=1e-12)


def test_kl_of_an_unregistered_pair_is_refused():
    with pytest.raises(NotImplementedError, match="Normal and Uniform"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Uniform(0.0, 1.0))


def test_distributions_on_the_second_backend(backend):
    d = D.Normal(mg.tensor([0.0, 1.0]), mg.tensor([1.0, 2.0]))
    assert d.rsample((3,)).device == backend
    assert D.Categorical(logits=mg.tensor([0.0, 1.0])).sample((5,)).device == backend
    assert D.Bernoulli(probs=mg.tensor([0.5])).sample().device == backend


# --- the families added for ported programs (PyTorch's values: torch 2.13, float64) -----------------
FAMILIES = [
    ("Exponential", lambda: D.Exponential(t([2.0, 0.5])), [0.7, 3.0],
     [-0.7068528194400546, -2.1931471805599454], [0.3068528194400547, 1.6931471805599454]),
    ("Laplace", lambda: D.Laplace(t([0.5, -1.0]), t([2.0, 0.3])), [0.1, -0.5],
     [-1.5862943611198905, -1.155841042900676], [2.386294361119891, 0.4891743762340093]),
    ("Cauchy", lambda: D.Cauchy(t([0.0, 1.0]), t([1.0, 2.0])), [0.3, -1.0],
     [-1.2309075820904525, -2.5310242469692907], [2.5310242469692907, 3.224171427529236]),
    ("Gumbel", lambda: D.Gumbel(t([0.0, 1.0]), t([1.0, 2.0])), [0.5, -1.0],
     [-1.1065306597126334, -2.4114290090189905], [1.5772156649015328, 2.270362845461478]),
    ("HalfNormal", lambda: D.HalfNormal(t([1.0, 2.0])), [0.5, 3.0],
     [-0.3507913526447274, -2.0439385332046727], [0.7257913526447274, 1.4189385332046727]),
    ("LogNormal", lambda: D.LogNormal(t([0.0, 0.5]), t([1.0, 0.3])), [1.5, 0.8],
     [-1.4066046182594198, -2.397025487605233], [1.4189385332046727, 0.7149657288787366]),
    ("Gamma", lambda: D.Gamma(t([2.0, 0.7]), t([3.0, 1.1])), [0.4, 2.0],
     [0.08093384546206428, -2.602094274836623], [0.4786033762334232, 0.4995500006179611]),
    ("Chi2", lambda: D.Chi2(t([3.0, 1.5])), [0.4, 2.0],
     [-1.5770838991417502, -1.8964281319912408], [2.0541199559354117, 1.374962912044623]),
    ("Beta", lambda: D.Beta(t([2.0, 0.5]), t([3.0, 1.5])), [0.4, 0.9],
     [0.5469646703818639, -1.5501949939575645], [-0.23490664978800035, -0.5484172947105447]),
    ("StudentT", lambda: D.StudentT(t([3.0, 1.5]), t([0.0, 1.0]), t([1.0, 2.0])), [0.5, -1.0],
     [-1.1609742649705825, -2.4083294950993244], [1.7734775718632918, 2.8428066484045944]),
    ("Dirichlet", lambda: D.Dirichlet(t([1.0, 2.0, 3.0])), [0.2, 0.3, 0.5], 1.5040773967762737,
     -1.2443445622221008),
]


@pytest.mark.parametrize("name, make, value, log_prob, entropy", FAMILIES, ids=[f[0] for f in FAMILIES])
def test_family_log_prob_and_entropy_are_pytorchs(name, make, value, log_prob, entropy):
    d = make()
    close(d.log_prob(t(value)), log_prob)
    close(d.entropy(), entropy)


def test_counting_distributions_log_prob_are_pytorchs():
    close(D.Poisson(t([3.0, 0.5])).log_prob(t([2.0, 0.0])), [-1.4959226032237258, -0.5])
    close(D.Geometric(t([0.3, 1.0])).log_prob(t([2.0, 0.0])), [-1.9173226922034008, 0.0])
    close(D.Geometric(t([0.3, 0.9])).entropy(), [2.0362143401829784, 0.36120330376827575])
    close(D.Binomial(10, t([0.3, 0.9])).log_prob(t([4.0, 10.0])), [-1.6088333502186707, -1.0536051565782643])
    close(D.Binomial(t([5.0, 3.0]), logits=t([0.2, -1.0])).log_prob(t([2.0, 0.0])),
          [-1.2881092539139134, -0.9397850625546686])


def test_multivariate_normal_is_pytorchs_in_each_parametrization():
    m = D.MultivariateNormal(t([0.0, 1.0]), covariance_matrix=t([[2.0, 0.3], [0.3, 1.0]]))
    close(m.log_prob(t([[0.3, -1.0], [1.0, 2.0]])), [-4.373470572255369, -2.7897009387475156])
    close(m.entropy(), 3.161428687438615)
    q = D.MultivariateNormal(t([0.5, -1.0]), precision_matrix=t([[1.0, 0.2], [0.2, 0.5]]))
    close(q.covariance_matrix, [[1.0869565217391304, -0.4347826086956521], [-0.4347826086956521,
                                                                             2.1739130434782603]])
    close(D.kl_divergence(m, q), 1.2997127737202292)
    same = D.MultivariateNormal(t([0.0, 1.0]), scale_tril=m.scale_tril)
    close(same.log_prob(t([0.3, -1.0])), -4.373470572255369)
    assert m.batch_shape == () and m.event_shape == (2,)
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix or "):
        D.MultivariateNormal(t([0.0]), covariance_matrix=t([[1.0]]), scale_tril=t([[1.0]]))


def test_new_kl_pairs_are_pytorchs():
    close(D.kl_divergence(D.Gamma(t(2.0), t(3.0)), D.Gamma(t(1.0), t(0.5))), 0.5478771376598552)
    close(D.kl_divergence(D.Beta(t(2.0), t(3.0)), D.Beta(t(0.5), t(1.5))), 0.43648935507745534)
    dirichlets = D.Dirichlet(t([1.0, 2.0, 3.0])), D.Dirichlet(t([2.0, 2.0, 0.5]))
    close(D.kl_divergence(*dirichlets), 2.537972934304358)
    close(D.kl_divergence(D.Laplace(t(0.5), t(2.0)), D.Laplace(t(0.0), t(1.0))), 0.3644543855828646)
    close(D.kl_divergence(D.Exponential(t(2.0)), D.Exponential(t(1.0))), 0.1931471805599454)
    close(D.kl_divergence(D.Poisson(t(3.0)), D.Poisson(t(1.5))), 0.5794415416798362)


@pytest.mark.parametrize("family", [D.Exponential, D.Laplace, D.Cauchy, D.Gumbel, D.HalfNormal, D.LogNormal])
def test_reparameterised_families_are_differentiable_in_their_parameters(family):
    params = (t(1.5).requires_grad_(),) if family in (D.Exponential, D.HalfNormal) else \
        (t(0.5).requires_grad_(), t(1.5).requires_grad_())
    mg.manual_seed(0)
    x = family(*params).rsample((3,))
    x.sum().backward()
    assert all(p.grad is not None and math.isfinite(p.grad.item()) for p in params)
    value = t([0.7, 1.3])
    assert gradcheck(lambda *ps: family(*ps).log_prob(value), [p.detach().requires_grad_() for p in params])


def test_gamma_family_log_prob_gradients(float64):
    a, b = t(2.0).requires_grad_(), t(3.0).requires_grad_()
    assert gradcheck(lambda a, b: D.Gamma(a, b).log_prob(t([0.4, 2.0])) + D.Gamma(a, b).entropy(), (a, b))
    assert gradcheck(lambda a, b: D.Beta(a, b).log_prob(t([0.4])) + D.Beta(a, b).entropy(), (a, b))
    assert gradcheck(lambda df: D.StudentT(df).log_prob(t([0.5])) + D.StudentT(df).entropy(), (a,))


@pytest.mark.parametrize("make, mean, var", [
    (lambda: D.Gamma(t(2.0), t(3.0)), 2 / 3, 2 / 9),
    (lambda: D.Beta(t(2.0), t(3.0)), 0.4, 0.04),
    (lambda: D.Poisson(t(3.0)), 3.0, 3.0),
    (lambda: D.Binomial(10, t(0.3)), 3.0, 2.1),
    (lambda: D.Geometric(t(0.3)), 7 / 3, 7 / 0.9),
    (lambda: D.Exponential(t(2.0)), 0.5, 0.25),
    (lambda: D.Laplace(t(0.0), t(1.0)), 0.0, 2.0),
    (lambda: D.Gumbel(t(0.0), t(1.0)), 0.5772156649, math.pi ** 2 / 6),
    (lambda: D.StudentT(t(5.0)), 0.0, 5 / 3),
])
def test_sample_moments(make, mean, var):
    mg.manual_seed(0)
    d = make()
    x = d.sample((40000,)).cpu().numpy()
    assert x.mean() == pytest.approx(mean, abs=4 * math.sqrt(var / 40000) + 1e-3)
    assert x.var() == pytest.approx(var, rel=0.06)
    close(d.mean, mean, atol=1e-9)
    close(d.variance, var, atol=1e-9)


def test_dirichlet_samples_lie_on_the_simplex_with_its_mean():
    mg.manual_seed(0)
    x = D.Dirichlet(t([1.0, 2.0, 3.0])).sample((20000,))
    assert x.shape == (20000, 3)
    np.testing.assert_allclose(x.sum(-1).cpu().numpy(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(x.mean(0).cpu().numpy(), [1 / 6, 2 / 6, 3 / 6], atol=0.01)


def test_gamma_family_has_no_rsample():
    with pytest.raises(NotImplementedError, match="Gamma does not support rsample"):
        D.Gamma(t(2.0), t(1.0)).rsample()


def test_new_families_on_the_second_backend(backend):
    d = D.Gamma(mg.tensor([2.0]), mg.tensor([3.0]))
    assert d.sample((5,)).shape == (5, 1)
    assert d.log_prob(mg.tensor([0.4])).item() == pytest.approx(0.08093384546206428, rel=1e-5)
    m = D.MultivariateNormal(mg.zeros(2), scale_tril=mg.tensor([[1.0, 0.0], [0.5, 2.0]]))
    assert m.rsample((3,)).shape == (3, 2)
    assert m.log_prob(mg.tensor([0.3, -1.0])).item() == pytest.approx(-2.74134, rel=1e-5)


def test_mixture_same_family_is_pytorchs():
    mix = D.Categorical(logits=t([[0.2, -0.5, 1.0], [0.0, 0.0, 0.0]]))
    comp = D.Normal(t([[-1.0, 0.5, 2.0], [0.0, 1.0, -2.0]]), t([[0.5, 1.0, 0.3], [1.0, 2.0, 0.5]]))
    gmm = D.MixtureSameFamily(mix, comp)
    close(gmm.log_prob(t([[0.3, -1.2], [1.9, 0.1]])), [[-2.8222947634730318, -1.7430572844365058],
                                                       [-0.2586047035884815, -1.6479467599620454]])
    close(gmm.mean, [0.993887439064828, -0.3333333333333333])
    close(gmm.variance, [1.9602860610192996, 3.3055555555555554])
    assert gmm.batch_shape == (2,) and gmm.event_shape == () and gmm.sample((4,)).shape == (4, 2)


def test_mixture_of_multivariate_components_samples_and_differentiates():
    comp = D.Independent(D.Normal(t([[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]]), t([[1.0, 1.0]] * 3)), 1)
    gmm = D.MixtureSameFamily(D.Categorical(probs=t([0.2, 0.3, 0.5])), comp)
    close(gmm.mean, [0.85, 0.15])
    assert gmm.sample((5,)).shape == (5, 2) and gmm.log_prob(t([[0.1, 0.2]])).shape == (1,)
    mg.manual_seed(0)
    far = D.MixtureSameFamily(D.Categorical(probs=t([0.3, 0.7])), D.Normal(t([-5.0, 5.0]), t([0.1, 0.1])))
    assert (far.sample((20000,)) > 0).double().mean().item() == pytest.approx(0.7, abs=0.02)
    loc = t([0.0, 1.0]).requires_grad_()
    def log_prob(m):
        return D.MixtureSameFamily(D.Categorical(probs=t([0.4, 0.6])), D.Normal(m, t([1.0, 2.0]))).log_prob(
            t([0.3, -1.0]))
    assert gradcheck(log_prob, (loc,))
    with pytest.raises(ValueError, match="needs to be an instance of torch.distributions.Categorical"):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), comp)


def test_transformed_distributions_are_pytorchs():
    T = D.transforms
    base = D.Normal(t([0.0, 0.5]), t([1.0, 2.0]))
    squashed = D.TransformedDistribution(base, [T.TanhTransform(), T.AffineTransform(t(1.0), t(2.0))])
    close(squashed.log_prob(t([0.5, 2.0])), [-1.580165044864036, -2.0178547088564187])
    logit_uniform = D.TransformedDistribution(D.Uniform(t(0.1), t(0.9)), T.SigmoidTransform().inv)
    close(logit_uniform.log_prob(t(0.3)), -1.1855669376228446)
    stretch = T.AffineTransform(t([0.0, 0.0]), t([3.0, 0.5]), event_dim=1)
    scaled = D.TransformedDistribution(D.Independent(base, 1), [stretch])
    close(scaled.log_prob(t([[0.1, 0.2], [1.0, -1.0]])), [-2.9382949106330107, -3.7732949106330107])
    assert scaled.batch_shape == () and scaled.event_shape == (2,)
    log_normal = D.TransformedDistribution(base, T.ExpTransform())
    expected = D.LogNormal(t([0.0, 0.5]), t([1.0, 2.0])).log_prob(t([1.5, 0.3]))
    close(log_normal.log_prob(t([1.5, 0.3])), expected.detach().cpu().numpy())


def test_transforms_invert_compose_and_reparameterise():
    T = D.transforms
    compose = T.ComposeTransform([T.AffineTransform(t(0.5), t(2.0)), T.ExpTransform()])
    x = t([0.2, -0.3])
    y = compose(x)
    close(y, np.exp(0.5 + 2 * np.array([0.2, -0.3])))
    close(compose.inv(y), [0.2, -0.3])
    close(compose.log_abs_det_jacobian(x, y), math.log(2.0) + 0.5 + 2 * np.array([0.2, -0.3]))
    mu = t([0.1, 0.2]).requires_grad_()
    d = D.TransformedDistribution(D.Normal(mu, t([1.0, 1.0])), [T.TanhTransform()])
    assert d.has_rsample and float(d.rsample((100,)).abs().max()) < 1
    assert gradcheck(lambda m: D.TransformedDistribution(D.Normal(m, t([1.0, 1.0])), [T.TanhTransform()])
                     .log_prob(t([0.3, -0.4])), (mu,))


def test_relaxed_distributions_are_pytorchs():
    relaxed = D.RelaxedBernoulli(t([0.5, 2.0]), probs=t([0.3, 0.8]))
    close(relaxed.log_prob(t([0.2, 0.9])), [-0.25279481345134047, -0.003466207976486224])
    one_hot = D.RelaxedOneHotCategorical(t(0.7), logits=t([[0.1, 1.0, -0.5], [0.0, 0.0, 2.0]]))
    close(one_hot.log_prob(t([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])), [-0.1278486646551471, 1.4084627375306331])
    assert one_hot.batch_shape == (2,) and one_hot.event_shape == (3,)
    assert one_hot.rsample((4,)).shape == (4, 2, 3)
    mg.manual_seed(0)
    draws = D.RelaxedOneHotCategorical(t(0.1), probs=t([0.2, 0.8])).sample((20000,))
    np.testing.assert_allclose(draws.sum(-1).cpu().numpy(), 1.0, rtol=1e-9)
    assert (draws[:, 1] > 0.5).double().mean().item() == pytest.approx(0.8, abs=0.02)
    logits = t([0.3, -0.2, 1.0]).requires_grad_()
    assert gradcheck(lambda z: D.RelaxedOneHotCategorical(t(0.5), logits=z).log_prob(t([0.2, 0.3, 0.5])),
                     (logits,))
