"""Collectives on picklable Python objects: ``all_gather_object``, ``broadcast_object_list``.

For metrics, configuration, file names: each object is pickled into a uint8 tensor, the sizes
are exchanged first so every rank can allocate room for the largest, then the bytes travel by
the tensor collectives (with their timeout). Pickle runs code when loading, so only exchange
objects between the ranks of your own job (PyTorch's rule too).
"""

import pickle

import numpy as np

from ..creation import from_numpy
from .collectives import all_gather, broadcast
from .process_group import group

__all__ = ["all_gather_object", "broadcast_object_list"]


def _to_bytes(obj):
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8).copy()  # writable: collectives write in place


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list`` (world-size long) with every rank's ``obj``, on every rank.

    ``obj`` must be picklable; ``object_list[r]`` is rank r's.
    """
    pg = _group_of(group, "all_gather_object")
    if len(object_list) != pg.size:
        raise ValueError(f"all_gather_object: object_list has {len(object_list)} slots for a world of "
                         f"{pg.size}")
    data = _to_bytes(obj)
    sizes = [from_numpy(np.zeros(1, dtype=np.int64)) for _ in range(pg.size)]
    all_gather(sizes, from_numpy(np.array([data.size], dtype=np.int64)))
    longest = max(int(s.item()) for s in sizes)
    padded = np.zeros(longest, dtype=np.uint8)
    padded[:data.size] = data
    gathered = [from_numpy(np.zeros(longest, dtype=np.uint8)) for _ in range(pg.size)]
    all_gather(gathered, from_numpy(padded))
    for r, (size, payload) in enumerate(zip(sizes, gathered)):
        object_list[r] = pickle.loads(payload.numpy()[:int(size.item())].tobytes())


def broadcast_object_list(object_list, src=0, group=None):
    """Replace ``object_list``'s items on every rank by rank ``src``'s (the lists have equal length)."""
    pg = _group_of(group, "broadcast_object_list")
    data = _to_bytes(list(object_list)) if pg.rank == src else np.zeros(0, dtype=np.uint8)
    size = from_numpy(np.array([data.size], dtype=np.int64))
    broadcast(size, src)
    payload = from_numpy(data if pg.rank == src else np.zeros(int(size.item()), dtype=np.uint8))
    broadcast(payload, src)
    received = pickle.loads(payload.numpy().tobytes())
    if len(received) != len(object_list):
        raise ValueError(f"broadcast_object_list: rank {src} sent {len(received)} objects, rank "
                         f"{pg.rank}'s list has {len(object_list)} slots")
    object_list[:] = received


def _group_of(given, op):
    if given is not None:
        raise NotImplementedError("minigrad.distributed: only the default group (group=None) is supported")
    return group(op)
