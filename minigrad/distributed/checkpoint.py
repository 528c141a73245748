"""Checkpoints in a data-parallel job: one rank writes, every rank can read.

All ranks hold the same parameters after each step (DDP keeps them identical), so one copy is
enough. ``save_on_main`` lets rank ``src`` write with ``mg.save`` (a temporary file in the same
directory, fsync, rename: atomic) while the others wait for its word (a one-byte broadcast sent
after the rename), so that when it returns on any rank the file is complete and ``mg.load``
works everywhere. If the writer fails, every rank raises (the others with an error naming
the writer) instead of waiting forever.
"""

import os

from .. import serialization
from ..backend import device as _device
from ..tensor import Tensor
from .collectives import broadcast
from .process_group import group

__all__ = ["save_on_main", "load"]


def save_on_main(obj, path, src=0):
    """Write ``obj`` to ``path`` from rank ``src`` only (``mg.save``); all ranks return once it is on disk.

    Args:
        obj: what ``mg.save`` accepts (a state dict, or a dict of them).
        path: the file; only rank ``src`` needs it to be writable.
        src: the writing rank.

    Returns:
        ``path``, on every rank.
    """
    pg = group("save_on_main")
    error = None
    if pg.rank == src:
        try:
            serialization.save(obj, path)
        except Exception as err:  # told to the others below, then re-raised here
            error = err
    failed = Tensor._wrap(_device("cpu").backend.asarray([error is not None], None, None),
                          _device("cpu"))
    broadcast(failed, src)
    if error is not None:
        raise error
    if bool(failed.item()):
        raise RuntimeError(f"save_on_main: rank {src} failed to write {path!r} (see its error); "
                           f"rank {pg.rank} stops too")
    return path


def load(path, map_location=None):
    """``mg.load(path)`` on this rank, with an error naming the rank when the file is missing."""
    if not os.path.exists(path):
        pg = group("load")
        raise FileNotFoundError(f"minigrad.distributed.load: rank {pg.rank} cannot see {path!r} (on several "
                                "hosts, write checkpoints to a file system that every host mounts)")
    return serialization.load(path, map_location=map_location)
