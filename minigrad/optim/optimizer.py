"""``Optimizer``: parameter groups, per-parameter state, the step, serialization.

Each algorithm (``sgd.py``, ``adam.py``, ...) is a subclass that owns its defaults, its
validation, its state (``_init_state``) and ONE update, ``_update``, written line by line as its
formula with in-place array operations::

    m *= beta1
    m += ops.multiply(g, 1 - beta1, out=work[1])        # m ← β₁m + (1 − β₁)g

``ops`` is NumPy or CuPy (whose functions write into ``out=``) or, for a namespace without
``out=``, a stand-in that computes and copies; ``work[i]`` is a scratch array shaped like θ,
allocated once and reused by every later step, so a step allocates nothing.

The update runs on whatever arrays it is handed:

* the fast path (the default): each parameter of at least ``BIG_PARAMETER_SIZE`` elements is
  updated on its own arrays (a dozen array calls are little next to its arithmetic); the smaller
  parameters of one device, dtype and step count are updated together, in blocks of about
  ``BLOCK_SIZE`` elements: a block's gradients and values are gathered into flat buffers, the
  update runs on those, and the new values are copied back into each parameter's own array.
  Their optimizer state lives in persistent flat buffers, and ``state[p]`` holds views of them.
* the reference path (``foreach=False``): every parameter on its own arrays, one after another.

Parameters keep their own storage on both paths: an array taken from a parameter keeps seeing
its updates. ``fused=True`` and ``foreach=True`` (PyTorch's flags) select the fast path.
"""

import itertools
import math
import numbers
from collections import defaultdict

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]

# Parameters of at least this many elements are updated alone, the smaller ones together in flat
# buffers: gathering a parameter costs copying its gradient and value, which for Adam on a 2-core
# CPU was cheaper than the dozen array calls of updating it alone up to ~10K elements (1.6x at 4K,
# 0.9x at 16K, 0.7x at 64K).
BIG_PARAMETER_SIZE = 1 << 13
# The small parameters are updated in blocks of about this many elements, so that a block's
# values, gradient, state and scratch (Adam: 6 arrays of 256 KB in float32) stay in the caches
# through the update's dozen passes; one pass over all of them at once would go to memory each
# time. Adam over 200 parameters of 64x64 on a 2-core EPYC (1 MB of L2 per core): 0.7-0.9x the
# time of one flat block, about the same from 2**16 to 2**18 elements, slower below 2**15.
BLOCK_SIZE = 1 << 16


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()


