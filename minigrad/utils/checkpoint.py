"""``torch.utils.checkpoint``'s names. minigrad keeps every activation: ``checkpoint`` runs the
function once and records its graph as usual, so results and gradients are those of a plain
call; only the memory saving (recomputing activations in backward) is not there."""

import warnings


def checkpoint(function, *args, use_reentrant=None, context_fn=None, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """``function(*args, **kwargs)``, with gradients as usual (activations are kept, not recomputed)."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly; "
                      "minigrad runs the function once either way.", stacklevel=2)
    return function(*args, **kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """The modules (or functions) of ``functions`` applied in order to ``input``."""
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly; "
                      "minigrad runs the function once either way.", stacklevel=2)
    if hasattr(functions, "children") and not isinstance(functions, (list, tuple)):
        functions = list(functions.children())
    for fn in functions:
        input = fn(input)
    return input
