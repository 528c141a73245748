"""``torch.utils.checkpoint``: activation checkpointing, which trades compute for memory.

A checkpointed ``function`` runs forward as usual, but the activations its ops save for backward
are not kept, only its inputs are. The backward pass recomputes them by running ``function``
again, from the random-number state its forward started from (so dropout draws the same mask)
and with grad on; the gradients are those of a plain call, exactly. Two implementations, chosen
by ``use_reentrant`` as in PyTorch:

* ``use_reentrant=False`` (recommended) is built on saved-tensor hooks
  (:mod:`minigrad.autograd.graph`). The forward records its graph as usual, but each value an op
  saves is packed as a placeholder (a ``_Holder``) and the value itself dropped. The first
  placeholder the backward pass unpacks reruns ``function`` under hooks that file each value
  saved into the placeholder at the same position, stopping as soon as all are filled (early
  stop); backward reads each recomputed value once and it is freed. Works with ``mg.grad``,
  ``backward(inputs=)``, keyword arguments, nested checkpoints and ``create_graph=True``; the
  shapes, dtypes and devices recomputed are checked against the forward's.
* ``use_reentrant=True`` (PyTorch's older form, still its default when ``use_reentrant`` is not
  passed, with a warning) is a custom ``Function``: its forward runs ``function`` under
  ``no_grad``, its backward runs it again with grad on and calls ``backward`` on that (a backward
  pass inside the backward pass). It needs an input that requires grad, takes no keyword
  arguments, and cannot be used with ``mg.grad`` or ``backward(inputs=)``.

Measured by ``benchmarks/bench_checkpoint.py`` (tracemalloc's peak of NumPy's array memory during
one float32 forward + backward, above what the model and batch hold, the backend's buffer pool
off): 32 blocks of Linear(256, 256), GELU and Dropout at batch 512 peak at 49.1 MiB plain and
14.3 MiB through ``checkpoint_sequential`` in 8 segments, at about 1.3x the time; 8 transformer
encoder layers (d_model 128) on 16 x 128 tokens at 219.9 MiB plain and 37.9 MiB with each layer
checkpointed. The gradients were identical to the plain step's, bit for bit.

Note:
    Values an op keeps outside ``save_for_backward`` (the per-step activations of the fused
    ``nn.LSTM``/``GRU`` recurrence) are not seen by saved-tensor hooks, so a checkpoint keeps them.
"""

import contextlib
import functools
import itertools
import traceback
import warnings
import weakref
from collections import defaultdict
from pathlib import Path

from .. import random as _random
from ..autograd import backward as _backward
from ..autograd import graph
from ..autograd.engine import current_task, queue_callback
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "CheckpointFunction",
           "check_backward_validity", "detach_variable", "noop_context_fn", "set_checkpoint_early_stop",
           "set_checkpoint_debug_enabled"]

_early_stop = None  # set_checkpoint_early_stop's override (None: each call's early_stop)
_debug = None  # set_checkpoint_debug_enabled's override (None: each call's debug)
_outside = itertools.count(-1, -1)  # pass ids for unpacks outside any backward pass

_USE_REENTRANT = ("the use_reentrant parameter should be passed explicitly. use_reentrant=False is "
                  "recommended, but if you need to preserve the current default behavior, you can pass "
                  "use_reentrant=True. Refer to docs for more details on the differences between the two "
                  "variants.")
_DEBUG_TIP = ("Tip: To see a more detailed error message, either pass `debug=True` to "
              "`torch.utils.checkpoint.checkpoint(...)` or wrap the code block with `with "
              "torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to enable checkpoint-debug mode "
              "globally.")


class CheckpointError(RuntimeError):
    """The recomputation saved other values than the forward did (their number, shapes, dtypes or
    devices), or a value was unpacked twice in one backward pass."""


def noop_context_fn():
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


@contextlib.contextmanager
def set_checkpoint_early_stop(enable):
    """Whether the checkpoints made inside stop recomputing once every value backward needs is
    back (default True); overrides each call's ``early_stop``."""
    global _early_stop
    previous, _early_stop = _early_stop, enable
    try:
        yield
    finally:
        _early_stop = previous


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled):
    """``debug=True`` (or False) for every checkpoint made inside, whatever the call says; None: each
    call's own."""
    global _debug
    previous, _debug = _debug, enabled
    try:
        yield
    finally:
        _debug = previous


