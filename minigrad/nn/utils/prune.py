"""``nn.utils.prune``: zero a fraction of a parameter through a mask, as PyTorch's pruning tutorial.

Pruning ``module.weight`` moves the parameter to ``weight_orig``, adds the buffer ``weight_mask``
and a forward pre-hook that sets ``module.weight = weight_orig * weight_mask`` (so gradients reach
only the kept entries). Pruning again prunes among the entries still kept; ``remove`` makes the
pruned weight a plain parameter again. ``amount`` is a fraction in [0, 1] or a count.
"""

import numbers

from ...autograd.grad_mode import no_grad
from ...random import rand_like
from ..parameter import Parameter


def _validate_amount(amount, size):
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real) or amount < 0 or (
            isinstance(amount, float) and amount > 1):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative "
                         "integer")
    if isinstance(amount, numbers.Integral) and amount > size:
        raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
    return int(round(amount * size)) if isinstance(amount, float) else int(amount)


def _channel_norms(t, n, dim):
    dims = tuple(d for d in range(t.ndim) if d != dim)
    return t.norm(n, dim=dims) if dims else t.abs()


class BasePruningMethod:
    """A pruning rule: ``compute_mask(t, default_mask)`` returns the new mask (1 keep, 0 prune)."""

    PRUNING_TYPE = "unstructured"

    def compute_mask(self, t, default_mask):
        raise NotImplementedError

    def __call__(self, module, inputs):
        setattr(module, self._tensor_name, self.apply_mask(module))

    def apply_mask(self, module):
        return getattr(module, self._tensor_name + "_orig") * getattr(module, self._tensor_name + "_mask")

    @classmethod
    def apply(cls, module, name, *args, importance_scores=None, **kwargs):
        method = cls(*args, **kwargs)
        method._tensor_name = name
        hooks = [(key, hook) for key, hook in module._forward_pre_hooks.items()
                 if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
        if hooks:  # pruned before: prune among the entries the current mask keeps
            key, old = hooks[0]
            del module._forward_pre_hooks[key]
            orig, mask = getattr(module, name + "_orig"), getattr(module, name + "_mask")
        else:
            orig = module._parameters[name]
            del module._parameters[name]
            module.register_parameter(name + "_orig", orig)
            mask = orig.detach().new_ones(orig.shape)
            module.register_buffer(name + "_mask", mask)
        scores = (orig if importance_scores is None else importance_scores).detach()
        with no_grad():
            combine = hooks and not isinstance(method, CustomFromMask)  # a given mask covers every entry
            new_mask = _combine(method, scores, mask) if combine else method.compute_mask(scores, mask)
            mask.copy_(new_mask)
        module.__dict__.pop(name, None)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def remove(self, module):
        with no_grad():
            weight = self.apply_mask(module).detach()
        name = self._tensor_name
        del module._parameters[name + "_orig"], module._buffers[name + "_mask"]
        module.__dict__.pop(name, None)
        module.register_parameter(name, Parameter(weight))


def _combine(method, t, mask):
    """The method's mask computed on the entries (channels) ``mask`` still keeps, merged into it."""
    if method.PRUNING_TYPE == "unstructured":
        kept = mask == 1
        new = mask.clone()
        new[kept] = method.compute_mask(t[kept], mask[kept])
        return new
    dim = method.dim % t.ndim
    alive = mask.sum(tuple(d for d in range(t.ndim) if d != dim)) != 0
    index = alive.nonzero(as_tuple=True)[0]
    partial = method.compute_mask(t.index_select(dim, index), mask.index_select(dim, index))
    return mask.index_copy(dim, index, partial)


class Identity(BasePruningMethod):
    """Prunes nothing: a mask of ones."""

    def compute_mask(self, t, default_mask):
        return default_mask


class RandomUnstructured(BasePruningMethod):
    """Prunes ``amount`` entries chosen at random."""

    def __init__(self, amount):
        self.amount = amount

    def compute_mask(self, t, default_mask):
        k = _validate_amount(self.amount, t.numel())
        mask = default_mask.clone()
        if k:
            drop = rand_like(t).reshape(-1).topk(k).indices
            mask.view(-1)[drop] = 0
        return mask


class L1Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest absolute value."""

    def __init__(self, amount):
        self.amount = amount

    def compute_mask(self, t, default_mask):
        k = _validate_amount(self.amount, t.numel())
        mask = default_mask.clone()
        if k:
            drop = t.abs().reshape(-1).topk(k, largest=False).indices
            mask.view(-1)[drop] = 0
        return mask


class RandomStructured(BasePruningMethod):
    """Prunes ``amount`` whole channels along ``dim``, chosen at random."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim=-1):
        self.amount, self.dim = amount, dim

    def compute_mask(self, t, default_mask):
        dim = self.dim % t.ndim
        keep = t.shape[dim] - _validate_amount(self.amount, t.shape[dim])
        scores = rand_like(t.reshape(-1)[:t.shape[dim]])
        return _keep_channels(default_mask, dim, scores.topk(keep).indices)


class LnStructured(BasePruningMethod):
    """Prunes the ``amount`` channels along ``dim`` of smallest L``n`` norm."""

    PRUNING_TYPE = "structured"

    def __init__(self, amount, n, dim=-1):
        self.amount, self.n, self.dim = amount, n, dim

    def compute_mask(self, t, default_mask):
        dim = self.dim % t.ndim
        keep = t.shape[dim] - _validate_amount(self.amount, t.shape[dim])
        return _keep_channels(default_mask, dim, _channel_norms(t, self.n, dim).topk(keep).indices)


def _keep_channels(default_mask, dim, kept):
    keep = default_mask.new_zeros((default_mask.shape[dim],))
    keep[kept] = 1
    return default_mask * keep.reshape(tuple(-1 if d == dim else 1 for d in range(default_mask.ndim)))


class CustomFromMask(BasePruningMethod):
    """Prunes where the given ``mask`` is 0."""

    def __init__(self, mask):
        self.mask = mask

    def compute_mask(self, t, default_mask):
        return default_mask * self.mask.type(default_mask.dtype)


def identity(module, name):
    Identity.apply(module, name)
    return module


def random_unstructured(module, name, amount):
    """Prune ``amount`` random entries of ``module.<name>``."""
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name, amount, importance_scores=None):
    """Prune the ``amount`` entries of ``module.<name>`` of smallest |value| (or importance score).

    >>> import minigrad as mg
    >>> layer = l1_unstructured(mg.nn.Linear(4, 2), "weight", amount=0.5)
    >>> int((layer.weight == 0).sum())
    4
    """
    L1Unstructured.apply(module, name, amount, importance_scores=importance_scores)
    return module


