"""``Optimizer``: parameter groups, per-parameter state, serialization and the fused flat path.

Each algorithm (``sgd.py``, ``adam.py``, ...) is a subclass that states its defaults, the names
of its state and ONE pure elementwise update function on raw arrays::

    theta, m, v = adam(xp, theta, g, m, v, t=..., lr=..., beta1=..., ...)

This class owns everything else: groups, validation, ``no_grad``, skipping parameters without a
gradient, writing results back in place, ``state_dict`` and the flat-buffer path that runs the
same update function once over many parameters.

Three ways to run a step (chosen per group by ``foreach``/``fused``, as PyTorch names them):

* reference (``foreach=False``): a Python loop over parameters, the update on each one's arrays.
  Easiest to read; a dozen array operations per parameter.
* ``foreach=True``: the parameters with the same device, dtype and scalar state (step count)
  are gathered into one flat buffer (one concatenation), updated by the update function, and
  scattered back (one slice + in-place assign per parameter).
* ``fused=True``: as ``foreach``, but the flat buffer is persistent and every parameter's
  ``.array`` becomes a view into it (once, at its first step), so nothing is gathered or
  scattered. If something later replaces a parameter's array (``p.data = ...``,
  ``vector_to_parameters``, moving it to another device or dtype) the identity check notices
  and the buffer is rebuilt. Caveat: a NumPy array taken from a parameter *before* its first
  fused step (``a = p.numpy()``) stops seeing the updates.

Neither flag (the default): ``fused``, except that on the CPU a parameter of at least
``CPU_CHUNK_BYTES`` steps alone, its own arrays updated a few rows at a time (whole, for an update
without state such as plain SGD, whose one or two temporaries gain nothing from slicing);
gathering it would copy its gradient for nothing, as there is no Python overhead to save on one
big array.

In both flat paths the optimizer state lives in persistent flat buffers with per-parameter
views in ``state[p]``, the gradients are gathered with one concatenation (the engine hands each
parameter a freshly allocated gradient), and on the CPU the update runs over cache-sized slices
(``CPU_CHUNK_BYTES``; see ``Optimizer._step_flat``). ``benchmarks/bench_optim.py`` measures the
paths; on a 2-core AMD EPYC with NumPy 2.4, one float32 Adam step took (best of 10; an SGD step
on the MLP: 0.20 ms default, 0.29 fused, 0.20 reference):

    ================================  =======  =======  ========  =========  ===================
    parameters                        default  fused    foreach   reference  PyTorch 2.13 CPU
                                                                             (loop / foreach)
    ================================  =======  =======  ========  =========  ===================
    200 tensors of 64x64              3.5 ms   3.4 ms   4.5 ms    5.2 ms     6.5 / 5.0 ms
    10 M in 20 tensors                30 ms    35 ms    44 ms     128 ms     72 / 17 ms
    1000 tensors of 16                1.9 ms   1.7 ms   2.7 ms    12.4 ms    23 / 15 ms
    MLP 784-512-256-10 (6 tensors)    1.4 ms   1.5 ms   1.8 ms    6.0 ms     0.50 / 0.46 ms
    ================================  =======  =======  ========  =========  ===================
"""

import math
from collections import defaultdict

from ..autograd.grad_mode import enable_grad, no_grad
from ..tensor import Tensor

__all__ = ["Optimizer", "regularize", "required"]


class _Required:
    def __repr__(self):
        return "<required parameter>"


required = _Required()

# Which flat path runs when neither ``foreach`` nor ``fused`` is given (see bench_optim.py).
DEFAULT_FLAT_MODE = "auto"
# Bytes per slice of each flat buffer in a CPU update (see ``Optimizer._step_flat``): with the
# update's handful of temporaries this stays within a 1 MiB L2 cache.
CPU_CHUNK_BYTES = 1 << 17