def detach_variable(inputs):
    """Each Tensor of the tuple ``inputs`` detached, with its ``requires_grad`` kept."""
    if not isinstance(inputs, tuple):
        raise RuntimeError("Only tuple of tensors is supported. Got Unsupported input type: "
                           f"{type(inputs).__name__}")
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs):
    """Warn when no Tensor of ``inputs`` requires grad: a reentrant checkpoint's backward never runs then."""
    if not any(isinstance(inp, Tensor) and inp.requires_grad for inp in inputs):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)


# --- use_reentrant=True -------------------------------------------------------------------------
class CheckpointFunction(Function):
    """The reentrant checkpoint: forward under ``no_grad``; backward reruns ``run_function`` with
    grad on from detached copies of the inputs and backpropagates through it."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.rng_state = _random.default_generator._snapshot()
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]  # Tensors come back saved
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        return run_function(*args)  # Function.apply runs forward under no_grad

    @staticmethod
    def backward(ctx, *grads):
        task = current_task()
        if task is not None and task.toward_inputs:
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing "
                "an `inputs` parameter to .backward(). To resolve this error, you can either set "
                "use_reentrant=False, or call .backward() without passing the `inputs` argument.")
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with _random.fork_rng(enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                _random.default_generator._restore(ctx.rng_state)
            detached = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(out, g) for out, g in zip(outputs, grads) if isinstance(out, Tensor) and out.requires_grad]
        if not pairs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _backward([out for out, _ in pairs], [g for _, g in pairs])
        return (None, None) + tuple(x.grad if isinstance(x, Tensor) else None for x in detached)


# --- use_reentrant=False ------------------------------------------------------------------------
class _Holder:
    """What a checkpointed node keeps for one saved value: per backward pass, the handle under
    which its recomputed value waits (None once read)."""

    __slots__ = ("handles", "__weakref__")

    def __init__(self):
        self.handles = {}


class _Handle:
    __slots__ = ("__weakref__",)


class _StopRecomputation(Exception):
    """Raised from the recomputation's pack hook once every placeholder is filled (early stop)."""


class _Frame:
    """One checkpointed call: its inputs (kept through the hooks in force around it, which for a
    nested checkpoint are its parent's), a weak reference to each placeholder its forward
    packed, in order, and per backward pass the values recomputed for them."""

    def __init__(self, recompute, early_stop, metadata, log):
        self.recompute = recompute
        self.early_stop = early_stop
        self.metadata = metadata  # the determinism check: tensor -> what must match (None: none)
        self.log = log  # (forward, recomputation) lists of saved values with debug=True, else None
        self.inputs = []
        self.holders = []
        self.metas = []
        self.recomputed = defaultdict(weakref.WeakKeyDictionary)  # pass -> handle -> Tensor
        self.counts = defaultdict(int)  # pass -> values saved so far by its recomputation
        self.done = set()  # passes that have recomputed
        self.forward_completed = False
        self.ignore_mismatch = False

    def save_inputs(self, args):
        self.inputs = [graph._SavedTensor(a) if isinstance(a, Tensor) else a for a in args]

    def get_inputs(self):
        return [a.unpack() if isinstance(a, graph._SavedTensor) else a for a in self.inputs]

    def forget(self, gid):
        """Drop what was recomputed for pass ``gid`` and not read (it has ended)."""
        self.recomputed.pop(gid, None)
        self.counts.pop(gid, None)
        self.done.discard(gid)
        for ref in self.holders:
            holder = ref()
            if holder is not None:
                holder.handles.pop(gid, None)

    def check(self, gid):
        """Raise ``CheckpointError`` unless the recomputation saved what the forward saved."""
        if self.ignore_mismatch:
            return
        if len(self.holders) != self.counts[gid]:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the original forward "
                f"and recomputation.\nNumber of tensors saved during forward: {len(self.holders)}\n"
                f"Number of tensors saved during recomputation: {self.counts[gid]}.\n{_DEBUG_TIP}")
        if self.metadata is None:
            return
        mismatched = []
        for i, ref in enumerate(self.holders):
            holder = ref()
            if holder is None:  # its node has run and released it
                continue
            now = self.metadata(self.recomputed[gid][holder.handles[gid]])
            if now != self.metas[i]:
                mismatched.append(f"tensor at position {i}:\nsaved metadata: {self.metas[i]}\n"
                                  f"recomputed metadata: {now}\n")
        if mismatched:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have different metadata "
                f"than during the forward pass.\n{''.join(mismatched)}.\n{_DEBUG_TIP}")


def _metadata(x):
    return {"shape": x.shape, "dtype": x.dtype, "device": x.device}


_DETERMINISM_CHECKS = {"default": _metadata, "none": None}


