"""Univariate continuous distributions beyond Normal and Uniform: Exponential, Laplace, Cauchy,
Gumbel, HalfNormal, LogNormal (reparameterised: ``rsample`` is differentiable), and Gamma, Chi2,
Beta, StudentT and the multivariate Dirichlet (``sample`` only: PyTorch differentiates their
draws implicitly, minigrad does not). Formulas are PyTorch's.
"""

import math

from ..dtypes import finfo
from ..ops.elementwise import where
from ..ops.transcendental import Polygamma
from ..random import rand, randn
from .distribution import HALF_LOG_2PI, Distribution, broadcast_params, draw

_EULER = 0.57721566490153286060


def _uniform(d, sample_shape, low=0.0, high=1.0):
    like = d._param
    return low + (high - low) * rand(d._extended_shape(sample_shape), dtype=like.dtype, device=like.device)


def _digamma(x):
    return Polygamma.apply(x, n=0)


class Exponential(Distribution):
    """p(x) = λe^(-λx) for x ≥ 0; ``rsample`` x = -log(u)/λ.

    log p = log λ - λx;  entropy = 1 - log λ;  mean = 1/λ, variance = 1/λ².

    >>> import minigrad as mg
    >>> round(mg.distributions.Exponential(mg.tensor(2.0)).log_prob(mg.tensor(0.5)).item(), 4)
    -0.3069
    """

    has_rsample = True
    arg_constraints = {"rate": "positive"}

    def __init__(self, rate, validate_args=None):
        (self.rate,), shape = broadcast_params(rate)
        self._param = self.rate
        super().__init__(shape, (), validate_args)
        self._check("rate", self.rate > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: 1 / self.rate)
    mode = property(lambda self: self.rate * 0)
    variance = property(lambda self: self.rate ** -2)
    stddev = property(lambda self: 1 / self.rate)

    def rsample(self, sample_shape=()):
        u = _uniform(self, sample_shape).clamp(min=finfo(self.rate.dtype).tiny)
        return -u.log() / self.rate

    def log_prob(self, value):
        self._check_value(value >= 0, "GreaterThanEq(lower_bound=0.0)")
        return self.rate.log() - self.rate * value

    def entropy(self):
        return 1.0 - self.rate.log()

    def cdf(self, value):
        return 1 - (-self.rate * value).exp()

    def icdf(self, value):
        return -(-value).log1p() / self.rate


class Laplace(Distribution):
    """p(x) = e^(-|x - μ|/b) / (2b); ``rsample`` x = μ - b·sign(u)·log(1 - |u|), u ~ U(-1, 1).

    log p = -log 2b - |x - μ|/b;  entropy = 1 + log 2b;  variance = 2b².
    """

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), shape = broadcast_params(loc, scale)
        self._param = self.loc
        super().__init__(shape, (), validate_args)
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: self.loc)
    mode = property(lambda self: self.loc)
    variance = property(lambda self: 2 * self.scale ** 2)
    stddev = property(lambda self: math.sqrt(2) * self.scale)

    def rsample(self, sample_shape=()):
        u = _uniform(self, sample_shape, finfo(self.loc.dtype).eps - 1, 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value):
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def entropy(self):
        return 1 + (2 * self.scale).log()

    def cdf(self, value):
        return 0.5 - 0.5 * (value - self.loc).sign() * (-(value - self.loc).abs() / self.scale).expm1()


class Cauchy(Distribution):
    """p(x) = 1 / (πγ(1 + ((x - x₀)/γ)²)); ``rsample`` x = x₀ + γ·tan(π(u - ½)).

    log p = -log π - log γ - log1p(((x - x₀)/γ)²);  entropy = log 4π + log γ; no finite mean.
    """

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), shape = broadcast_params(loc, scale)
        self._param = self.loc
        super().__init__(shape, (), validate_args)
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: self.loc * math.nan)
    mode = property(lambda self: self.loc)
    variance = property(lambda self: self.loc * 0 + math.inf)

    def rsample(self, sample_shape=()):
        return self.loc + self.scale * (math.pi * (_uniform(self, sample_shape) - 0.5)).tan()

    def log_prob(self, value):
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def entropy(self):
        return math.log(4 * math.pi) + self.scale.log()

    def cdf(self, value):
        return ((value - self.loc) / self.scale).atan() / math.pi + 0.5


class Gumbel(Distribution):
    """The type-I extreme value distribution; ``rsample`` x = μ - β log(-log u).

    log p = -(z + e^(-z)) - log β, z = (x - μ)/β;  entropy = log β + 1 + γ (Euler's constant);
    mean = μ + βγ, variance = π²β²/6.
    """

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), shape = broadcast_params(loc, scale)
        self._param = self.loc
        super().__init__(shape, (), validate_args)
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: self.loc + self.scale * _EULER)
    mode = property(lambda self: self.loc)
    variance = property(lambda self: (math.pi ** 2 / 6) * self.scale ** 2)

    def rsample(self, sample_shape=()):
        info = finfo(self.loc.dtype)
        u = _uniform(self, sample_shape).clamp(info.tiny, 1 - info.eps)
        return self.loc - self.scale * (-u.log()).log()

    def log_prob(self, value):
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    def entropy(self):
        return self.scale.log() + (1 + _EULER)


