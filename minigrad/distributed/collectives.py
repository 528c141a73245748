"""Collectives on tensors: ``all_reduce``, ``broadcast``, ``all_gather``, ``barrier`` (PyTorch's names).

Each one writes into the tensors it is given (their storage: the NumPy or CuPy array itself),
on every rank, and is a synchronisation point: all ranks must call the same collectives in the
same order. CPU tensors go through MPI, GPU tensors through NCCL (``init_process_group("nccl")``).
With ``async_op=True`` the call returns a ``Work`` at once; ``work.wait()`` finishes it.

These are not recorded in the autograd graph (as in PyTorch); the differentiable all-reduce is
``minigrad.distributed.functional.all_reduce``.
"""

from ..tensor import Tensor
from .agreement import reduction_code
from .process_group import group as _process_group
from .work import Work

__all__ = ["ReduceOp", "all_reduce", "broadcast", "all_gather", "barrier"]


class ReduceOp:
    """The reductions of ``all_reduce``; plain strings work too (``"sum"``, ``"mean"``, ``"max"``...).

    ``AVG`` (also spelled ``"mean"``) is the sum divided by the world size, floating dtypes only.
    """

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


_OPS = {"sum": "sum", "avg": "avg", "mean": "avg", "product": "product", "prod": "product", "min": "min",
        "max": "max", "band": "band", "bor": "bor", "bxor": "bxor"}


def _op(op):
    try:
        return _OPS[str(op).lower()]
    except KeyError:
        raise ValueError(f"all_reduce: unknown op {op!r}; expected one of {sorted(_OPS)} "
                         "or minigrad.distributed.ReduceOp.*") from None


def _check_tensor(tensor, op):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"minigrad.distributed.{op}: expected a minigrad Tensor, got {type(tensor).__name__}")


def _check_written(tensor, op):
    """A tensor a collective writes into: a Tensor none of whose elements share memory."""
    _check_tensor(tensor, op)
    if tensor.device.backend.overlaps_itself(tensor.array):
        raise ValueError(f"minigrad.distributed.{op}: elements of the tensor share memory (an expand()); "
                         "collectives write in place: pass a tensor that owns its memory (.clone())")


def _bump(tensor):
    tensor._version[0] += 1  # written in place, as an in-place op would


def _finish_with(steps):
    steps = [s for s in steps if s is not None]
    if not steps:
        return None

    def finish():
        for step in steps:
            step()
    return finish


def start_all_reduce(array, device, op, name="all_reduce"):
    """Start an in-place all-reduce of a raw backend ``array`` (``op`` already normalised)."""
    pg = _process_group(name)
    if op == "avg" and array.dtype.kind != "f":
        raise TypeError(f"{name}: op 'avg' (mean) needs a floating dtype, got {array.dtype}")
    test, back, keep = pg.transport(device, name).all_reduce(array, "sum" if op == "avg" else op)
    divide = None
    if op == "avg":
        def divide():
            array[...] /= pg.size
    return Work(pg, name, test, _finish_with([back, divide]), keep, reduction_code(op), array)


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across all ranks in place: afterwards every rank holds op over every rank's values.

    Args:
        tensor: a CPU (MPI) or GPU (NCCL) tensor, the same shape and dtype on every rank.
        op: ``"sum"`` (default), ``"mean"``/``"avg"``, ``"max"``, ``"min"``, ``"product"``,
            ``"band"``/``"bor"``/``"bxor"`` (integers), or ``ReduceOp.*``.
        group: only the default (world) group exists; pass None.
        async_op: return a ``Work`` instead of waiting.

    Ring all-reduce moves 2(N-1)/N × the tensor's bytes through each rank's link.
    """
    _check_written(tensor, "all_reduce")
    _no_subgroups(group)
    work = start_all_reduce(tensor.array, tensor.device, _op(op))
    _bump(tensor)
    return work if async_op else _wait(work)


def broadcast(tensor, src, group=None, async_op=False):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every other rank (same shape and dtype)."""
    _check_written(tensor, "broadcast")
    _no_subgroups(group)
    pg = _process_group("broadcast")
    if not 0 <= src < pg.size:
        raise ValueError(f"broadcast: src={src} is not a rank (world size {pg.size})")
    test, back, keep = pg.transport(tensor.device, "broadcast").broadcast(tensor.array, src)
    work = Work(pg, "broadcast", test, back, keep, src, tensor.array)
    _bump(tensor)
    return work if async_op else _wait(work)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[r]`` with rank r's ``tensor``, on every rank.

    ``tensor_list`` holds world-size tensors of ``tensor``'s shape, dtype and device.
    """
    _check_tensor(tensor, "all_gather")
    _no_subgroups(group)
    pg = _process_group("all_gather")
    if len(tensor_list) != pg.size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors for a world of {pg.size}")
    for i, t in enumerate(tensor_list):
        _check_written(t, "all_gather")
        if t.shape != tensor.shape or t.dtype != tensor.dtype or t.device != tensor.device:
            raise ValueError(f"all_gather: tensor_list[{i}] is {tuple(t.shape)} {t.dtype} on {t.device}, "
                             f"the input {tuple(tensor.shape)} {tensor.dtype} on {tensor.device}")
    test, gathered, keep = pg.transport(tensor.device, "all_gather").all_gather(tensor.array, pg.size)

    def scatter():
        out = gathered()
        for i, t in enumerate(tensor_list):
            t.device.backend.assign(t.array, out[i])
            _bump(t)
    work = Work(pg, "all_gather", test, scatter, keep, 0, tensor.array)
    return work if async_op else _wait(work)


def barrier(group=None, async_op=False):
    """Wait until every rank has called ``barrier`` (within the process group's timeout)."""
    _no_subgroups(group)
    pg = _process_group("barrier")
    test, _, _ = pg.transports["cpu"].barrier()
    work = Work(pg, "barrier", test)
    return work if async_op else _wait(work)


def _wait(work):
    work.wait()
    return None


def _no_subgroups(group):
    if group is not None:
        raise NotImplementedError("minigrad.distributed: only the default group (group=None) is supported")
