"""What runs inside a ``DataLoader`` worker process, and ``get_worker_info()``.

Each worker is a process started from the main one. It seeds its random number generators from
the loader's ``base_seed`` (Python's ``random`` and minigrad's default generator with
``base_seed + worker_id``, NumPy's global generator with a hash of both, all as PyTorch does),
runs ``worker_init_fn(worker_id)``, then loops: take ``(task_index, batch_indices)`` from its
index queue, build the batch with the same fetcher the main process would use, and put
``(task_index, batch)`` on the shared result queue. An exception travels back as an
``ExceptionWrapper`` and is raised again in the main process, naming the worker.
"""

import dataclasses
import os
import queue
import random
import sys
import traceback

import numpy as np

from .. import backend as _backend
from .. import random as _random
from .fetch import IterableFetcher

STATUS_CHECK_INTERVAL = 5.0  # seconds between checks that the other side is still alive (PyTorch's)


@dataclasses.dataclass(frozen=True)
class WorkerInfo:
    """The current worker: ``id`` (0 … num_workers-1), ``num_workers``, ``seed`` and its ``dataset`` copy."""

    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info = None


def get_worker_info():
    """In a ``DataLoader`` worker, its ``WorkerInfo``; in the main process, None.

    ``seed`` is ``base_seed + id``, where the loader draws ``base_seed`` afresh from its
    ``generator`` (or the default generator) each time an iteration starts. An
    ``IterableDataset`` uses ``id`` and ``num_workers`` to give each worker its own share of the
    stream; ``dataset`` is this process's copy of the dataset.

    Example:
        >>> get_worker_info() is None   # not in a worker
        True
    """
    return _worker_info


@dataclasses.dataclass(frozen=True)
class IterableDatasetStop:
    """Sent by a worker whose copy of an ``IterableDataset`` is exhausted."""

    worker_id: int


@dataclasses.dataclass(frozen=True)
class ResumeIteration:
    """Sent to persistent workers when a new epoch starts: rebuild the fetcher and acknowledge."""


class ExceptionWrapper:
    """An exception raised in a worker, with its traceback as text, to raise again in the main process."""

    def __init__(self, where):
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        """Raise the same exception type, its message naming the worker and holding the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exception = self.exc_type(msg)
        except Exception:  # a type whose constructor takes something else than a message
            raise RuntimeError(msg) from None
        raise exception


def _seed(base_seed, worker_id):
    seed = base_seed + worker_id
    random.seed(seed)
    _random.manual_seed(seed)
    # NumPy's legacy global generator, seeded with PyTorch's hash of (worker_id, base_seed); this
    # SeedSequence produces exactly the four words of torch.utils.data._utils.worker._generate_state
    np.random.seed(np.random.SeedSequence([worker_id, base_seed]).generate_state(4))
    return seed


def worker_loop(make_fetcher, dataset, index_queue, data_queue, done_event, base_seed, init_fn,
                worker_id, num_workers):
    """The body of worker ``worker_id``: serve batch requests until told to stop or orphaned.

    Args:
        make_fetcher: ``make_fetcher(dataset)`` builds the fetcher (map-style or iterable).
        dataset: this process's copy of the dataset.
        index_queue: requests ``(task_index, indices)``; ``ResumeIteration()`` starts a new epoch
            (persistent workers); None ends the loop.
        data_queue: results ``(task_index, batch | ExceptionWrapper | IterableDatasetStop)``.
        done_event: set by the main process when it shuts the workers down.
        base_seed: the loader's seed for this iteration; the worker's seed is ``base_seed + worker_id``.
        init_fn: the loader's ``worker_init_fn`` or None.
        worker_id, num_workers: this worker's id and the number of workers.
    """
    global _worker_info
    where = f"in DataLoader worker process {worker_id}"
    parent = os.getppid()
    try:
        _backend.set_backend("numpy")  # tensors made here stay on the host; the main process moves them
        seed = _seed(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error, fetcher = None, None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = make_fetcher(dataset)
        except Exception:
            init_error = ExceptionWrapper(where)
        exhausted = False
        while os.getppid() == parent:  # reparented: the main process died, so stop
            try:
                request = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                if done_event.is_set():  # shut down without a goodbye message reaching us
                    break
                continue
            if isinstance(request, ResumeIteration):
                data_queue.put((request, None))
                exhausted = False
                fetcher = make_fetcher(dataset)
                continue
            if request is None:
                break
            if done_event.is_set() or exhausted:
                continue
            task, indices = request
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(indices)
                except StopIteration:
                    if not isinstance(fetcher, IterableFetcher):
                        data = ExceptionWrapper(where)
                    else:
                        data, exhausted = IterableDatasetStop(worker_id), True
                except Exception:
                    data = ExceptionWrapper(where)
            data_queue.put((task, data))
            del data, request, indices  # do not hold the last batch while waiting for the next
    except KeyboardInterrupt:  # the main process handles Ctrl-C; the worker just ends
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
