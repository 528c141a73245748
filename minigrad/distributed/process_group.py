"""The process group: who this process is (rank), how many there are (world size), and the
communicators that join them.

``mpirun -n N python train.py`` starts N copies of the script; ``init_process_group()`` reads
the rank and world size from the MPI launcher (``MPI_COMM_WORLD``) and builds:

* an MPI communicator for CPU tensors (mpi4py's buffers: NumPy arrays are sent from their own
  memory, no copies);
* with ``backend="nccl"``, an NCCL communicator (CuPy) for GPU tensors, one GPU per process, its
  unique id handed from rank 0 to the others over MPI;
* a second MPI communicator that only carries the "who is still here?" questions asked when a
  collective times out (``Work.wait``) and the "I am leaving" notices of ranks that exit, so they
  never mix with the data;
* a third that carries each collective's fingerprint, compared across ranks (``agreement.py``).

It also installs an excepthook: a rank that raises prints ``minigrad.distributed: rank R of N
raised ...`` and aborts the whole job (``MPI_Abort``), instead of leaving the other ranks
waiting for it in their next collective; and an exit handler that tells the other ranks when this
one leaves the program, so that a rank that returned early or called ``sys.exit`` is named at once.

mpi4py is imported here, lazily: importing ``mpi4py.MPI`` initialises MPI, which must happen
only in a program that asked for it.
"""

import atexit
import datetime
import os
import sys

__all__ = ["init_process_group", "destroy_process_group", "is_initialized", "is_available",
           "get_rank", "get_world_size", "get_node_local_rank", "get_backend", "DistError",
           "DistTimeoutError"]

DEFAULT_TIMEOUT = 1800.0  # seconds, PyTorch's default (30 minutes)
# Non-blocking all-reduce by Rabenseifner's algorithm (reduce-scatter by recursive halving, then
# all-gather): as bandwidth-optimal as a ring, with log2(N) latency steps instead of 2(N - 1).
# Open MPI's own choice for MPI_Iallreduce took twice as long from 64 KiB to 1 MiB here.
_OPEN_MPI_DEFAULTS = {"OMPI_MCA_coll_libnbc_iallreduce_algorithm": "3"}

_group = None  # the ProcessGroup once init_process_group has run


class DistError(RuntimeError):
    """A collective failed (PyTorch: ``torch.distributed.DistError``)."""


class DistTimeoutError(DistError, TimeoutError):
    """A collective did not complete within the process group's timeout."""


class ProcessGroup:
    """The communicators and identity of this process (one per program: the world)."""

    def __init__(self, backend, comm, timeout, transports):
        self.backend = backend
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()
        self.local_rank = local_rank(comm)
        self.timeout = timeout
        self.transports = transports  # device type -> transport (mpi for "cpu", nccl for "cuda")
        self.side = comm.Dup()  # the "who is here?" questions of a timed-out collective, departures
        self.check = comm.Dup()  # every collective's fingerprint
        self.departed = {}  # rank -> collectives it made before leaving the program
        self.left = False  # this rank has announced its own departure
        self.seq = 0  # collectives issued so far: the same count on every rank when they agree
        self.waiting = None  # (op, seq) of the collective this rank is waiting in, for the answers
        self.pending_sends = []

    def transport(self, device, op):
        found = self.transports.get(device.type)
        if found is None:
            hint = (" use init_process_group('nccl') for GPU tensors" if device.type == "cuda"
                    else " move it to the CPU with .cpu() first")
            raise RuntimeError(f"minigrad.distributed.{op}: backend '{self.backend}' cannot communicate "
                               f"tensors on {device};{hint}")
        return found

    def abort(self, code=1):
        sys.stdout.flush()
        sys.stderr.flush()
        for transport in self.transports.values():
            transport.abort()
        self.comm.Abort(code)


def is_available():
    """Whether mpi4py can be imported (without initialising MPI)."""
    import importlib.util
    return importlib.util.find_spec("mpi4py") is not None


def is_initialized():
    """Whether ``init_process_group`` has run (and ``destroy_process_group`` not since)."""
    return _group is not None


def group(op="this function"):
    """The process group, or a RuntimeError naming ``op`` when there is none yet."""
    if _group is None:
        raise RuntimeError(f"minigrad.distributed.{op}: the default process group has not been "
                           "initialized; call minigrad.distributed.init_process_group() first "
                           "(and launch the script with mpirun -n N)")
    return _group


def get_rank():
    """This process's rank, 0 ... world size - 1."""
    return group("get_rank").rank


def get_world_size():
    """The number of processes in the job."""
    return group("get_world_size").size


def get_node_local_rank():
    """This process's rank among the processes on its own host (which GPU it should use)."""
    return group("get_node_local_rank").local_rank


def local_rank(comm):
    """The rank within ``comm``'s processes that share this host's memory (MPI_Comm_split_type)."""
    from mpi4py import MPI
    local = comm.Split_type(MPI.COMM_TYPE_SHARED)
    try:
        return local.Get_rank()
    finally:
        local.Free()


