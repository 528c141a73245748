"""The GPU transport: CuPy arrays through NCCL, device memory to device memory.

One process per GPU: a rank uses GPU ``local_rank % device_count`` (local rank = its rank among
the processes on the same host, ``get_node_local_rank()``). Rank 0 creates NCCL's
unique id and the others receive it over MPI (``ncclCommInitRank``). Each collective runs on a
dedicated stream that first waits for the work already queued on the current stream (so it
sees finished gradients), and records a CUDA event that ``Work.wait`` polls against the timeout.

Not run by CI (no GPU there); written against CuPy's documented ``cupy.cuda.nccl`` API.
"""

_BOOL_OP = {"sum": "max", "max": "max", "min": "min", "product": "min"}


class NCCLTransport:
    """All-reduce, broadcast and all-gather of CuPy arrays over an NCCL communicator."""

    def __init__(self, comm, local_rank):
        try:
            import cupy
            from cupy.cuda import nccl
        except ImportError as err:
            raise RuntimeError("init_process_group('nccl') needs CuPy with NCCL: pip install "
                               f"'minigrad[gpu]' ({err})") from None
        if not getattr(nccl, "available", True):
            raise RuntimeError("init_process_group('nccl'): this CuPy has no NCCL (install a CuPy wheel for "
                               "your CUDA version, which bundles it, or NCCL itself)")
        self.cupy, self.nccl = cupy, nccl
        count = cupy.cuda.runtime.getDeviceCount()
        if count == 0:
            raise RuntimeError("init_process_group('nccl'): no GPU found on this host")
        self.local_rank = local_rank
        self.device_id = self.local_rank % count
        cupy.cuda.Device(self.device_id).use()
        uid = nccl.get_unique_id() if comm.Get_rank() == 0 else None
        uid = comm.bcast(uid, root=0)
        self.comm = nccl.NcclCommunicator(comm.Get_size(), uid, comm.Get_rank())
        self.stream = cupy.cuda.Stream(non_blocking=True)
        self.dtypes = {"float16": nccl.NCCL_FLOAT16, "float32": nccl.NCCL_FLOAT32,
                       "float64": nccl.NCCL_FLOAT64, "int32": nccl.NCCL_INT32, "int64": nccl.NCCL_INT64,
                       "uint8": nccl.NCCL_UINT8, "int8": nccl.NCCL_INT8}
        self.ops = {"sum": nccl.NCCL_SUM, "product": nccl.NCCL_PROD, "max": nccl.NCCL_MAX,
                    "min": nccl.NCCL_MIN}

    def _check(self, array, op):
        if array.device.id != self.device_id:
            raise RuntimeError(f"minigrad.distributed.{op}: the tensor is on cuda:{array.device.id} but this "
                               f"rank's NCCL communicator uses cuda:{self.device_id} (local rank "
                               f"{self.local_rank}); move it with .to('cuda:{self.device_id}')")

    def _launch(self, call, keep):
        """Run ``call(stream_ptr)`` on the communication stream after the current stream's work."""
        cuda = self.cupy.cuda
        ready = cuda.Event(disable_timing=True)
        ready.record(cuda.get_current_stream())
        self.stream.wait_event(ready)
        call(self.stream.ptr)
        done = cuda.Event(disable_timing=True)
        done.record(self.stream)

        def test():
            if done.done:
                return True
            self.comm.check_async_error()
            return False
        return test, keep

    def _staged(self, array):
        cp = self.cupy
        if array.flags.c_contiguous:
            return array, None
        wire = cp.ascontiguousarray(array)
        return wire, lambda: array.__setitem__(Ellipsis, wire)

    def all_reduce(self, array, op):
        self._check(array, "all_reduce")
        wire, back = self._staged(array)
        if wire.dtype == self.cupy.bool_:
            if op not in _BOOL_OP:
                raise TypeError(f"all_reduce: op '{op}' is not defined for bool tensors")
            op, wire = _BOOL_OP[op], wire.view(self.cupy.uint8)
        if op not in self.ops:
            raise TypeError(f"all_reduce: NCCL has no op '{op}' (it has {sorted(self.ops)})")
        datatype = self._datatype(wire)
        test, keep = self._launch(lambda s: self.comm.allReduce(wire.data.ptr, wire.data.ptr, wire.size,
                                                                datatype, self.ops[op], s), wire)
        return test, back, keep

    def broadcast(self, array, src):
        self._check(array, "broadcast")
        staged, back = self._staged(array)
        wire = staged.reshape(-1).view(self.cupy.uint8)
        test, keep = self._launch(lambda s: self.comm.bcast(wire.data.ptr, wire.size, self.nccl.NCCL_UINT8,
                                                            src, s), wire)
        return test, back, keep

    def all_gather(self, array, world):
        self._check(array, "all_gather")
        cp = self.cupy
        send = cp.ascontiguousarray(array)
        out = cp.empty((world,) + send.shape, dtype=send.dtype)
        sent, received = send.reshape(-1).view(cp.uint8), out.reshape(-1).view(cp.uint8)
        test, keep = self._launch(lambda s: self.comm.allGather(sent.data.ptr, received.data.ptr, sent.size,
                                                                self.nccl.NCCL_UINT8, s), (send, out))
        return test, (lambda: out), keep

    def _datatype(self, array):
        try:
            return self.dtypes[array.dtype.name]
        except KeyError:
            raise TypeError(f"all_reduce: NCCL cannot reduce dtype {array.dtype}") from None

    def abort(self):
        self.comm.abort()

    def close(self):
        self.stream.synchronize()
        self.comm.destroy()