class _CheckpointHooks(graph.saved_tensors_hooks):
    """The checkpointed forward's hooks: each saved value becomes an empty placeholder."""

    def __init__(self, frame):
        def pack(x):
            holder = _Holder()
            frame.holders.append(weakref.ref(holder))
            if frame.metadata is not None:
                frame.metas.append(frame.metadata(x))
            if frame.log is not None:
                frame.log[0].append(_log_entry(x))
            return holder

        def unpack(holder):
            task = current_task()
            gid = task.id if task is not None else next(_outside)
            if gid not in frame.done:
                _recompute(frame, gid)
                if task is not None:
                    queue_callback(functools.partial(_forget, weakref.ref(frame), gid))
            if gid not in holder.handles:
                raise AssertionError("checkpoint: the recomputation filled no value for this placeholder")
            handle = holder.handles[gid]
            if handle is None:
                raise CheckpointError(
                    "torch.utils.checkpoint: Unpack is being triggered for a tensor that was already "
                    "unpacked once. If you are calling ctx.saved_tensors in backward, make sure to do so "
                    "only once. Otherwise please open an issue with details on your use case.")
            value = frame.recomputed[gid].pop(handle)
            holder.handles[gid] = None
            if task is None:
                frame.forget(gid)
            return value

        super().__init__(pack, unpack)


def _forget(frame_ref, gid):
    """At the end of backward pass ``gid``: what it recomputed and did not read is dropped. The
    frame is held weakly: its inputs are freed once its nodes have all run, not at the pass's end."""
    frame = frame_ref()
    if frame is not None:
        frame.forget(gid)


def _recompute(frame, gid):
    """Rerun the checkpointed function for pass ``gid``, filing each value it saves into the
    forward's placeholder at the same position."""
    try:
        with _RecomputationHooks(weakref.ref(frame), gid), enable_grad():
            frame.recompute(*frame.get_inputs())
    except _StopRecomputation:
        pass
    except CheckpointError as e:
        _raise_with_log(frame, e)
    frame.done.add(gid)
    try:
        frame.check(gid)
    except CheckpointError as e:
        _raise_with_log(frame, e)


class _RecomputationHooks(graph.saved_tensors_hooks):
    """The recomputation's hooks: each saved value fills the next placeholder."""

    def __init__(self, frame_ref, gid):
        def pack(x):
            x = x.detach() if x._requires_grad else x
            frame = frame_ref()
            index = frame.counts[gid]
            frame.counts[gid] += 1
            if frame.log is not None:
                frame.log[1].append(_log_entry(x))
            if index >= len(frame.holders):
                if not frame.forward_completed:  # a backward inside the checkpointed forward
                    frame.ignore_mismatch = True
                    return x
                raise CheckpointError("torch.utils.checkpoint: trying to save more tensors during "
                                      f"recomputation than during the original forward pass.\n{_DEBUG_TIP}")
            holder = frame.holders[index]()
            if holder is not None:  # else its node has run already: nothing to file
                handle = holder.handles[gid] = _Handle()
                frame.recomputed[gid][handle] = x
            if frame.early_stop and frame.counts[gid] == len(frame.holders):
                raise _StopRecomputation
            return x

        super().__init__(pack, lambda x: x)


_PACKAGE = str(Path(__file__).resolve().parent.parent)


def _log_entry(x):
    """A saved value for ``debug=True``'s report: the node that saved it, its shape and dtype, and
    the calls outside minigrad that led there."""
    node = graph._packing_node()
    frames = [f for f in traceback.extract_stack()[:-1] if not f.filename.startswith(_PACKAGE)]
    where = "".join(traceback.format_list(frames[-3:]))
    name = node.name if node is not None else "checkpoint input"
    return f"{name}: {tuple(x.shape)} {x.dtype.name}\n{where}"


def _raise_with_log(frame, error):
    if frame.log is None:
        raise error
    forward, recomputed = ("\n".join(f"({i + 1} of {len(log)}) {entry}" for i, entry in enumerate(log))
                           for log in frame.log)
    raise CheckpointError(
        "An error happened while unpacking tensors; the values saved in the original forward and in the "
        "recomputation follow, with where each was saved, because you passed `debug=True` to "
        f"`torch.utils.checkpoint.checkpoint()`.\n\nSaved during the original forward:\n\n{forward}\n\n"
        f"Saved during recomputation:\n\n{recomputed}\n\nERROR: {error}") from error


