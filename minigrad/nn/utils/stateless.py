"""``functional_call``: run a module with some of its parameters and buffers replaced, as
``torch.func.functional_call`` (meta-learning, ensembling, per-sample tricks)."""

import contextlib


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """``module(*args, **kwargs)`` with the tensors named in ``parameter_and_buffer_dicts`` (a dict
    or a sequence of dicts, keys as in ``named_parameters``/``named_buffers``) standing in for the
    module's own; the module is left as it was. Gradients flow to the given tensors.

    >>> import minigrad as mg
    >>> layer = mg.nn.Linear(1, 1)
    >>> params = {"weight": mg.tensor([[2.0]]), "bias": mg.tensor([0.5])}
    >>> functional_call(layer, params, (mg.ones(1, 1),)).item()
    2.5
    """
    dicts = [parameter_and_buffer_dicts] if isinstance(parameter_and_buffer_dicts, dict) else \
        list(parameter_and_buffer_dicts)
    replacements = {}
    for d in dicts:
        for name, value in d.items():
            if name in replacements:
                raise ValueError(f"{name} appeared in multiple dictionaries; behavior of functional call is "
                                 "ambiguous")
            replacements[name] = value
    if strict:
        known = {n for n, _ in module.named_parameters(remove_duplicate=False)} | \
            {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(known - set(replacements)), sorted(set(replacements) - known)
        if missing or unexpected:
            raise RuntimeError(f"Error(s) in reparametrizing for {type(module).__name__}: missing keys "
                               f"{missing}, unexpected keys {unexpected}")
    args = () if args is None else (args if isinstance(args, tuple) else (args,))
    with _swapped(module, replacements):
        return module(*args, **(kwargs or {}))


@contextlib.contextmanager
def _swapped(module, replacements):
    saved = []
    try:
        for name, value in replacements.items():
            owner = module
            *path, attr = name.split(".")
            for part in path:
                owner = getattr(owner, part)
            store = owner._parameters if attr in owner._parameters else owner._buffers
            if attr not in store:
                raise AttributeError(f"{type(owner).__name__} has no parameter or buffer named '{attr}'")
            saved.append((store, attr, store[attr]))
            store[attr] = value
        yield
    finally:
        for store, attr, old in reversed(saved):
            store[attr] = old