class HalfNormal(Distribution):
    """|X| for X ~ N(0, σ²); ``rsample`` |σε|.

    log p = log N(x; 0, σ²) + log 2 for x ≥ 0 (-inf below);  mean = σ√(2/π), variance = σ²(1 - 2/π).
    """

    has_rsample = True
    arg_constraints = {"scale": "positive"}

    def __init__(self, scale, validate_args=None):
        (self.scale,), shape = broadcast_params(scale)
        self._param = self.scale
        super().__init__(shape, (), validate_args)
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: self.scale * math.sqrt(2 / math.pi))
    mode = property(lambda self: self.scale * 0)
    variance = property(lambda self: self.scale ** 2 * (1 - 2 / math.pi))

    def rsample(self, sample_shape=()):
        eps = randn(self._extended_shape(sample_shape), dtype=self.scale.dtype, device=self.scale.device)
        return (self.scale * eps).abs()

    def log_prob(self, value):
        log_p = -(value ** 2) / (2 * self.scale ** 2) - self.scale.log() - HALF_LOG_2PI + math.log(2)
        return where(value >= 0, log_p, -math.inf)

    def entropy(self):
        return 0.5 + HALF_LOG_2PI + self.scale.log() - math.log(2)

    def cdf(self, value):
        return (value / (self.scale * math.sqrt(2))).erf()


class LogNormal(Distribution):
    """exp(X) for X ~ N(μ, σ²); ``rsample`` exp(μ + σε).

    log p = log N(log x; μ, σ²) - log x;  entropy = ½ + ½ log 2π + log σ + μ;
    mean = e^(μ + σ²/2), variance = (e^(σ²) - 1) e^(2μ + σ²).
    """

    has_rsample = True
    arg_constraints = {"loc": "real", "scale": "positive"}

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), shape = broadcast_params(loc, scale)
        self._param = self.loc
        super().__init__(shape, (), validate_args)
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: (self.loc + self.scale ** 2 / 2).exp())
    mode = property(lambda self: (self.loc - self.scale ** 2).exp())
    variance = property(lambda self: (self.scale ** 2).expm1() * (2 * self.loc + self.scale ** 2).exp())

    def rsample(self, sample_shape=()):
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype, device=self.loc.device)
        return (self.loc + self.scale * eps).exp()

    def log_prob(self, value):
        log_x = value.log()
        return -((log_x - self.loc) ** 2) / (2 * self.scale ** 2) - self.scale.log() - HALF_LOG_2PI - log_x

    def entropy(self):
        return 0.5 + HALF_LOG_2PI + self.scale.log() + self.loc


class Gamma(Distribution):
    """Γ(α, β) with ``concentration`` α and ``rate`` β: p(x) = βᵅ x^(α-1) e^(-βx) / Γ(α).

    log p = α log β + (α - 1) log x - βx - log Γ(α);  entropy = α - log β + log Γ(α) + (1 - α)ψ(α);
    mean = α/β, variance = α/β². ``sample`` only.
    """

    arg_constraints = {"concentration": "positive", "rate": "positive"}

    def __init__(self, concentration, rate, validate_args=None):
        (self.concentration, self.rate), shape = broadcast_params(concentration, rate)
        self._param = self.rate
        super().__init__(shape, (), validate_args)
        self._check("concentration", self.concentration > 0, "GreaterThan(lower_bound=0.0)")
        self._check("rate", self.rate > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: self.concentration / self.rate)
    mode = property(lambda self: ((self.concentration - 1) / self.rate).clamp(min=0))
    variance = property(lambda self: self.concentration / self.rate ** 2)

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        x = draw("gamma", shape, self.rate, alpha=self.concentration) / self.rate.detach()
        return x.clamp(min=finfo(x.dtype).tiny)

    def log_prob(self, value):
        a, b = self.concentration, self.rate
        return a.xlogy(b) + (a - 1).xlogy(value) - b * value - a.lgamma()

    def entropy(self):
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1 - a) * _digamma(a)

    def cdf(self, value):
        raise NotImplementedError("Gamma.cdf needs the regularized incomplete gamma function, which minigrad "
                                  "does not have")


class Chi2(Gamma):
    """χ²(ν) = Γ(ν/2, ½)."""

    arg_constraints = {"df": "positive"}

    def __init__(self, df, validate_args=None):
        (df,), _ = broadcast_params(df)
        super().__init__(0.5 * df, 0.5 * df.new_ones(df.shape), validate_args)

    df = property(lambda self: self.concentration * 2)