def _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check, debug,
                                  early_stop, args, kwargs):
    log = None
    if _debug if _debug is not None else debug:
        if context_fn is not noop_context_fn:
            raise ValueError("debug=True is incompatible with non-default context_fn")
        log = ([], [])
    if determinism_check not in _DETERMINISM_CHECKS:
        raise ValueError(f"determinism_check should be one of {list(_DETERMINISM_CHECKS)}, but got "
                         f"{determinism_check}")
    forward_context, recompute_context = context_fn()
    if preserve_rng_state:
        rng_state = _random.default_generator._snapshot()

    def recompute(*inputs):
        with _random.fork_rng(enabled=preserve_rng_state):
            if preserve_rng_state:
                _random.default_generator._restore(rng_state)
            with recompute_context:
                function(*inputs, **kwargs)

    if not is_grad_enabled():  # nothing is saved: a plain call
        return function(*args, **kwargs)
    frame = _Frame(recompute, _early_stop if _early_stop is not None else early_stop,
                   _DETERMINISM_CHECKS[determinism_check], log)
    frame.save_inputs(args)
    failed = False
    with _CheckpointHooks(frame), forward_context:
        try:
            out = function(*args, **kwargs)
        except BaseException:
            failed = True
            raise
    if failed:  # the forward context swallowed the exception: there is no result to return
        raise RuntimeError(
            "torch.utils.checkpoint: the forward context provided by context_fn suppressed an exception "
            "raised during the checkpointed forward. This is not supported because checkpoint cannot return "
            "a value for a failed forward.")
    frame.forward_completed = True
    return out


# --- the public entry points --------------------------------------------------------------------
def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """``function(*args, **kwargs)``, keeping only the inputs for backward, which recomputes the rest.

    See the module docstring for the two implementations.

    Args:
        function: what to run; called once in forward and again during backward.
        *args: its positional arguments (Tensors and anything else).
        use_reentrant: False (recommended) or True; not passing it warns and means True, as in PyTorch.
        preserve_rng_state: recompute from the random state the forward started from (default);
            False draws fresh numbers, so dropout's masks differ.
        context_fn: ``() -> (forward_context, recompute_context)``, two context managers entered
            around the forward and the recomputation (``use_reentrant=False`` only).
        determinism_check: ``"default"`` checks the recomputed values' shapes, dtypes and devices
            against the forward's; ``"none"`` does not (``use_reentrant=False`` only).
        debug: on a mismatch, report every value saved in the forward and the recomputation with
            where it was saved (``use_reentrant=False`` only).
        early_stop: stop the recomputation once every value backward needs is back
            (``use_reentrant=False`` only; ``set_checkpoint_early_stop`` overrides it).
        **kwargs: keyword arguments for ``function`` (``use_reentrant=False`` only).

    Returns:
        What ``function`` returns.

    Raises:
        ValueError: keyword arguments, ``context_fn`` or ``debug`` with ``use_reentrant=True``;
            an unknown ``determinism_check``.

    >>> import minigrad as mg
    >>> from minigrad.utils.checkpoint import checkpoint
    >>> x = mg.tensor([1.0, 2.0], requires_grad=True)
    >>> checkpoint(lambda a: (a.tanh() * a).sum(), x, use_reentrant=False).backward()
    >>> (grad, x.grad) = (x.grad, None)
    >>> (x.tanh() * x).sum().backward()
    >>> bool((grad == x.grad).all())
    True
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint: " + _USE_REENTRANT, stacklevel=2)
        use_reentrant = True
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve_rng_state, *args)
    return _checkpoint_without_reentrant(function, preserve_rng_state, context_fn, determinism_check, debug,
                                         early_stop, args, kwargs)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """The modules (or functions) of ``functions`` applied in turn to ``input``, in ``segments``
    chunks of ``len(functions) // segments``, each but the last checkpointed.

    The last chunk (with the functions left over) runs as usual: backward needs its activations
    first. Only each checkpointed chunk's input is kept.

    Args:
        functions: an ``nn.Sequential`` or a list of modules or functions.
        segments: the number of chunks.
        input: the Tensor the first function receives.
        use_reentrant: as for ``checkpoint``; not passing it warns and means True.
        preserve_rng_state: as for ``checkpoint`` (the only keyword argument accepted).

    >>> import minigrad as mg
    >>> from minigrad.utils.checkpoint import checkpoint_sequential
    >>> model = mg.nn.Sequential(*[mg.nn.Linear(4, 4) for _ in range(6)])
    >>> x = mg.randn(2, 4, requires_grad=True)
    >>> out = checkpoint_sequential(model, 3, x, use_reentrant=False)
    >>> bool((out == model(x)).all())
    True
    """
    if use_reentrant is None:
        warnings.warn("torch.utils.checkpoint.checkpoint_sequential: " + _USE_REENTRANT, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    from ..nn import Sequential  # minigrad.nn imports much of the package: only when used
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run_function(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1)(input)
