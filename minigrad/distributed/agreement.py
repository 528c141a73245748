"""Keeping the ranks in step: every collective's fingerprint is compared, and a rank that leaves says so.

All ranks must make the same collectives in the same order with tensors of the same size and
dtype. When they do not (one rank ran a batch fewer, or reduced a tensor of another shape), MPI
itself either hangs, truncates (``MPI_ERR_TRUNCATE``) or silently combines unrelated buffers.
So each collective also starts a tiny all-gather of its *fingerprint* (op, reduction or source
rank, dtype, element count: five int64) on a communicator of its own, where the k-th fingerprint of
every rank always meets the k-th of the others. ``Work.wait`` only reports success once the
fingerprints agree; otherwise it raises ``DistError`` saying which ranks disagree and on what.
The fingerprint travels beside the data (both are non-blocking), so it costs one small message
per collective, not a round trip before it.

A rank that stops making collectives because it left the program (``sys.exit``, returning from
``main``, the end of the script) would leave the others waiting until the timeout, and then hang
in ``MPI_Finalize``. At exit (and in ``destroy_process_group``) each rank therefore tells the
others how many collectives it made; a rank waiting in a later collective raises ``DistError``
naming the rank that left, at once.
"""

import time

import numpy as np

from .process_group import DistError

_LEFT = 3  # tag on the side communicator (work.py uses 1 and 2)
# fingerprint fields: op, reduction or source, dtype, element count
_OPS = ("all_reduce", "all_reduce (DDP gradients)", "all_reduce (DDP used parameters)", "broadcast",
        "all_gather", "barrier")
_REDUCTIONS = ("sum", "avg", "product", "min", "max", "band", "bor", "bxor")
_DTYPES = ("bool", "int8", "uint8", "int16", "int32", "int64", "float16", "float32", "float64")


class Fingerprint:
    """One collective's fingerprint, being all-gathered from every rank."""

    __slots__ = ("mine", "everyone", "request")

    def __init__(self, pg, op, detail, array):
        dtype = -1 if array is None else _code(_DTYPES, str(array.dtype))
        size = 0 if array is None else int(array.size)
        self.mine = np.array([_code(_OPS, op), detail, dtype, size], dtype=np.int64)
        self.everyone = np.empty((pg.size, 4), dtype=np.int64)
        self.request = pg.check.Iallgather(self.mine, self.everyone)

    def test(self):
        return self.request.Test()

    def disagreement(self, pg, seq):
        """None when every rank made the same collective, else a sentence naming who made what."""
        rows = {tuple(row) for row in self.everyone.tolist()}
        if len(rows) == 1:
            return None
        groups = {}
        for rank, row in enumerate(self.everyone.tolist()):
            groups.setdefault(tuple(row), []).append(rank)
        described = "; ".join(f"rank{'s' if len(ranks) > 1 else ''} {', '.join(map(str, ranks))}: "
                              f"{_describe(row)}" for row, ranks in groups.items())
        return (f"minigrad.distributed: rank {pg.rank} of {pg.size}: the ranks disagree on collective "
                f"#{seq} ({described}). Every rank must make the same collectives in the same order with "
                "tensors of the same size and dtype: did one rank run fewer batches or steps than the "
                "others? (DistributedSampler gives every rank the same number of samples; make the "
                "loaders and loops equal in length)")


def _code(table, name):
    return table.index(name) if name in table else len(table)


def _describe(row):
    op, detail, dtype, size = row
    name = _OPS[op] if op < len(_OPS) else "another collective"
    if name == "barrier":
        return name
    what = ""
    if name == "broadcast":
        what = f" from rank {detail}"
    elif name.startswith("all_reduce") and 0 <= detail < len(_REDUCTIONS):
        what = f" ({_REDUCTIONS[detail]})"
    dtype = _DTYPES[dtype] if 0 <= dtype < len(_DTYPES) else "other"
    return f"{name}{what} of {size:,} {dtype} value{'s' if size != 1 else ''}"


def reduction_code(op):
    return _code(_REDUCTIONS, op)


def announce_departure(pg):
    """Tell every other rank that this one makes no more collectives after its ``pg.seq``-th."""
    requests = [pg.side.isend(pg.seq, dest=r, tag=_LEFT) for r in range(pg.size) if r != pg.rank]
    until = time.monotonic() + 1.0  # small messages leave at once; never hold up the exit for long
    while requests and time.monotonic() < until:
        requests = [r for r in requests if not r.Test()]
        time.sleep(0.001)


def collect_departures(pg, status):
    """Record the departures announced so far (``pg.departed``: rank -> collectives it made)."""
    side = pg.side
    while side.iprobe(tag=_LEFT):
        made = side.recv(source=_any_source(), tag=_LEFT, status=status)
        pg.departed[status.Get_source()] = made


def check_departures(pg, op, seq):
    """Raise DistError if a rank that left made fewer collectives than ``seq``: it will never join."""
    gone = sorted(r for r, made in pg.departed.items() if made < seq)
    if gone:
        made = pg.departed[gone[0]]
        raise DistError(f"minigrad.distributed: rank {pg.rank} of {pg.size} waits in {op} (collective "
                        f"#{seq}), but rank{'s' if len(gone) > 1 else ''} {', '.join(map(str, gone))} left "
                        f"the program after collective #{made} (returned, called sys.exit, or reached the "
                        "end of the script): every rank must make the same collectives; aborting the job")


def _any_source():
    from mpi4py import MPI
    return MPI.ANY_SOURCE
