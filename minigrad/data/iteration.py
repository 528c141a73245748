"""One pass over a ``DataLoader``: in the main process, or farmed out to worker processes.

The multi-process pass is PyTorch's design: task k (the k-th batch of indices) goes to the next
active worker in turn, ``prefetch_factor`` tasks per worker are kept outstanding, results arrive
on one shared queue in whatever order the workers finish, and are handed out by task number, so
the batches and their order are those of the single-process pass.
"""

import atexit
import itertools
import multiprocessing
import os
import queue
import warnings

from .. import backend as _backend
from ..tensor import Tensor
from . import worker as _worker
from .sampler import draw_seed


def _move(obj, device):
    """Move host (CPU) tensors inside ``obj`` to ``device``; tensors elsewhere stay put."""
    if isinstance(obj, Tensor):
        return obj.to(device) if obj.device.type == "cpu" and device.type != "cpu" else obj
    if isinstance(obj, tuple):
        return tuple(_move(v, device) for v in obj)
    if isinstance(obj, list):
        return [_move(v, device) for v in obj]
    if isinstance(obj, dict):
        return {k: _move(v, device) for k, v in obj.items()}
    return obj


_exiting = False  # set at interpreter exit, when multiprocessing itself ends daemonic workers

# Each live multi-process pass's queues and event, held here as well as by the pass. A pass that
# dies in a reference cycle (an exception's traceback holds it) is collected by the garbage
# collector, which closes unreachable queues *before* calling __del__; the shutdown message would
# then never reach the workers. Held here, they stay open until the pass has shut down.
_channels = {}


@atexit.register
def _note_exit():
    global _exiting
    _exiting = True


class _BaseIter:
    """A pass: the sampler's iterator, the pass's ``base_seed`` and the device batches go to.

    It keeps what it needs from the loader, not the loader itself, so that a loader holding its
    persistent iterator forms no reference cycle and its workers end as soon as it is dropped.
    """

    def __init__(self, loader):
        self._dataset = loader.dataset
        self._index_sampler = loader._index_sampler
        self._is_iterable = loader._is_iterable
        self._start_pass(loader)
        self._base_seed = draw_seed(loader.generator)  # drawn by every pass, with or without workers

    def _start_pass(self, loader):
        self._sampler_iter = iter(self._index_sampler)
        self._device = _backend.default_device() if loader.device is None else _backend.device(loader.device)
        self._reported_len = getattr(loader, "_iterable_len", None)  # set by len(loader)
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if self._is_iterable and self._reported_len is not None and self._num_yielded > self._reported_len:
            warnings.warn(f"Length of IterableDataset {self._dataset} was reported to be "
                          f"{self._reported_len} (when accessing len(dataloader)), but {self._num_yielded} "
                          "samples have been fetched", UserWarning, stacklevel=2)
        return _move(data, self._device)

    def __len__(self):
        return len(self._index_sampler)


class SingleProcessIter(_BaseIter):
    """Fetch each batch in the main process when it is asked for."""

    def __init__(self, loader):
        super().__init__(loader)
        self._fetcher = loader._make_fetcher()(loader.dataset)

    def _next_data(self):
        return self._fetcher.fetch(next(self._sampler_iter))  # both may raise StopIteration


class MultiProcessIter(_BaseIter):
    """Fetch batches in ``loader.num_workers`` worker processes and hand them out in task order."""

    def __init__(self, loader):
        super().__init__(loader)
        context = loader.multiprocessing_context or multiprocessing.get_context()
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor
        self._in_order = loader.in_order
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        self._shutdown = False
        self._owner = os.getpid()  # a forked child inherits this object; only the creator stops workers
        self._workers, self._index_queues = [], []
        self._result_queue = context.Queue()
        self._done_event = context.Event()
        _channels[id(self)] = (self._index_queues, self._result_queue, self._done_event)
        make_fetcher = loader._make_fetcher()
        for worker_id in range(self._num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()  # never block exit on requests a dead worker will not read
            process = context.Process(
                target=_worker.worker_loop, daemon=True,
                args=(make_fetcher, loader.dataset, index_queue, self._result_queue, self._done_event,
                      self._base_seed, loader.worker_init_fn, worker_id, self._num_workers))
            process.start()
            self._index_queues.append(index_queue)
            self._workers.append(process)
        self._reset(loader, first=True)

    def _reset(self, loader, first=False):
        """Start a pass: on persistent workers, tell each to restart and wait for all to acknowledge."""
        if not first:
            self._start_pass(loader)
        self._send_idx = 0  # the next task to send
        self._rcvd_idx = 0  # the next task to hand out
        self._task_info = {}  # task -> (worker,) while outstanding, (worker, data) once arrived early
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        if not first:
            for index_queue in self._index_queues:
                index_queue.put(_worker.ResumeIteration())
            acks = 0
            while acks < self._num_workers:  # results of an epoch left unfinished are dropped here
                task, _ = self._get_data()
                acks += isinstance(task, _worker.ResumeIteration)
        for _ in range(self._prefetch * self._num_workers):
            self._try_put_index()

    def _try_put_index(self):
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):  # the next active worker, if any
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return
        self._index_queues[worker_id].put((self._send_idx, indices))
        self._task_info[self._send_idx] = (worker_id,)
        self._send_idx += 1

    def _try_get_data(self, timeout):
        try:
            return True, self._result_queue.get(timeout=timeout)
        except queue.Empty:
            failed = [w for i, w in enumerate(self._workers) if self._workers_status[i] and not w.is_alive()]
            if failed:
                for i, w in enumerate(self._workers):
                    if w in failed:
                        self._mark_worker_unavailable(i)
                pids = ", ".join(str(w.pid) for w in failed)
                raise RuntimeError(f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from None
            return False, None

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if not ok:
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")
            return data
        while True:
            ok, data = self._try_get_data(_worker.STATUS_CHECK_INTERVAL)
            if ok:
                return data

    def _next_data(self):
        while True:
            # skip the tasks of workers that ended (an exhausted iterable dataset) without a result
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            if len(self._task_info[self._rcvd_idx]) == 2:  # arrived earlier, out of order
                _, data = self._task_info.pop(self._rcvd_idx)
                self._rcvd_idx += 1
                return self._process_data(data)
            task, data = self._get_data()
            if isinstance(data, _worker.IterableDatasetStop):
                if self._persistent:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if task != self._rcvd_idx and self._in_order:
                self._task_info[task] += (data,)
                continue
            self._task_info.pop(task)
            if task == self._rcvd_idx:
                self._rcvd_idx += 1
            return self._process_data(data)

    def _process_data(self, data):
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            data.reraise()
        return data

    def _mark_worker_unavailable(self, worker_id):
        self._index_queues[worker_id].put(None)  # the worker's loop ends at this request
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        """Stop every worker: signal, ask each to end, join, and terminate any that does not."""
        if self._shutdown or _exiting or os.getpid() != self._owner:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for worker_id in range(self._num_workers):
                if self._persistent or self._workers_status[worker_id]:
                    self._mark_worker_unavailable(worker_id)
            for w in self._workers:
                w.join(timeout=_worker.STATUS_CHECK_INTERVAL)
            for index_queue in self._index_queues:
                index_queue.cancel_join_thread()
                index_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_worker.STATUS_CHECK_INTERVAL)
            _channels.pop(id(self), None)

    def __del__(self):
        if hasattr(self, "_done_event"):  # a failed __init__ may leave nothing to shut down
            self._shutdown_workers()

