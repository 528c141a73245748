"""The CPU transport: NumPy arrays through MPI's non-blocking collectives, from their own memory.

mpi4py reads a NumPy array's buffer directly (the buffer protocol), so ``Iallreduce(IN_PLACE,
array)`` reduces the tensor's storage itself: no copy in, no copy out. What MPI cannot do
directly is done through a documented copy:

* float16 (MPI has no half type in Open MPI 4): reduced in a float32 copy, cast back;
* bool: reduced as uint8 bytes, ``sum``/``max`` as logical or, ``min``/``product`` as and;
* a non-contiguous array (a transposed view): reduced in a contiguous copy, written back into
  the view (so into the storage it views).
"""

import numpy as np

_BOOL_OP = {"sum": "max", "max": "max", "min": "min", "product": "min", "bor": "max", "band": "min"}


class MPITransport:
    """All-reduce, broadcast and all-gather of NumPy arrays over an mpi4py communicator."""

    def __init__(self, MPI, comm):
        self.MPI = MPI
        self.comm = comm
        self.ops = {"sum": MPI.SUM, "product": MPI.PROD, "max": MPI.MAX, "min": MPI.MIN,
                    "band": MPI.BAND, "bor": MPI.BOR, "bxor": MPI.BXOR}

    def _wire(self, array, op):
        """(the buffer MPI reduces, the op, a copy-back function or None) for ``array``."""
        if array.dtype == np.bool_:
            if op not in _BOOL_OP:
                raise TypeError(f"all_reduce: op '{op}' is not defined for bool tensors")
            op = _BOOL_OP[op]
            if array.flags.c_contiguous:
                return array.view(np.uint8), op, None
            wire = np.ascontiguousarray(array).view(np.uint8)
            return wire, op, lambda: np.copyto(array, wire.view(np.bool_))
        if array.dtype == np.float16:
            wire = array.astype(np.float32)
            return wire, op, lambda: np.copyto(array, wire, casting="same_kind")
        if not array.flags.c_contiguous:
            wire = np.ascontiguousarray(array)
            return wire, op, lambda: np.copyto(array, wire)
        return array, op, None

    @staticmethod
    def _writable(array, op):
        if not array.flags.writeable:
            raise ValueError(f"minigrad.distributed.{op}: the tensor's storage is read-only (a broadcast "
                             "view?); collectives write in place: pass a tensor that owns its memory "
                             "(.clone())")

    def all_reduce(self, array, op):
        """Start reducing ``array`` in place across ranks; returns (test, finish, keep)."""
        self._writable(array, "all_reduce")
        wire, op, back = self._wire(array, op)
        request = self.comm.Iallreduce(self.MPI.IN_PLACE, wire, self.ops[op])
        return request.Test, back, wire

    def broadcast(self, array, src):
        """Start copying rank ``src``'s ``array`` into everyone's (as raw bytes: any dtype)."""
        self._writable(array, "broadcast")
        if array.flags.c_contiguous:
            wire, back = _bytes(array), None
        else:
            staged = np.ascontiguousarray(array)
            wire, back = _bytes(staged), (lambda: np.copyto(array, staged))
        request = self.comm.Ibcast(wire, root=src)
        return request.Test, back, wire

    def all_gather(self, array, world):
        """Start gathering every rank's ``array``; finish() returns a (world, *shape) array."""
        send = np.ascontiguousarray(array)
        out = np.empty((world,) + send.shape, dtype=send.dtype)
        request = self.comm.Iallgather(_bytes(send), _bytes(out))
        return request.Test, (lambda: out), (send, out)

    def barrier(self):
        request = self.comm.Ibarrier()
        return request.Test, None, None

    def abort(self):
        pass  # MPI_Abort (the process group's) ends everything

    def close(self):
        pass


def _bytes(array):
    """A contiguous array's memory as a 1-D uint8 view (data movement needs no MPI datatype)."""
    return array.reshape(-1).view(np.uint8)
