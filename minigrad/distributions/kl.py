"""``kl_divergence(p, q)`` = E_p[log p(x) - log q(x)], in closed form for pairs of one family."""

from .. import linalg
from ..ops.elementwise import where
from ..ops.transcendental import Polygamma
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .continuous import Beta, Dirichlet, Exponential, Gamma, Laplace, LogNormal
from .discrete import Poisson
from .independent import Independent
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .uniform import Uniform

_KL = {}


def register_kl(type_p, type_q):
    """Decorator: ``fn(p, q)`` computes KL(p ‖ q) for distributions of these two types."""
    def decorate(fn):
        _KL[type_p, type_q] = fn
        return fn
    return decorate


def kl_divergence(p, q):
    """KL(p ‖ q) for each batch element (differentiable in both distributions' parameters).

    >>> import minigrad as mg
    >>> D = mg.distributions
    >>> round(D.kl_divergence(D.Normal(0.0, 1.0), D.Normal(1.0, 1.0)).item(), 4)
    0.5
    """
    fn = _KL.get((type(p), type(q)))
    if fn is None:
        raise NotImplementedError(f"kl_divergence: no closed form registered for {type(p).__name__} and "
                                  f"{type(q).__name__}")
    return fn(p, q)


@register_kl(Normal, Normal)
def _kl_normal_normal(p, q):
    """log(σq/σp) + (σp² + (μp - μq)²)/(2σq²) - ½."""
    var_ratio = (p.scale / q.scale) ** 2
    t1 = ((p.loc - q.loc) / q.scale) ** 2
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p, q):
    """Σ pₖ (log pₖ - log qₖ), terms with pₖ = 0 contributing 0."""
    t = p.probs * (p.logits - q.logits)
    return t.masked_fill(p.probs == 0, 0.0).sum(-1)


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehot_onehot(p, q):
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p, q):
    """p log(p/q) + (1-p) log((1-p)/(1-q)), in logits: stable near 0 and 1."""
    return p.probs * (p.logits - q.logits) + q.logits.softplus() - p.logits.softplus()


@register_kl(Independent, Independent)
def _kl_independent_independent(p, q):
    """The base distributions' KL summed over the reinterpreted axes (the values are independent)."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise NotImplementedError("kl_divergence: Independent distributions with different "
                                  "reinterpreted_batch_ndims")
    return p._sum_rightmost(kl_divergence(p.base_dist, q.base_dist))


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p, q):
    """log((hq - lq)/(hp - lp)) when [lp, hp) ⊆ [lq, hq), else infinite."""
    inside = (q.low <= p.low) & (p.high <= q.high)
    return where(inside, ((q.high - q.low) / (p.high - p.low)).log(), float("inf"))


@register_kl(LogNormal, LogNormal)
def _kl_lognormal_lognormal(p, q):
    """The KL of the underlying normals (exp is one-to-one)."""
    return _kl_normal_normal(p, q)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p, q):
    """λq/λp - 1 - log(λq/λp)."""
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p, q):
    """log(bq/bp) + |μp - μq|/bq + (bp/bq) e^(-|μp - μq|/bp) - 1."""
    scale_ratio = p.scale / q.scale
    distance = (p.loc - q.loc).abs()
    return -scale_ratio.log() + distance / q.scale + scale_ratio * (-distance / p.scale).exp() - 1


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    """λp log(λp/λq) - (λp - λq)."""
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p, q):
    """αq log(βp/βq) + log Γ(αq) - log Γ(αp) + (αp - αq)ψ(αp) + (βq - βp)αp/βp."""
    return (q.concentration * (p.rate / q.rate).log() + q.concentration.lgamma() - p.concentration.lgamma()
            + (p.concentration - q.concentration) * Polygamma.apply(p.concentration, n=0)
            + (q.rate - p.rate) * p.concentration / p.rate)


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p, q):
    """log Γ(Σαp) - log Γ(Σαq) - Σ(log Γ(αp) - log Γ(αq)) + Σ(αp - αq)(ψ(αp) - ψ(Σαp))."""
    sum_p, sum_q = p.concentration.sum(-1), q.concentration.sum(-1)
    digammas = Polygamma.apply(p.concentration, n=0) - Polygamma.apply(sum_p, n=0).unsqueeze(-1)
    return (sum_p.lgamma() - sum_q.lgamma() - (p.concentration.lgamma() - q.concentration.lgamma()).sum(-1)
            + ((p.concentration - q.concentration) * digammas).sum(-1))


@register_kl(Beta, Beta)
def _kl_beta_beta(p, q):
    return _kl_dirichlet_dirichlet(p._dirichlet, q._dirichlet)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    """½(tr(Σq⁻¹Σp) + (μq - μp)ᵀΣq⁻¹(μq - μp) - k + log det Σq - log det Σp), through Lq⁻¹."""
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with different event shapes "
                         "cannot be computed")
    k = p.event_shape[0]
    lq, lp = q.scale_tril, p.scale_tril
    shape = lq.shape if len(lq.shape) >= len(lp.shape) else lp.shape
    lq, lp = lq.expand(shape), lp.expand(shape)
    trace = (linalg.solve(lq, lp) ** 2).sum((-2, -1))
    mahalanobis = (linalg.solve(lq, (q.loc - p.loc).expand(shape[:-1]).unsqueeze(-1)) ** 2).sum((-2, -1))
    return q._half_log_det() - p._half_log_det() + 0.5 * (trace + mahalanobis - k)