def random_structured(module, name, amount, dim):
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name, amount, n, dim, importance_scores=None):
    """Prune the ``amount`` channels along ``dim`` of smallest L``n`` norm."""
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name, mask):
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs):
    """Prune across several ``(module, name)`` pairs at once: the method's mask on all their kept
    entries together (e.g. the globally smallest 20% with ``L1Unstructured``)."""
    from ...ops.movement import cat
    parameters = list(parameters)
    importance_scores = importance_scores or {}
    scores, masks = [], []
    for module, name in parameters:
        score = importance_scores.get((module, name), getattr(module, name)).detach()
        mask = getattr(module, name + "_mask", None)
        scores.append(score.reshape(-1))
        masks.append((mask if mask is not None else score.new_ones(score.shape)).reshape(-1))
    flat_scores, flat_mask = cat(scores), cat(masks)
    method = pruning_method(**kwargs)
    with no_grad():
        final = _combine(method, flat_scores, flat_mask) if method.PRUNING_TYPE == "unstructured" else \
            method.compute_mask(flat_scores, flat_mask)
    start = 0
    for (module, name), score in zip(parameters, scores):
        n = score.numel()
        custom_from_mask(module, name, final[start:start + n].reshape(getattr(module, name).shape))
        start += n


def remove(module, name):
    """Make the pruned ``module.<name>`` a plain parameter (the masked values) and drop the mask."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module):
    """Whether any submodule of ``module`` has a pruning hook."""
    return any(isinstance(hook, BasePruningMethod) for m in module.modules()
               for hook in m._forward_pre_hooks.values())
