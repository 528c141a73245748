"""Higher-level derivatives built from ``grad``: Jacobians, Hessians, vector products."""

from ..tensor import Tensor


def _tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _prepare(inputs):
    return tuple(x.detach().requires_grad_(True) for x in _tuple(inputs))


def vjp(func, inputs, v=None, create_graph=False):
    """``(func(inputs), vᵀ J)``."""
    from . import grad
    single = isinstance(inputs, Tensor)
    xs = _prepare(inputs)
    out = func(*xs)
    grads = grad(out, xs, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    grads = tuple(g if g is not None else x * 0 for g, x in zip(grads, xs))
    return out if create_graph else out.detach(), grads[0] if single else grads


def jacobian(func, inputs, create_graph=False):
    """J[i..., j...] = ∂ func(inputs)[i...] / ∂ inputs[j...]; a tuple per input when given several."""
    from ..ops.movement import stack
    from . import grad
    single = isinstance(inputs, Tensor)
    xs = _prepare(inputs)
    out = func(*xs)
    flat = out.reshape(-1)
    rows = [[] for _ in xs]
    for k in range(flat.numel()):
        gs = grad(flat[k], xs, retain_graph=True, create_graph=create_graph, allow_unused=True)
        for row, g, x in zip(rows, gs, xs):
            row.append(g if g is not None else x.detach() * 0)
    jac = tuple(stack(row).reshape(tuple(out.shape) + tuple(x.shape)) if row
                else x.detach().reshape(tuple(out.shape) + tuple(x.shape)) for row, x in zip(rows, xs))
    return jac[0] if single else jac


def hessian(func, inputs, create_graph=False):
    """H = ∂² func / ∂x² for a scalar ``func`` (the Jacobian of its gradient)."""
    from . import grad

    def gradient(*xs):
        (g,) = grad(func(*xs), xs[0], create_graph=True)
        return g

    if not isinstance(inputs, Tensor):
        raise NotImplementedError("hessian: pass a single input tensor")
    return jacobian(gradient, inputs, create_graph=create_graph)


def hvp(func, inputs, v, create_graph=False):
    """``(func(x), H v)`` by double backprop: the gradient of (∇f · v), never forming H.

    >>> import minigrad as mg
    >>> f = lambda x: (x ** 3).sum()          # H = diag(6x)
    >>> hvp(f, mg.tensor([1.0, 2.0]), mg.tensor([1.0, 1.0]))[1]
    tensor([ 6., 12.])"""
    from . import grad
    single = isinstance(inputs, Tensor)
    xs = _prepare(inputs)
    vs = _tuple(v)
    out = func(*xs)
    grads = grad(out, xs, create_graph=True)
    dot = sum((g * u).sum() for g, u in zip(grads, vs))
    hv = grad(dot, xs, create_graph=create_graph, allow_unused=True)
    hv = tuple(h if h is not None else x.detach() * 0 for h, x in zip(hv, xs))
    return out.detach(), hv[0] if single else hv


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``, the forward-mode product computed in reverse mode by the
    double-backward trick: with u a dummy cotangent, g(u) = uᵀJ is linear in u and ∂(g(u)·v)/∂u = J v.

    >>> import minigrad as mg
    >>> jvp(lambda x: x ** 2, mg.tensor([1.0, 3.0]), mg.tensor([1.0, 1.0]))[1]
    tensor([2., 6.])"""
    from . import grad
    xs = _prepare(inputs)
    if v is None:
        if any(x.numel() != 1 for x in xs):
            raise RuntimeError("The vector v can only be None if the input to the user-provided function "
                               "is a single Tensor with a single element.")
        v = tuple(x.detach() * 0 + 1 for x in xs)
    vs = _tuple(v)
    out = func(*xs)
    outs = _tuple(out)
    dummies = tuple((o.detach() * 0).requires_grad_(True) for o in outs)
    vjps = grad(outs, xs, grad_outputs=dummies, create_graph=True, allow_unused=True)
    dot = sum((g * u).sum() for g, u in zip(vjps, vs) if g is not None)
    if not isinstance(dot, Tensor):  # the outputs do not depend on the inputs
        jv = tuple(o.detach() * 0 for o in outs)
    else:
        jv = grad(dot, dummies, create_graph=create_graph, allow_unused=True)
        jv = tuple(j if j is not None else o.detach() * 0 for j, o in zip(jv, outs))
    detached = out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out)
    return detached, jv[0] if isinstance(out, Tensor) else jv


def vhp(func, inputs, v, create_graph=False, strict=False):
    """``(func(x), vᵀ H)``; H is symmetric, so this is ``hvp``'s product."""
    return hvp(func, inputs, v, create_graph)