def get_backend():
    """``"mpi"`` or ``"nccl"``: the backend ``init_process_group`` was given."""
    return group("get_backend").backend


def _seconds(timeout):
    if timeout is None:
        return float(os.environ.get("MINIGRAD_DIST_TIMEOUT", DEFAULT_TIMEOUT))
    if isinstance(timeout, datetime.timedelta):
        timeout = timeout.total_seconds()
    timeout = float(timeout)
    if not timeout > 0:
        raise ValueError(f"init_process_group: timeout must be positive, got {timeout} s")
    return timeout


def _import_mpi():
    try:
        import mpi4py
    except ImportError:
        raise RuntimeError("minigrad.distributed needs mpi4py and an MPI library: on Debian/Ubuntu "
                           "`apt-get install openmpi-bin libopenmpi-dev` then `pip install "
                           "'minigrad[distributed]'` (mpi4py)") from None
    mpi4py.rc.threads = False  # one thread talks to MPI: the cheapest thread level
    for name, value in _OPEN_MPI_DEFAULTS.items():  # read by Open MPI's MPI_Init; the user's own win
        os.environ.setdefault(name, value)
    from mpi4py import MPI
    return MPI


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       abort_on_exception=True):
    """Join the job that ``mpirun`` started: read rank and world size, build the communicators.

    Args:
        backend: ``"mpi"`` (CPU tensors through MPI) or ``"nccl"`` (GPU tensors through NCCL,
            CPU tensors still through MPI). None picks ``"nccl"`` when the default device is a
            GPU (``mg.set_backend("cupy")``), else ``"mpi"``.
        init_method: only ``None`` or ``"env://"``: MPI's launcher does the rendezvous.
        timeout: how long a collective may wait for the other ranks, in seconds or as a
            ``datetime.timedelta`` (default 30 minutes, or ``MINIGRAD_DIST_TIMEOUT`` seconds);
            past it the waiting rank raises ``DistTimeoutError`` naming itself, the op, and the
            ranks that did not answer, and the job is aborted.
        world_size, rank: optional checks against what the launcher says.
        abort_on_exception: install the excepthook that aborts the whole job when this rank
            raises, printing ``minigrad.distributed: rank R of N raised ...``.
    """
    global _group
    if _group is not None:
        raise RuntimeError("init_process_group: the default process group is already initialized; "
                           "call destroy_process_group() first")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group: init_method {init_method!r} is not supported; the MPI "
                         "launcher (mpirun) does the rendezvous")
    seconds = _seconds(timeout)
    if backend is None:
        from .. import backend as _backend
        backend = "nccl" if _backend.get_backend() == "cupy" else "mpi"
    backend = str(backend).lower()
    if backend not in ("mpi", "nccl"):
        raise ValueError(f"init_process_group: unknown backend {backend!r}; expected 'mpi' or 'nccl'")
    MPI = _import_mpi()
    comm = MPI.COMM_WORLD.Dup()
    comm.Set_errhandler(MPI.ERRORS_RETURN)
    for name, given, actual in (("world_size", world_size, comm.Get_size()), ("rank", rank, comm.Get_rank())):
        if given not in (-1, None) and given != actual:
            raise ValueError(f"init_process_group: {name}={given} but the MPI launcher says {actual} "
                             f"(start the job with mpirun -n N)")
    from ._mpi import MPITransport
    transports = {"cpu": MPITransport(MPI, comm)}
    if backend == "nccl":
        from ._nccl import NCCLTransport
        transports["cuda"] = NCCLTransport(comm, local_rank(comm))
    _group = ProcessGroup(backend, comm, seconds, transports)
    if abort_on_exception:
        _install_excepthook(_group)
    atexit.register(_leaving, _group)  # runs before mpi4py's MPI_Finalize (registered earlier)
    return _group


def destroy_process_group():
    """Leave the job: free the communicators and restore the excepthook."""
    global _group
    found = group("destroy_process_group")
    _leaving(found)
    _group = None
    atexit.unregister(_leaving)
    if getattr(sys.excepthook, "_minigrad_group", None) is found:
        sys.excepthook = sys.excepthook._previous
    for transport in found.transports.values():
        transport.close()
    found.side.Free()
    found.check.Free()
    found.comm.Free()


def _leaving(pg):
    """This rank makes no more collectives: say so, once (at exit, or in destroy_process_group)."""
    if pg is _group and not pg.left:
        pg.left = True
        from .agreement import announce_departure
        announce_departure(pg)


def _install_excepthook(pg):
    previous = sys.excepthook

    def abort_job(kind, value, tb):
        previous(kind, value, tb)
        if not isinstance(value, DistError):  # minigrad.distributed's own errors name the ranks
            sys.stderr.write(f"minigrad.distributed: rank {pg.rank} of {pg.size} raised "
                             f"{kind.__name__}: {value}; aborting the job\n")
        pg.abort(1)

    abort_job._minigrad_group = pg
    abort_job._previous = previous
    sys.excepthook = abort_job
