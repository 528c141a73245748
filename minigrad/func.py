"""``mg.func``: the function transforms of ``torch.func`` that reverse-mode autograd gives directly
(``grad``, ``grad_and_value``, ``vjp``, ``jacrev``, ``hessian``) and ``functional_call``.
There is no ``vmap``: minigrad does not batch a function over an axis; write the batch axis in."""

from .autograd.functional import grad_or_zeros
from .nn.utils.stateless import functional_call  # noqa: F401
from .ops.movement import stack
from .tensor import Tensor


def _track(x):
    """x as a tensor gradients are taken with respect to: itself inside an outer transform (so
    transforms nest: ``grad(grad(f))``), else a detached copy that requires grad."""
    return x if x.requires_grad else x.detach().requires_grad_(True)


def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning ``(∂func/∂args[argnums], func(*args))`` for a scalar ``func``
    (``((grads), (value, aux))`` with ``has_aux``)."""
    def wrapper(*args, **kwargs):
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        args = list(args)
        nested = any(args[i].requires_grad for i in nums)  # inside an outer transform
        for i in nums:
            args[i] = _track(args[i])
        out = func(*args, **kwargs)
        value, aux = (out[0], out[1]) if has_aux else (out, None)
        if not isinstance(value, Tensor) or value.numel() != 1:
            raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor")
        grads = grad_or_zeros(value, [args[i] for i in nums], create_graph=nested)
        if not nested:
            grads, value = tuple(g.detach() for g in grads), value.detach()
            aux = aux.detach() if isinstance(aux, Tensor) else aux
        grads = grads[0] if isinstance(argnums, int) else grads
        return (grads, (value, aux)) if has_aux else (grads, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """A function returning ∂func/∂args[argnums] (and the aux output with ``has_aux``); nest it for
    higher derivatives: ``grad(grad(f))``.

    >>> import minigrad as mg
    >>> mg.func.grad(lambda x: (x ** 3).sum())(mg.tensor([2.0])).tolist()
    [12.0]
    """
    def wrapper(*args, **kwargs):
        grads, value = grad_and_value(func, argnums, has_aux)(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


def vjp(func, *primals):
    """``(func(*primals), vjp_fn)`` with ``vjp_fn(v)`` the tuple vᵀJ, one entry per primal."""
    xs = tuple(_track(p) for p in primals)
    out = func(*xs)

    def vjp_fn(v):
        return grad_or_zeros(out, xs, v, retain_graph=True, create_graph=True)
    return out, vjp_fn


def jacrev(func, argnums=0):
    """A function returning the Jacobian of ``func`` with respect to ``args[argnums]``: shape
    output shape + input shape, one reverse pass per output element."""
    def wrapper(*args):
        args = list(args)
        x = args[argnums] = _track(args[argnums])
        out = func(*args)
        rows = []
        for k in range(out.numel()):
            rows.extend(grad_or_zeros(out.reshape(-1)[k], (x,), retain_graph=True, create_graph=True))
        return stack(rows).reshape(tuple(out.shape) + tuple(x.shape)) if rows else \
            x.new_zeros(tuple(out.shape) + tuple(x.shape))
    return wrapper


def hessian(func, argnums=0):
    """A function returning the Hessian of the scalar ``func`` with respect to ``args[argnums]``."""
    return jacrev(jacrev(func, argnums), argnums)
