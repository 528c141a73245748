"""Views and in-place ops with PyTorch's semantics.

A view shares storage with its base: ``v = b[:2]`` is NumPy's view of ``b``'s array, so a write
through either is seen by both. Autograd follows the same storage:

- A view remembers its base (the tensor that owns the storage) and the chain of view ops that
  makes it from the base; views of views compose their chains. View and base share one version
  counter.
- An in-place op ``t.op_(...)`` computes its result as a recorded node, writes it into ``t``'s
  storage and bumps the shared version. ``t`` then stands for the node's output. If ``t`` is a
  view, its base is rebased instead: the base becomes the output of a ``CopySlices`` node (the
  old base with the view's region replaced by the result), as PyTorch does.
- Every view whose version no longer matches the one its ``grad_fn`` was made at regenerates it
  on its next use by replaying its chain on the base, so it sees writes made through the base
  or through a sibling view.
- A saved value that was overwritten raises at ``backward()`` (the version check in
  ``Node.saved_tensors``).
"""

from ..dtypes import bool_
from ..tensor import Tensor
from .grad_mode import _enabled, enable_grad, no_grad
from .graph import _top as _hooks_top


def track(view, source, op, attrs, output_nr=None):
    """Make ``view``, the output of view op ``op`` on ``source`` (its output ``output_nr`` for an
    op of several outputs, such as ``split``), a view of ``source``'s base."""
    step = (op, attrs, output_nr)
    if source._base is None:
        view._base, view._view_chain = source, (step,)
    else:
        view._base, view._view_chain = source._base, source._view_chain + (step,)
    view._version = source._version
    view._view_version = source._version[0]
    view._no_grad_view = source._no_grad_view or not _enabled.get()


def replay(tensor, chain):
    """Apply the view ops of ``chain`` to ``tensor``."""
    for op, attrs, output_nr in chain:
        tensor = op.apply(tensor, **attrs)
        if output_nr is not None:
            tensor = tensor[output_nr]
    return tensor


def refresh(view):
    """Regenerate a view's autograd identity from its base after an in-place write.

    A view made with recording off stays out of the graph, and stale: used where recording is on
    after such a write, it raises, as in PyTorch (whether the write should reach it is ambiguous).
    """
    base = view._base
    tracked = base._requires_grad or view._requires_grad
    if tracked and view._no_grad_view:
        if _enabled.get():
            raise RuntimeError(_NO_GRAD_VIEW.format(
                "its base or another view of its base has been modified inplace"))
        return
    view._view_version = view._version[0]
    if not tracked:
        return
    with enable_grad():
        fresh = replay(base, view._view_chain)
    regraft(view, fresh._grad_fn, fresh._output_nr)
    view._requires_grad = fresh._requires_grad


def regraft(t, node, output_nr):
    """``t`` becomes output ``output_nr`` of ``node``; its ``retain_grad`` hook moves along, so
    that ``t.grad`` is the gradient of the value ``t`` holds now, as in PyTorch."""
    keep = t._retain_hook
    if keep is not None:
        t._grad_fn._hooks[t._output_nr].remove(keep)
        node.register_hook_for_output(output_nr, keep)
    t._grad_fn, t._output_nr = node, output_nr


_NO_GRAD_VIEW = ("A view was created in no_grad mode and {} with grad mode enabled. Given that this use "
                 "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving "
                 "both the view and the inplace either both inside the no_grad block (if you don't want the "
                 "inplace to be tracked) or both outside (if you want the inplace to be tracked).")


def check_inplace_allowed(t):
    """PyTorch's rules for an in-place op recorded in a graph: never into a leaf that requires
    grad, a view made with recording off, or an output of a custom Function that shares an
    input's storage (the write would bypass the Function's backward), nor into a view of these."""
    view = t._base is not None
    if view and t._no_grad_view:
        raise RuntimeError(_NO_GRAD_VIEW.format("is being modified inplace"))
    owner = t._base if view else t
    if owner._function_alias:
        raise RuntimeError(
            f"Output {owner._output_nr} of {owner._grad_fn.op_name} is a view and is being modified inplace. "
            "This view was created inside a custom Function (or because an input was returned as-is) and "
            "the autograd logic to handle view+inplace would override the custom backward associated with "
            "the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix "
            "this by cloning the output of the custom Function.")
    if owner._grad_fn is None and owner._requires_grad:
        what = "a view of a leaf" if view else "a leaf"
        raise RuntimeError(f"{what} {owner.describe()} that requires grad is being used in an in-place "
                           "operation; wrap it in mg.no_grad() or use an out-of-place op")


def write(t, array, op):
    """Write ``array``, the result of ``op``, into ``t``'s storage (every view of it sees the new
    values); refused where elements of ``t`` share memory, unless all get one value (``fill_``)."""
    backend = t.device.backend
    if not op.writes_one_value and backend.overlaps_itself(t.array):
        raise overlap_error(op.__name__)
    try:
        backend.assign(t.array, array)
    except ValueError as err:
        raise write_error(err, op.__name__, t, array) from None