class Dirichlet(Distribution):
    """Dir(α) on the simplex of the last axis of ``concentration``; draws Γ(αᵢ, 1) normalised.

    log p = Σ (αᵢ - 1) log xᵢ + log Γ(Σα) - Σ log Γ(αᵢ);  entropy = Σ log Γ(αᵢ) - log Γ(α₀)
    - (K - α₀)ψ(α₀) - Σ (αᵢ - 1)ψ(αᵢ), α₀ = Σα. ``sample`` only.
    """

    arg_constraints = {"concentration": "independent(positive, 1)"}

    def __init__(self, concentration, validate_args=None):
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        self._param = concentration
        super().__init__(tuple(concentration.shape[:-1]), tuple(concentration.shape[-1:]), validate_args)
        self._check("concentration", concentration > 0,
                    "IndependentConstraint(GreaterThan(lower_bound=0.0), 1)")

    mean = property(lambda self: self.concentration / self.concentration.sum(-1, keepdim=True))

    @property
    def variance(self):
        total = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (total - self.concentration) / (total ** 2 * (total + 1))

    def sample(self, sample_shape=()):
        x = draw("gamma", self._extended_shape(sample_shape), self.concentration, alpha=self.concentration)
        x = x.clamp(min=finfo(x.dtype).tiny)
        return x / x.sum(-1, keepdim=True)

    def log_prob(self, value):
        a = self.concentration
        return (a - 1).xlogy(value).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1)

    def entropy(self):
        a = self.concentration
        k, total = a.shape[-1], a.sum(-1)
        return (a.lgamma().sum(-1) - total.lgamma() - (k - total) * _digamma(total)
                - ((a - 1.0) * _digamma(a)).sum(-1))


class Beta(Distribution):
    """Beta(α = ``concentration1``, β = ``concentration0``) on [0, 1]: Dirichlet((α, β))'s first
    coordinate. log p = (α - 1) log x + (β - 1) log(1 - x) - log B(α, β). ``sample`` only."""

    arg_constraints = {"concentration1": "positive", "concentration0": "positive"}

    def __init__(self, concentration1, concentration0, validate_args=None):
        (self.concentration1, self.concentration0), shape = broadcast_params(concentration1, concentration0)
        self._param = self.concentration1
        super().__init__(shape, (), validate_args)
        self._dirichlet = Dirichlet(_stack_last(self.concentration1, self.concentration0), validate_args)

    mean = property(lambda self: self.concentration1 / (self.concentration1 + self.concentration0))

    @property
    def variance(self):
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total ** 2 * (total + 1))

    def sample(self, sample_shape=()):
        return self._dirichlet.sample(sample_shape)[..., 0]

    def log_prob(self, value):
        return self._dirichlet.log_prob(_stack_last(value, 1 - value))

    def entropy(self):
        return self._dirichlet.entropy()


def _stack_last(a, b):
    from ..ops.movement import stack
    a, b = broadcast_params(a, b)[0]
    return stack([a, b], -1)


class StudentT(Distribution):
    """Student's t with ``df`` ν, ``loc`` μ, ``scale`` σ; draws μ + σ·ε·√(ν/χ²ᵥ). ``sample`` only.

    log p = -½(ν + 1) log(1 + y²/ν) - log σ - ½ log ν - ½ log π - log Γ(ν/2) + log Γ((ν + 1)/2),
    y = (x - μ)/σ.
    """

    arg_constraints = {"df": "positive", "loc": "real", "scale": "positive"}

    def __init__(self, df, loc=0.0, scale=1.0, validate_args=None):
        (self.df, self.loc, self.scale), shape = broadcast_params(df, loc, scale)
        self._param = self.loc
        super().__init__(shape, (), validate_args)
        self._check("df", self.df > 0, "GreaterThan(lower_bound=0.0)")
        self._check("scale", self.scale > 0, "GreaterThan(lower_bound=0.0)")

    mean = property(lambda self: where(self.df > 1, self.loc, math.nan))
    mode = property(lambda self: self.loc)

    @property
    def variance(self):
        var = self.scale ** 2 * self.df / (self.df - 2)
        return where(self.df > 2, var, where(self.df > 1, var * 0 + math.inf, math.nan))

    def sample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        chi2 = 2 * draw("gamma", shape, self.df, alpha=0.5 * self.df)
        eps = randn(shape, dtype=self.df.dtype, device=self.df.device)
        return (self.loc + self.scale * eps * (self.df / chi2).sqrt()).detach()

    def log_prob(self, value):
        y = (value - self.loc) / self.scale
        z = (self.scale.log() + 0.5 * self.df.log() + 0.5 * math.log(math.pi) + (0.5 * self.df).lgamma()
             - (0.5 * (self.df + 1.0)).lgamma())
        return -0.5 * (self.df + 1.0) * (y ** 2 / self.df).log1p() - z

    def entropy(self):
        half = 0.5 * self.df
        lbeta = half.lgamma() + math.lgamma(0.5) - (half + 0.5).lgamma()
        return (self.scale.log() + (self.df + 1) * 0.5 * (_digamma(half + 0.5) - _digamma(half))
                + 0.5 * self.df.log() + lbeta)
