"""``kl_divergence(p, q)`` = E_p[log p(x) - log q(x)], in closed form for pairs of one family."""

from ..ops.elementwise import where
from .bernoulli import Bernoulli
from .categorical import Categorical, OneHotCategorical
from .independent import Independent
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