class Optimizer:
    """Base class of all optimizers: param groups, state, ``step``, ``state_dict``.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs (``model.named_parameters()``;
            the names are kept in the group's ``"param_names"``), or of dicts (parameter groups)
            each with a ``"params"`` entry and optionally its own hyper-parameters.
        defaults: the hyper-parameters of groups that do not set them.

    Subclasses define ``_validate(group)`` (raise ValueError for a bad hyper-parameter),
    ``_init_state(group, p)`` (the state before the first step: arrays as Tensors, counters as
    numbers, ``None`` for an array the first step creates) and ``_update(group, ops, theta, g,
    state, work)``, which updates ``theta`` and the arrays of ``state`` in place.

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = mg.optim.SGD([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.tolist()
    [0.0, 0.0]
    """

    _eager_state = False  # Adagrad creates its state at construction, as PyTorch does

    elementwise = True  # the update treats each element alike: parameters may share flat buffers

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        self._flats = {}  # (device, dtype, parameter ids...) -> _Flat
        self._work = {}  # (device, dtype) -> _Work
        self._step_pre_hooks = {}
        self._step_post_hooks = {}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got a single {params.describe()}")
        if isinstance(params, dict):
            params = [params]
        if isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs; use a list instead")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # --- groups ----------------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``"params"``) with its own hyper-parameters."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        if "params" not in group:
            raise KeyError("param_group must list its parameters under the key 'params', got keys "
                           f"{sorted(group)}")
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs; use a list instead")
        params = list(params)
        if params and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in params):
            group["param_names"] = [name for name, _ in params]  # from model.named_parameters()
            params = [p for _, p in params]
        seen = set()
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but parameter {i} is a "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf Tensor (parameter {i}: {p.describe()})")
            if id(p) in seen:
                raise ValueError(f"parameter {i} ({p.describe()}) is listed twice in one parameter group")
            seen.add(id(p))
        for other in self.param_groups:
            if any(id(p) in seen for p in other["params"]):
                raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f"parameter {name}")
            group.setdefault(name, default)
        if group.get("foreach") and group.get("fused"):
            raise ValueError("`fused` and `foreach` cannot be `True` together")
        if group.get("differentiable"):  # PyTorch's flag for a step that autograd records
            raise NotImplementedError(f"{type(self).__name__}(differentiable=True): minigrad's step updates "
                                      "in place without recording a graph")
        self._validate(group)
        self.param_groups.append(group)
        if self._eager_state:
            for p in params:
                self.state[p] = self._init_state(group, p)

    # --- gradients ---------------------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    with no_grad():
                        p.grad.zero_()

    # --- the step ------------------------------------------------------------------------------
    def step(self, closure=None):
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss; it runs with gradients enabled.
        """
        for hook in list(self._step_pre_hooks.values()):
            hook(self, (closure,), {})
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        for hook in list(self._step_post_hooks.values()):
            hook(self, (closure,), {})
        return loss

    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before each ``step``; returns a handle with ``remove()``."""
        return _Handle(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``; returns a handle with ``remove()``."""
        return _Handle(self._step_post_hooks, hook)

    def _step_group(self, group):
        states, reference = self.state, group.get("foreach") is False
        alone, together = [], {}  # together: small parameters of one device, dtype and counters
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            array = p.array
            if grad.array.shape != array.shape:
                raise RuntimeError(f"gradient of shape {tuple(grad.shape)} for {p.describe()}")
            state = states[p]
            if not state:
                state = states[p] = self._init_state(group, p)
            if reference or not self.elementwise or array.size >= BIG_PARAMETER_SIZE:
                alone.append(p)
            else:
                counters = [v for v in state.values() if not isinstance(v, Tensor)]  # and None
                together.setdefault((array.device, array.dtype, *counters), []).append(p)
        for p in alone:
            self._step_alone(group, p)
        for ps in together.values():
            if len(ps) == 1:
                self._step_alone(group, ps[0])
            else:
                self._step_together(group, ps)

    def _step_alone(self, group, p):
        """The update on one parameter's own arrays."""
        state = self.state[p]
        arrays = {k: (v.array if isinstance(v, Tensor) else v) for k, v in state.items()}
        work = self._scratch(p.array, p.device.xp)
        self._update(group, p.device.backend.ops, p.array, p.grad.array, arrays, work)
        for k, v in arrays.items():
            if isinstance(state[k], Tensor):
                continue  # updated in place
            state[k] = _const(v, p.device) if _is_array(v) else v  # a counter, or a new array
        p._version[0] += 1

    def _step_together(self, group, ps):
        """The update over the flat buffers of ``ps``, a block at a time (see the module docstring)."""
        key = (ps[0].device, ps[0].array.dtype, *[id(p) for p in ps])
        flat = self._flats.get(key)
        if flat is None:
            members = set(key[2:])
            for old in [k for k in self._flats if members.intersection(k[2:])]:
                del self._flats[old]  # its state buffers are re-gathered from the views below
            flat = self._flats[key] = _Flat(ps)
        state0 = self.state[ps[0]]
        buffers = {k: flat.state(self.state, k) for k, v in state0.items() if isinstance(v, Tensor)}
        created = {}  # state the first step creates (SGD's momentum buffer): name -> flat buffer
        for block in flat.blocks:
            theta, g = flat.gather(block)
            a, b = block[2:]
            # every block starts from the same counters, so each computes the same new ones
            arrays = {k: (buffers[k][a:b] if k in buffers else v) for k, v in state0.items()}
            self._update(group, flat.ops, theta, g, arrays, self._scratch(theta, flat.xp))
            flat.scatter(block)
            for k, v in arrays.items():
                if k not in buffers and _is_array(v):
                    if k not in created:
                        created[k] = flat.buffer()
                    created[k][a:b] = v
        for k, v in created.items():
            flat.adopt(self.state, k, v)
        counters = {k: v for k, v in arrays.items() if k not in buffers and k not in created}
        for p in ps:
            self.state[p].update(counters)
            p._version[0] += 1

    def _scratch(self, like, xp):
        key = (like.device, like.dtype)
        work = self._work.get(key)
        if work is None:
            work = self._work[key] = _Work(xp)
        work.like = like
        return work

    # --- what subclasses define ------------------------------------------------------------------
    def _validate(self, group):
        """Raise a ValueError naming the first invalid hyper-parameter of ``group``."""

    def _init_state(self, group, p):
        """The state of ``p`` before its first step."""
        return {}

    def _update(self, group, ops, theta, g, state, work):
        """Update ``theta`` and the arrays of ``state`` in place (see the module docstring)."""
        raise NotImplementedError

    # --- serialization ---------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state as a dict of plain values: ``{"state": ..., "param_groups": ...}``.

        As in PyTorch, parameters are named by their position over all groups (0, 1, ...):
        ``state`` maps a position to that parameter's state and each group's ``params`` lists
        positions. Tensors in the result are copies (PyTorch returns references; copying here
        makes ``state_dict()`` a snapshot that later steps do not change).
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state and self.state[p]:
                    state[index[id(p)]] = {k: _copy(v) for k, v in self.state[p].items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()``: hyper-parameters per group and state per parameter position.

        Every hyper-parameter of this optimizer must be in each saved group, and each saved state
        must have exactly the entries this optimizer keeps, its arrays shaped like their
        parameter; anything else raises a ValueError naming the key and the parameter. State
        tensors are copied to each parameter's device, and floating ones to its dtype.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, the optimizer "
                             f"has {len(self.param_groups)}")
        new_groups = []
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(f"loaded state dict contains a parameter group {i} of "
                                 f"{len(saved['params'])} "
                                 f"parameters that doesn't match the size of optimizer's group "
                                 f"({len(mine['params'])})")
            # a flag a checkpoint predates (``capturable``, ``fused``...) takes its default, as PyTorch's
            # __setstate__ does; a missing number (``lr``, ``betas``) is an error
            flags = {k: v for k, v in self.defaults.items()
                     if k not in saved and (v is None or isinstance(v, bool))}
            saved = {**flags, **saved}
            missing = sorted(k for k in self.defaults if k not in saved)
            if missing:
                unknown = sorted(k for k in saved if k not in mine and k not in ("params", "initial_lr"))
                raise ValueError(f"loaded parameter group {i} lacks the {type(self).__name__} "
                                 f"hyper-parameter(s) {missing}" + (f" (it has {unknown} instead)" if unknown
                                                                    else ""))
            group = {k: (tuple(v) if isinstance(mine.get(k), tuple) and isinstance(v, list) else v)
                     for k, v in saved.items() if k != "params"}
            group["params"] = mine["params"]
            self._validate(group)
            new_groups.append(group)
        by_index = {}
        for mine, saved, group in zip(self.param_groups, saved_groups, new_groups):
            for i, p in zip(saved["params"], mine["params"]):
                by_index[int(i)] = (p, group)
        new_state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if int(key) not in by_index:
                continue
            p, group = by_index[int(key)]
            new_state[p] = self._load_state(group, p, int(key), value)
        for mine, group in zip(self.param_groups, new_groups):
            mine.clear()
            mine.update(group)
        self.state = new_state
        self._flats.clear()

    def _load_state(self, group, p, index, saved):
        """The saved state of parameter ``index`` checked against ``_init_state`` and moved to ``p``."""
        want = self._init_state(group, p)
        where = f"parameter {index} ({p.describe()})"
        saved = {k: v for k, v in saved.items() if v is not None or want.get(k, 0) is None}
        unknown, missing = sorted(set(saved) - set(want)), sorted(k for k in want if k not in saved
                                                                 and want[k] is not None)
        if unknown or missing:
            raise ValueError(f"loaded state of {where} does not match {type(self).__name__}'s: "
                             + ", ".join(([f"unexpected {unknown}"] if unknown else [])
                                         + ([f"missing {missing}"] if missing else []))
                             + f" (it keeps {sorted(want)})")
        state = {}
        for k, v in saved.items():
            if not isinstance(v, Tensor):
                state[k] = v
            elif isinstance(want[k], Tensor) or want[k] is None:  # an array, of the shape _init_state gives
                expected = tuple(want[k].shape) if want[k] is not None else tuple(p.shape)  # (or like p)
                if tuple(v.shape) != expected:
                    raise ValueError(f"loaded state {k!r} of shape {tuple(v.shape)} does not match "
                                     f"{where} (expected {expected})")
                state[k] = _to(v, p)
            else:
                state[k] = v.item()  # a counter PyTorch keeps as a 0-d tensor
        return state


class _Flat:
    """Many small same-device, same-dtype parameters updated together, a block at a time.

    The parameters are cut into blocks of consecutive parameters of about ``BLOCK_SIZE``
    elements. At each step a block's values and gradients are gathered into two scratch buffers
    (the parameters keep their own storage, and the engine hands each a new gradient), the update
    runs on those, and the new values are copied back into each parameter's array. The optimizer
    state stays in flat buffers over all the parameters between steps, with per-parameter views in
    ``state[p]``; a view that someone replaced (``load_state_dict``, an assignment to
    ``state[p][k]``) is noticed by identity and the flat buffer is gathered again from the current
    arrays.
    """

    def __init__(self, params):
        self.params = params
        device = params[0].device
        self.device, self.xp, self.ops = device, device.xp, device.backend.ops
        self.shapes = [p.array.shape for p in params]
        ends = list(itertools.accumulate(math.prod(s) for s in self.shapes))
        self.bounds = list(zip([0] + ends[:-1], ends))
        self.blocks = []  # (first parameter, past the last, first element, past the last)
        first = 0
        for i, (start, end) in enumerate(self.bounds):
            if end - self.bounds[first][0] > BLOCK_SIZE and i > first:
                self.blocks.append((first, i, self.bounds[first][0], start))
                first = i
        self.blocks.append((first, len(params), self.bounds[first][0], ends[-1]))
        like = params[0].array
        longest = max(b - a for _, _, a, b in self.blocks)
        self.theta = self.xp.empty((longest,), dtype=like.dtype, device=like.device)
        self.g = self.xp.empty((longest,), dtype=like.dtype, device=like.device)
        self.size = ends[-1]
        self.theta_views = []  # each parameter's place in ``theta`` while its block is gathered
        for i, j, a, _ in self.blocks:
            self.theta_views += [self.xp.reshape(self.theta[start - a:end - a], shape)
                                 for (start, end), shape in zip(self.bounds[i:j], self.shapes[i:j])]
        self.buffers = {}  # state name -> (flat buffer, its per-parameter views)

    def buffer(self):
        """A new flat buffer over all the parameters (uninitialised)."""
        return self.xp.empty((self.size,), dtype=self.theta.dtype, device=self.theta.device)

    def views(self, flat):
        return [self.xp.reshape(flat[a:b], shape) for (a, b), shape in zip(self.bounds, self.shapes)]

    def gather(self, block):
        i, j, a, b = block
        theta, g = self.theta[:b - a], self.g[:b - a]
        self.ops.concatenate([p.array for p in self.params[i:j]], axis=None, out=theta)
        self.ops.concatenate([p.grad.array for p in self.params[i:j]], axis=None, out=g)
        return theta, g

    def scatter(self, block):
        i, j = block[:2]
        copyto = self.ops.copyto
        for p, view in zip(self.params[i:j], self.theta_views[i:j]):
            copyto(p.array, view)

    def state(self, states, name):
        tensors = [states[p][name] for p in self.params]
        found = self.buffers.get(name)
        if found is None or any(t.array is not v for t, v in zip(tensors, found[1])):
            flat = self.buffer()
            self.ops.concatenate([t.array for t in tensors], axis=None, out=flat)
            found = self.buffers[name] = (flat, self.views(flat))
            for t, view in zip(tensors, found[1]):
                t.array = view
        return found[0]

    def adopt(self, states, name, flat):
        """A state array the update created: each parameter's state gets its view."""
        views = self.views(flat)
        for p, view in zip(self.params, views):
            states[p][name] = _const(view, self.device)
        self.buffers[name] = (flat, views)


class _Work:
    """Scratch arrays for the updates of one device and dtype: ``work[i]`` is the i-th, shaped
    like the arrays being updated. Each buffer grows to the largest update and is kept."""

    def __init__(self, xp):
        self.xp = xp
        self.buffers = []
        self.like = None  # the array being updated

    def __getitem__(self, i):
        like = self.like
        while len(self.buffers) <= i:
            self.buffers.append(None)
        buf = self.buffers[i]
        if buf is None or buf.shape[0] < like.size:
            buf = self.buffers[i] = self.xp.empty((like.size,), dtype=like.dtype, device=like.device)
        return self.xp.reshape(buf[:like.size], like.shape)


class _Handle:
    """Removes a registered hook."""

    _next_id = 0

    def __init__(self, hooks, hook):
        _Handle._next_id += 1
        self.id = _Handle._next_id
        self._hooks = hooks
        hooks[self.id] = hook

    def remove(self):
        self._hooks.pop(self.id, None)


# --- helpers of the algorithms -------------------------------------------------------------------
def moments(ops, m, v, g, beta1, beta2, scratch):
    """Adam's two moments, in place: m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²."""
    m *= beta1
    m += ops.multiply(g, 1 - beta1, out=scratch)
    v *= beta2
    v += ops.multiply(ops.multiply(g, 1 - beta2, out=scratch), g, out=scratch)


def gradient(ops, theta, g, out, *, weight_decay=0, maximize=False):
    """The gradient an update uses: g, negated to maximize, plus λθ for weight decay as an L2 penalty::

        g ← −g          to maximize
        g ← g + λθ      weight decay (PyTorch's ``weight_decay``)

    Written into ``out`` when it differs from ``g``: the parameter's gradient is never changed.
    """
    if weight_decay:
        ops.multiply(theta, weight_decay, out=out)
        return ops.subtract(out, g, out=out) if maximize else ops.add(out, g, out=out)
    if maximize:
        return ops.negative(g, out=out)
    return g


def zeros(p, fill=0.0):
    """A state array shaped like parameter ``p``, filled with ``fill``."""
    array = p.device.xp.empty_like(p.array)
    array[...] = fill
    return _const(array, p.device)


def nonnegative(group, *names):
    """Raise PyTorch's ValueError for the first hyper-parameter of ``names`` below zero."""
    for name in names:
        if not isinstance(group[name], (numbers.Real, Tensor)):
            raise TypeError(f"Invalid {_WORDS.get(name, name + ' value')}: {group[name]!r} (must be a "
                            f"number, not {type(group[name]).__name__})")
        if group[name] < 0:
            raise ValueError(f"Invalid {_WORDS.get(name, name + ' value')}: {group[name]}")


def check_betas(betas):
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta} (must be in [0, 1))")


_WORDS = {"lr": "learning rate", "eps": "epsilon value"}


def _is_array(value):
    return hasattr(value, "__array_namespace__")


def _const(array, device):
    return Tensor._wrap(array, device)


def _copy(value):
    if isinstance(value, Tensor):
        return _const(value.device.xp.asarray(value.array, copy=True), value.device)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _to(value, p):
    """A state tensor moved to ``p``'s device (and dtype, when floating), as a copy."""
    if value.device != p.device:
        value = value.to(p.device)
    if value.dtype.is_floating_point and value.dtype is not p.dtype:
        value = value.type(p.dtype)
    return _copy(value.detach())