def overlap_error(op_name):
    return RuntimeError(
        f"{op_name}: unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location (an expand(), a broadcast, or windows of unfold() that overlap); clone() "
        "the tensor before writing to it")


def write_error(err, op_name, t, value):
    """The error for a write the backend refused: into a read-only view (windows of unfold() that
    overlap), or of the wrong shape."""
    if "read-only" in str(err):
        return overlap_error(op_name)
    shape = getattr(value, "shape", ())
    return RuntimeError(f"{op_name}: cannot write a value of shape {tuple(shape)} into a tensor of "
                        f"shape {tuple(t.shape)} ({err})")


def commit(t, result):
    """``t``, whose storage now holds ``result``'s values, takes ``result``'s place in the graph."""
    t._version[0] += 1
    rebase(t, result)


def rebase(t, result):
    """``t``, written in place (its version counted), takes ``result``'s place in the graph: as
    its own ``grad_fn``, or for a view through a ``CopySlices`` node on its base, which must be
    newer than ``result``'s node (the engine runs nodes newest first)."""
    if t._base is None:
        regraft(t, result._grad_fn, result._output_nr)
        t._requires_grad = True
        return
    from ..ops.indexing import CopySlices  # ops import autograd: imported when first needed
    base = t._base
    rebased = CopySlices.apply(_alias(base), result, chain=t._view_chain)
    regraft(base, rebased._grad_fn, 0)
    base._requires_grad = True
    # every view of base regenerates its grad_fn from base on next use; t at once if it retains
    # its gradient, which is then the gradient of t's new value wherever t is used (PyTorch's)
    if t._retain_hook is not None:
        refresh(t)


def apply_inplace(t, op, *args, **attrs):
    """``t = op(t, *args)`` in place: the result is written into ``t``'s storage.

    Without a graph to record this is a computation and a write. With one, the op is recorded on
    a snapshot of ``t`` (which keeps its own copy of the old values if the op saved them for
    backward), and ``t`` (or its base, through ``CopySlices``) is rebased on the result.
    """
    if t._base is not None and t._version[0] != t._view_version:
        refresh(t)
    records = _enabled.get() and (t._requires_grad or t._base is not None and t._base._requires_grad
                                  or any(isinstance(a, Tensor) and a._requires_grad for a in args))
    if not records:
        with no_grad():
            out = op.apply(t, *args, **attrs)
        if out.array is not t.array:
            _check_shape(t, out, op)
            write(t, out.array, op)
        t._version[0] += 1
        return t
    check_inplace_allowed(t)
    before = _alias(t)
    # Under saved-tensor hooks the node keeps what pack_hook made of ``before`` (a detached
    # Tensor, a checkpoint's placeholder), which a copy made after the op would not reach: the
    # op then reads a copy from the start, also where ``t`` is an operand too (``y.mul_(y)``).
    hooked = _hooks_top.get() is not None
    if hooked:
        before.array = t.device.xp.asarray(before.array, copy=True)
        args = tuple(before if a is t else a for a in args)
    out = op.apply(before, *args, **attrs)
    _check_shape(t, out, op)
    node = out._grad_fn
    if node is not None and not hooked and node._saves(before):
        before.array = t.device.xp.asarray(before.array, copy=True)  # the old values backward needs
    write(t, out.array, op)
    if node is None:  # nothing differentiable came out (an integer result)
        t._version[0] += 1
        return t
    commit(t, out)
    return t


def written_back(t, inplace, compute):
    """``compute(t)``, or with ``inplace=True`` PyTorch's in-place form of it (``F.relu(x,
    inplace=True)``, ``nn.Dropout(inplace=True)``): the result written into ``t``'s storage, which
    every view of it sees, and ``t`` returned. A recorded graph is computed from a copy of ``t``,
    so the values its backward saved are not the ones overwritten."""
    if not inplace:
        return compute(t)
    source = t.clone() if _enabled.get() and t.requires_grad else t
    return t.copy_(compute(source))


def _check_shape(t, out, op):
    if out.shape != t.shape:
        raise RuntimeError(f"{op.__name__.lower()}_: output with shape {tuple(t.shape)} doesn't match "
                           f"the broadcast shape {tuple(out.shape)}")


def _alias(t):
    """A Tensor standing for ``t`` as it is now: same array and graph position, own version."""
    alias = Tensor._output_of(t._grad_fn, t._output_nr, t.array, t.device) if t._grad_fn is not None \
        else Tensor._wrap(t.array, t.device)
    alias._requires_grad = t._requires_grad
    alias._version = [t._version[0]]
    return alias


def region(like, chain):
    """A bool Tensor of ``like``'s shape, True where ``chain`` reads."""
    device = like.device
    backend = device.backend
    marker = Tensor._wrap(backend.full(like.shape, False, backend.native_dtype[bool_], device.index),
                          device)
    with no_grad():
        backend.assign(replay(marker, chain).array, True)
    return marker
