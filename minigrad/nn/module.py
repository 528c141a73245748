"""``nn.Module``: parameters, buffers and sub-modules registered by attribute assignment.

A Module is a tree. Assigning a ``Parameter`` registers a learnable weight, assigning a Module
registers a child, ``register_buffer`` registers state that is saved but not trained (running
statistics). Everything else (``parameters()``, ``to()``, ``state_dict()``, ``train()``) walks
that tree. ``__call__`` runs ``forward`` inside ``autograd.function.scope(self)``, so every op of
the recorded graph knows which modules it ran in (``mg.viz`` groups the picture by it).
"""

import itertools
from collections import OrderedDict, namedtuple

from .. import backend as _backend
from .. import dtypes as _dtypes
from ..autograd import grad_mode as _grad_mode
from ..autograd import node as _function
from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from . import _hooks
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` did not match; prints as PyTorch's when everything matched."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class _RemovableHandle:
    _ids = itertools.count()

    def __init__(self, hooks):
        self._hooks = hooks
        self.id = next(self._ids)

    def remove(self):
        self._hooks.pop(self.id, None)


class Module:
    """Base class of every layer and model: subclass it, assign layers in ``__init__``, write ``forward``.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = nn.Linear(3, 2)
    ...     def forward(self, x):
    ...         return self.fc(x).relu()
    >>> net = Net()
    >>> [name for name, _ in net.named_parameters()]
    ['fc.weight', 'fc.bias']
    >>> net(mg.ones(4, 3)).shape
    (4, 2)
    """

    training = True

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_hooks_with_kwargs", set())  # ids of hooks registered with_kwargs
        object.__setattr__(self, "_forward_hooks_always_called", set())
        object.__setattr__(self, "_backward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())
        object.__setattr__(self, "training", True)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                or self._backward_pre_hooks):
            with _function.scope(self):
                return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args, kwargs):
        """``__call__`` when hooks are registered: forward pre-hooks, the backward hooks' input
        node, forward, their output node, forward hooks (in registration order, as PyTorch)."""
        kw = self._hooks_with_kwargs
        with _function.scope(self):
            for key, hook in list(self._forward_pre_hooks.items()):
                if key in kw:
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, "
                                               f"new_kwargs), but got {result}.")
                        args, kwargs = result
                else:
                    result = hook(self, args)
                    if result is not None:
                        args = result if isinstance(result, tuple) else (result,)
            backward = None
            if (self._backward_hooks or self._backward_pre_hooks) and _grad_mode.is_grad_enabled():
                backward = _hooks.BackwardHook(self, self._backward_pre_hooks, self._backward_hooks)
                args = backward.setup_inputs(args)
            try:
                out = self.forward(*args, **kwargs)
            except Exception:
                for key, hook in list(self._forward_hooks.items()):
                    if key in self._forward_hooks_always_called:
                        hook(self, args, kwargs, None) if key in kw else hook(self, args, None)
                raise
            for key, hook in list(self._forward_hooks.items()):
                result = hook(self, args, kwargs, out) if key in kw else hook(self, args, out)
                if result is not None:
                    out = result
            if backward is not None:
                out = backward.setup_outputs(out)
        return out

    def _add_hook(self, hooks, hook, prepend=False, with_kwargs=False):
        handle = _RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        if with_kwargs:
            self._hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after each forward (``hook(module, args, kwargs,
        output)`` with ``with_kwargs``); a returned value replaces the output. ``prepend`` runs
        it before the hooks already registered; ``always_call`` runs it (with output None) even
        when forward raises."""
        handle = self._add_hook(self._forward_hooks, hook, prepend, with_kwargs)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each forward; a returned value (a tuple, or one value)
        replaces the positional inputs. With ``with_kwargs``: ``hook(module, args, kwargs)``,
        returning None or ``(new_args, new_kwargs)``."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are known;
        a returned tuple replaces ``grad_output`` for the rest of backward."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the gradients of the module's
        positional inputs are known (one entry per positional argument: None for a non-Tensor
        or one that needs no gradient, where PyTorch may give zeros); a returned tuple replaces
        ``grad_input``. The hook must not modify its arguments in place."""
        return self._add_hook(self._backward_hooks, hook, prepend)

    # --- registration ------------------------------------------------------------------------
    def __setattr__(self, name, value):
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            if name in params:  # replacing keeps the registration order
                params[name] = value
                return
            _remove_from(self, name)
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(nn.Parameter or None expected)")
            params[name] = None
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            if name not in modules:
                _remove_from(self, name)
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(nn.Module or None expected)")
            modules[name] = None
            return
        buffers = self.__dict__.get("_buffers")
        if isinstance(value, Tensor) and "_buffer_persistent" in value.__dict__:  # made by nn.Buffer
            if buffers is None:
                raise AttributeError("cannot assign buffer before Module.__init__() call")
            _remove_from(self, name)
            self.register_buffer(name, value, persistent=value.__dict__.pop("_buffer_persistent"))
            return
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(Tensor or None expected)")
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        # only called when normal lookup fails: the registered tensors and children live in dicts
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            found = d.get(store)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def register_parameter(self, name, param):
        """Register ``param`` (a Parameter, or None for an absent weight such as ``bias=False``)."""
        _check_name(self, name, "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(nn.Parameter or None required)")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Register a Tensor that is state but not a weight (e.g. ``running_mean``).

        Persistent buffers appear in ``state_dict()``; all buffers follow ``to()``.
        """
        _check_name(self, name, "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(Tensor or None required)")
        if name in self.__dict__ and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Register ``module`` as a child called ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(self, name, "_modules")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The sub-module at dotted path ``target`` (``""`` is the module itself)."""
        mod = self
        for item in target.split(".") if target else ():
            if item not in mod._modules:
                raise AttributeError(f"{type(mod).__name__} has no submodule `{item}`")
            mod = mod._modules[item]
        return mod

    def get_parameter(self, target):
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._parameters:
            raise AttributeError(f"{type(mod).__name__} has no parameter `{name}`")
        return mod._parameters[name]

    # --- walking the tree ----------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield ``(dotted_name, module)`` for this module and every descendant, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self):
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, m in self.named_children():
            yield m

    def _named_members(self, store, prefix, recurse, remove_duplicate=True):
        seen = set()
        walk = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for module_prefix, module in walk:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield ``(dotted_name, Parameter)``, each shared Parameter once, in registration order."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # --- modes and gradients -------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (dropout active, batch norm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        """Evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset every parameter's gradient (to None by default, as PyTorch)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:  # in place, as PyTorch: references to the gradient see the zeros
                grad = p.grad.detach_() if p.grad.grad_fn is not None else p.grad.requires_grad_(False)
                with no_grad():
                    grad.zero_()

    def apply(self, fn):
        """Call ``fn`` on every sub-module (children first) and on ``self``; e.g. custom init."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # --- moving -------------------------------------------------------------------------------
    def _apply(self, convert):
        """Replace each parameter's and buffer's storage by ``convert(array_tensor)``.

        Parameters keep their identity (the same Python objects), so an optimizer built before
        ``to()`` still updates them; their ``.grad`` moves along.
        """
        with no_grad():
            for module in self.modules():
                for p in module._parameters.values():
                    if p is None:
                        continue
                    new = convert(p.detach())
                    if new.array is not p.array:
                        p.array, p.device = new.array, new.device
                        p._version[0] += 1
                    if p.grad is not None:
                        g = convert(p.grad)
                        if g is not p.grad:
                            p.grad = g.detach()
                for b in module._buffers.values():
                    if b is not None:
                        new = convert(b.detach())
                        if new.array is not b.array:
                            b.array, b.device = new.array, new.device
                            b._version[0] += 1
        return self

    def to(self, *args, device=None, dtype=None, non_blocking=False, memory_format=None):
        """Move parameters and buffers to ``device`` and/or cast floating ones to ``dtype``, in place.

        ``model.to("cuda")``, ``model.to(mg.float64)``, ``model.to("cpu", mg.float32)`` or
        ``model.to(tensor)``; returns ``self``. The Parameter objects stay the same (only their
        storage changes), so an optimizer built before ``to()`` keeps updating the model, and
        existing gradients move along. Integer buffers (``num_batches_tracked``) keep their dtype.
        """
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, (str, _backend.Device)):
                device = a
            else:
                dtype = a
        target_device = None if device is None else _backend.device(device)
        target_dtype = None if dtype is None else _dtypes.as_dtype(dtype)
        if target_dtype is not None and not target_dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point dtypes, but got desired "
                            f"dtype={target_dtype}")

        def convert(t):
            if target_device is not None and t.device != target_device:
                t = t.to(target_device)
            if target_dtype is not None and t.dtype.is_floating_point and t.dtype is not target_dtype:
                t = t.type(target_dtype)
            return t
        return self._apply(convert)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else f"cuda:{device}" if isinstance(device, int) else device)

    def type(self, dtype):
        return self.to(dtype)

    def float(self):
        return self.to(_dtypes.float32)

    def double(self):
        return self.to(_dtypes.float64)

    def half(self):
        return self.to(_dtypes.float16)

    # --- state dicts ---------------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict ``dotted_name -> Tensor`` of parameters and persistent buffers.

        Keys are PyTorch's (``weight``, ``bias``, ``running_mean``, ``num_batches_tracked``...).
        Values share storage with the module (detached unless ``keep_vars``).
        """
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy ``state_dict``'s tensors into this module's parameters and buffers (in place).

        Tensors are moved to each parameter's device and cast to its dtype explicitly, so a
        checkpoint loaded on the CPU fills a model on the GPU.

        Args:
            state_dict: a mapping ``dotted_name -> Tensor`` (NumPy arrays and numbers also work).
            strict: require the keys to match this module's ``state_dict()`` exactly.
            assign: replace the parameters and buffers by the given tensors instead of copying.

        Returns:
            ``IncompatibleKeys(missing_keys, unexpected_keys)``.

        Raises:
            RuntimeError: listing every missing key, unexpected key (both only when ``strict``)
                and shape mismatch (always), as PyTorch words them.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        own = {}
        for module_prefix, module in self.named_modules(remove_duplicate=False):
            dot = module_prefix + ("." if module_prefix else "")
            for name, p in module._parameters.items():
                if p is not None:
                    own[dot + name] = (module, "_parameters", name, p)
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers:
                    own[dot + name] = (module, "_buffers", name, b)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched = []
        for key, (_, _, _, target) in own.items():
            if key in state_dict:
                src = state_dict[key]
                shape = tuple(src.shape) if hasattr(src, "shape") else ()
                if shape != tuple(target.shape):
                    mismatched.append(
                        f"size mismatch for {key}: copying a param with shape {shape} from checkpoint, "
                        f"the shape in current model is {tuple(target.shape)}.")
        errors = []
        if strict:
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: "
                              + ", ".join(f'"{k}"' for k in unexpected) + ".")
        errors.extend(mismatched)
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        with no_grad():
            for key, (module, store, name, target) in own.items():
                if key not in state_dict:
                    continue
                src = state_dict[key]
                if not isinstance(src, Tensor):
                    src = Tensor._wrap(target.device.backend.asarray(src, target.dtype, target.device.index),
                                       target.device)
                src = src.detach()
                if src.device != target.device:
                    src = src.to(target.device)
                if assign:
                    new = Parameter(src, target.requires_grad) if store == "_parameters" else src
                    getattr(module, store)[name] = new
                else:
                    target.copy_(src)
        return _IncompatibleKeys(missing, unexpected)

    # --- printing -----------------------------------------------------------------------------
    def extra_repr(self):
        """The one-line description inside ``Name(...)``; layers override it."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        lines = []
        extra = self.extra_repr()
        if extra:
            lines = extra.split("\n")
        for name, module in self._modules.items():
            lines.append(f"({name}): " + _indent(repr(module), 2))
        head = self._get_name() + "("
        if not lines:
            return head + ")"
        if len(lines) == 1 and not self._modules:
            return head + lines[0] + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


def _indent(text, spaces):
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def _remove_from(module, name):
    for store in ("_parameters", "_buffers", "_modules"):
        d = module.__dict__.get(store)
        if d is not None and name in d:
            del d[name]
    module.__dict__.pop(name, None)
    module._non_persistent_buffers.discard(name)


def _check_name(module, name, store):
    if "_parameters" not in module.__dict__:
        raise AttributeError("cannot register before Module.__init__() call")
    if not isinstance(name, str):
        raise TypeError(f"name should be a string, got {type(name).__name__}")
    if not name or "." in name:
        raise KeyError(f"name can't be empty or contain \".\", got {name!r}")
    for other in ("_parameters", "_buffers", "_modules"):
        if other != store and name in module.__dict__[other]:
            raise KeyError(f"attribute '{name}' already exists")
    if name in module.__dict__:
        raise KeyError(f"attribute '{name}' already exists")