class Optimizer:
    """Base class of all optimizers: param groups, state, ``step``, ``state_dict``.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs (``model.named_parameters()``;
            the names are kept in the group's ``"param_names"``), or of dicts (parameter groups)
            each with a ``"params"`` entry and optionally its own hyper-parameters.
        defaults: the hyper-parameters of groups that do not set them.

    Subclasses define ``_state_names(group)`` (the names of per-parameter arrays, in the order
    the update function takes them), ``_scalar_state`` (per-parameter Python numbers such as
    ``"step"``), ``_advance(group, scalars)`` and ``_hyper(group, scalars)`` (the update's keyword
    arguments), and ``update`` (the pure function).

    >>> import minigrad as mg
    >>> w = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> opt = mg.optim.SGD([w], lr=0.5)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.tolist()
    [0.0, 0.0]
    """

    _scalar_state = ("step",)
    _eager_state = False  # Adagrad creates its state at construction, as PyTorch does

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        self._buckets = {}
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
        self._validate(group)
        self.param_groups.append(group)
        if self._eager_state:
            for p in params:
                self.state[p] = self._init_state(group, p)

    def _validate(self, group):
        """Raise a ValueError naming the first invalid hyper-parameter of ``group``."""
        checks = {
            "lr": lambda v: v >= 0, "eps": lambda v: v >= 0, "weight_decay": lambda v: v >= 0,
            "momentum": lambda v: v >= 0, "alpha": lambda v: v >= 0, "lr_decay": lambda v: v >= 0,
            "initial_accumulator_value": lambda v: v >= 0, "momentum_decay": lambda v: v >= 0,
            "rho": lambda v: 0 <= v <= 1, "beta": lambda v: 0 <= v < 1,
        }
        for name, ok in checks.items():
            value = group.get(name)
            if value is not None and value is not required and not ok(value):
                rule = _RULES.get(name, "must be >= 0")
                raise ValueError(f"Invalid {_WORDS.get(name, name)}: {value} ({rule})")
        for i, beta in enumerate(group.get("betas", ())):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta} (must be in [0, 1))")

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
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if p.grad.array.shape != p.array.shape:
                raise RuntimeError(f"gradient of shape {tuple(p.grad.shape)} for {p.describe()}")
            if not self.state[p]:
                self.state[p] = self._init_state(group, p)
        mode = _flat_mode(group)
        if mode == "reference":
            for p in params:
                self._step_one(group, p)
            return
        if mode == "auto":  # on the CPU, big parameters step alone, in slices: nothing to gather
            chunk = CPU_CHUNK_BYTES if params and params[0].device.type == "cpu" else None
            # slices pay for updates with state (Adam's dozen temporaries per element); plain SGD's
            # one or two temporaries run faster whole
            slices = chunk if self._state_names(group) else None
            small = []
            for p in params:
                if chunk and p.array.size * p.dtype.itemsize >= chunk:
                    self._step_one(group, p, slices)
                else:
                    small.append(p)
            params, mode = small, "fused"
        for ps in self._partition(group, params):
            if len(ps) == 1:  # nothing to fuse
                self._step_one(group, ps[0])
            else:
                self._step_flat(group, ps, mode)

    def _step_one(self, group, p, chunk_bytes=None):
        """The update function on one parameter's own arrays: whole (the reference path), or
        ``chunk_bytes`` worth of rows at a time (each slice a view), for the reason given in
        ``_step_flat``."""
        state = self.state[p]
        names = self._state_names(group)
        scalars = {k: state[k] for k in self._scalar_state if k in state}
        self._advance(group, scalars)
        hyper = self._hyper(group, scalars)
        xp, assign = p.device.xp, p.device.backend.assign
        theta, g = p.array, p.grad.array
        arrays = [state[n].array if n in state else None for n in names]
        created = {}  # state the first step creates, per slice
        for rows in _row_slices(theta, chunk_bytes and chunk_bytes // p.dtype.itemsize):
            g_rows = g[rows]
            state_rows = [s if s is None else s[rows] for s in arrays]
            out = self.update(xp, theta[rows], g_rows, *state_rows, **hyper)
            assign(theta[rows], out[0])
            for name, old, new in zip(names, arrays, out[1:]):
                if new is None:
                    continue
                if old is not None:
                    assign(old[rows], new)
                else:  # new state may be the gradient itself (SGD's first buffer): never alias it
                    created.setdefault(name, []).append(xp.asarray(new, copy=True) if new is g_rows else new)
        for name, parts in created.items():
            state[name] = _const(parts[0] if len(parts) == 1 else xp.concat(parts), p.device)
        state.update(scalars)
        p._version[0] += 1

    def _partition(self, group, params):
        """Parameters that can share one flat update: same device, dtype and scalar state."""
        names, scalar, states = self._state_names(group), self._scalar_state, self.state
        parts = {}
        for p in params:
            state = states[p]
            key = (p.device, p.array.dtype, *[state.get(k) for k in scalar], *[n in state for n in names])
            part = parts.get(key)
            if part is None:
                parts[key] = [p]
            else:
                part.append(p)
        return parts.values()

    def _step_flat(self, group, ps, mode):
        """The update function over the flat buffers of ``ps``, one cache-sized chunk at a time.

        The update is elementwise, so running it on consecutive slices of the flat buffers is
        the same computation. On the CPU, slices of ``CPU_CHUNK_BYTES`` keep NumPy's
        temporaries in cache (whole-buffer temporaries of many megabytes cost more in page
        faults and memory traffic than the arithmetic); on a GPU one chunk covers everything.
        """
        bucket = self._bucket(ps, mode)
        xp = bucket.xp
        state0 = self.state[ps[0]]
        names = self._state_names(group)
        scalars = {k: state0[k] for k in self._scalar_state if k in state0}
        self._advance(group, scalars)
        hyper = self._hyper(group, scalars)
        theta = bucket.params_flat()
        g = xp.concat([xp.reshape(p.grad.array, (-1,)) for p in ps])
        arrays = [bucket.state_flat(self.state, n) if n in state0 else None for n in names]
        created = {}  # state that the first step creates (SGD's momentum buffer): chunks to join
        assign = bucket.assign
        n, chunk = g.shape[0], bucket.chunk or max(g.shape[0], 1)
        for a in range(0, n, chunk):
            b = min(a + chunk, n)
            out = self.update(xp, theta[a:b], g[a:b], *[s if s is None else s[a:b] for s in arrays], **hyper)
            assign(theta[a:b], out[0])
            for name, flat, new in zip(names, arrays, out[1:]):
                if new is None:
                    continue
                if flat is None:
                    created.setdefault(name, []).append(new)
                else:
                    assign(flat[a:b], new)
        bucket.write_params(theta)
        for name, chunks in created.items():
            bucket.write_state(self.state, name, xp.concat(chunks) if len(chunks) > 1 else chunks[0])
        for p in ps:
            self.state[p].update(scalars)
            p._version[0] += 1

    def _bucket(self, ps, mode):
        key = (mode, ps[0].device, ps[0].array.dtype) + tuple(id(p) for p in ps)
        bucket = self._buckets.get(key)
        if bucket is None:
            members = {id(p) for p in ps}
            for old_key in [k for k in self._buckets if members.intersection(k[3:])]:
                del self._buckets[old_key]
            bucket = self._buckets[key] = _FlatBucket(ps, views=(mode == "fused"))
        return bucket

    # --- what subclasses define ------------------------------------------------------------------
    def _state_names(self, group):
        """Names of the per-parameter state arrays, in the order ``update`` takes them."""
        return ()

    def _init_state(self, group, p):
        """The state of a parameter before its first step: zeros and ``step = 0``."""
        state = {k: 0.0 for k in self._scalar_state}
        for name in self._state_names(group):
            state[name] = _const(p.device.xp.zeros_like(p.array), p.device)
        return state

    def _advance(self, group, scalars):
        """Advance the scalar state shared by the parameters of one update (``step += 1``)."""
        if "step" in scalars:
            scalars["step"] += 1

    def _hyper(self, group, scalars):
        """Keyword arguments of ``update`` for this group and scalar state."""
        raise NotImplementedError

    @staticmethod
    def update(xp, theta, g, *state, **hyper):
        """The pure elementwise update: new ``theta`` and new state arrays."""
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

        State tensors are copied to each parameter's device, and floating ones to its dtype.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, the optimizer "
                             f"has {len(self.param_groups)}")
        for i, (mine, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(f"loaded state dict contains a parameter group {i} of "
                                 f"{len(saved['params'])} "
                                 f"parameters that doesn't match the size of optimizer's group "
                                 f"({len(mine['params'])})")
        by_index = {}
        for mine, saved in zip(self.param_groups, saved_groups):
            for i, p in zip(saved["params"], mine["params"]):
                by_index[int(i)] = p
        new_state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            p = by_index.get(int(key))
            if p is None:
                continue
            new_state[p] = {k: _load_value(k, v, p) for k, v in value.items()}
        for mine, saved in zip(self.param_groups, saved_groups):
            params = mine["params"]
            for k, v in saved.items():
                if k == "params":
                    continue
                if isinstance(mine.get(k), tuple) and isinstance(v, list):
                    v = tuple(v)
                mine[k] = v
            mine["params"] = params
        self.state = new_state
        self._buckets.clear()


class _FlatBucket:
    """Flat buffers for a list of same-device, same-dtype parameters.

    ``views=True`` (fused): the parameters' arrays are replaced by views into one persistent
    flat buffer. ``views=False`` (foreach): parameters are gathered and scattered each step.
    State buffers are always persistent, with per-parameter views handed to ``state[p]``.
    A view that someone replaced (``p.data = ...``, ``load_state_dict``) is noticed by identity
    and the buffer is gathered again from the current arrays.
    """

    def __init__(self, params, views):
        self.params = params
        self.views = views
        self.device = params[0].device
        self.xp = self.device.xp
        self.assign = self.device.backend.assign
        self.shapes = [p.shape for p in params]
        sizes = [math.prod(s) for s in self.shapes]
        self.bounds = [(sum(sizes[:i]), sum(sizes[:i + 1])) for i in range(len(sizes))]
        self.flat = None  # the parameters' flat buffer (views mode)
        self.param_views = None
        self.state_buffers = {}  # name -> (flat, [views])
        self.chunk = CPU_CHUNK_BYTES // params[0].dtype.itemsize if self.device.type == "cpu" else None

    def _gather(self, arrays):
        return self.xp.concat([self.xp.reshape(a, (-1,)) for a in arrays])

    def _split(self, flat):
        return [self.xp.reshape(flat[a:b], shape) for (a, b), shape in zip(self.bounds, self.shapes)]

    def params_flat(self):
        if not self.views:
            return self._gather([p.array for p in self.params])
        if self.param_views is None or any(p.array is not v for p, v in zip(self.params, self.param_views)):
            self.flat = self._gather([p.array for p in self.params])
            self.param_views = self._split(self.flat)
            for p, v in zip(self.params, self.param_views):
                p.array = v
        return self.flat

    def write_params(self, theta):
        """Make the parameters hold ``theta``, the flat buffer the step updated in place."""
        if not self.views:  # fused: the parameters are views of ``theta`` already
            for p, v in zip(self.params, self._split(theta)):
                self.assign(p.array, v)

    def state_flat(self, state, name):
        found = self.state_buffers.get(name)
        tensors = [state[p][name] for p in self.params]
        if found is None or any(t.array is not v for t, v in zip(tensors, found[1])):
            flat = self._gather([t.array for t in tensors])
            views = self._split(flat)
            for t, v in zip(tensors, views):
                t.array = v
            found = self.state_buffers[name] = (flat, views)
        return found[0]

    def write_state(self, state, name, new):
        """A state buffer the step created: hand each parameter its view."""
        views = self._split(new)
        for p, v in zip(self.params, views):
            state[p][name] = _const(v, self.device)
        self.state_buffers[name] = (new, views)


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


def regularize(theta, g, *, lr, weight_decay, maximize, decoupled=False):
    """The first lines of every update rule, with γ the learning rate and λ the weight decay::

        g ← −g                  to maximize
        g ← g + λθ              weight decay as an L2 penalty (PyTorch's ``weight_decay``)
        θ ← θ(1 − γλ)           or decoupled from the gradient (AdamW, Lion, ``decoupled=True``)
    """
    if maximize:
        g = -g
    if weight_decay:
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
    return theta, g


def _flat_mode(group):
    foreach, fused = group.get("foreach"), group.get("fused")
    if fused:
        return "fused"
    if foreach:
        return "foreach"
    if foreach is False:
        return "reference"
    return "foreach" if fused is False else DEFAULT_FLAT_MODE


def _row_slices(array, chunk_size):
    """Keys that cut ``array`` into slices of whole rows, about ``chunk_size`` elements each
    (one key, ``...``, for all of it when ``chunk_size`` is None or the array is small)."""
    rows = array.shape[0] if array.ndim else 1
    if chunk_size is None or rows < 2:
        return (...,)
    step = max(1, chunk_size // max(math.prod(array.shape[1:]), 1))
    if step >= rows:
        return (...,)
    return [slice(a, a + step) for a in range(0, rows, step)]


def _const(array, device):
    return Tensor._wrap(array, device)


def _copy(value):
    if isinstance(value, Tensor):
        return _const(value.device.xp.asarray(value.array, copy=True), value.device)
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _load_value(key, value, p):
    """A state entry moved to ``p``'s device (and dtype, for floating tensors), as a copy."""
    if isinstance(value, list):
        return [_load_value(key, v, p) for v in value]
    if not isinstance(value, Tensor):
        return value
    if key in Optimizer._scalar_state or key in ("step", "mu_product"):
        return value.item()
    if value.device != p.device:
        value = value.to(p.device)
    if value.dtype.is_floating_point and value.dtype is not p.dtype:
        value = value.type(p.dtype)
    return _copy(value.detach())


_WORDS = {"lr": "learning rate", "eps": "epsilon value", "weight_decay": "weight_decay value",
          "momentum": "momentum value", "alpha": "alpha value", "lr_decay": "lr_decay value",
          "initial_accumulator_value": "initial_accumulator_value", "rho": "rho value",
          "beta": "beta value", "momentum_decay": "momentum_decay value"}
_RULES = {"rho": "must be in [0, 1]", "beta": "must be in [0, 1)"}
