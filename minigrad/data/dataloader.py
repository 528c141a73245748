"""``DataLoader``: mini-batches of a dataset, in the main process or in worker processes.

One epoch is one pass over the loader: the sampler orders the indices, the batch sampler groups
them, each group is fetched and collated into stacked tensors (in the main process, or in one of
``num_workers`` worker processes), and the finished batch is moved, in the main process, to the
device that new tensors go to (``mg.set_backend``), so the GPU toggle needs no change to the
training loop. Batches come out in the sampler's order whatever the number of workers.
"""

import functools
import itertools
import multiprocessing
import os
import warnings

from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .fetch import IterableFetcher, MapFetcher
from .iteration import MultiProcessIter, SingleProcessIter
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import get_worker_info

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


class _InfiniteConstantSampler(Sampler):
    """None forever: the placeholder index of an iterable dataset, whose stream decides the end."""

    def __iter__(self):
        return itertools.repeat(None)


def _usable_cpus():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


class DataLoader:
    """Iterate over a dataset in mini-batches, optionally loading them in worker processes.

    Each ``for batch in loader`` is one epoch. With ``shuffle=True`` every epoch visits the samples
    in a new random order drawn from ``generator`` (or from the default generator, so that
    ``mg.manual_seed`` fixes the whole sequence of epochs). Batches are collated by ``collate_fn``
    and tensors on the host are moved to ``device`` (default: the current default device, see
    ``mg.set_backend``); with ``TensorDataset`` and the default collation each batch is gathered with
    one indexing operation per tensor instead of sample by sample.

    With ``num_workers=N > 0``, N worker processes (started with ``multiprocessing_context``, the
    platform's default start method when None: ``fork`` on Linux before Python 3.14) build the
    batches: batch k goes to worker k mod N, each worker has up to ``prefetch_factor`` batches in
    hand, and the main process hands them out in the sampler's order, so the batches are exactly
    those of ``num_workers=0``. Each time an iteration starts, the loader draws a ``base_seed`` from
    ``generator`` (or the default generator), in both modes; worker i seeds Python's ``random`` and
    minigrad's default generator with ``base_seed + i`` and NumPy's global generator with a hash of
    the two, then calls ``worker_init_fn(i)``. Workers create tensors on the host; the main process
    moves each batch to the device. An exception in a worker is raised again in the main process
    with the same type, naming the worker and carrying its traceback. Workers exit when the epoch
    ends (or with ``persistent_workers=True`` when the loader is garbage-collected), and on their
    own if the main process dies.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``) or an ``IterableDataset``.
        batch_size: samples per batch; None yields single samples, unstacked.
        shuffle: visit the samples in a new random order every epoch (map-style datasets only).
        sampler: an iterable of indices (instead of ``shuffle``).
        batch_sampler: an iterable of lists of indices (instead of ``batch_size``, ``shuffle``,
            ``sampler`` and ``drop_last``).
        num_workers: worker processes; 0 loads in the main process.
        collate_fn: turns a list of samples into a batch (default: ``default_collate``; without
            batching, ``default_convert``).
        pin_memory: accepted, and changes nothing: the loader itself moves each batch to the
            device, synchronously in the main process, so there is no host copy to pin.
        drop_last: drop the last batch when it is smaller than ``batch_size``.
        timeout: seconds to wait for a batch from the workers before raising a RuntimeError
            (0: wait forever). Needs ``num_workers > 0``.
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker after seeding.
        multiprocessing_context: a start method name (``"fork"``, ``"spawn"``, ``"forkserver"``) or
            a ``multiprocessing`` context. ``spawn``/``forkserver`` need a picklable dataset,
            ``collate_fn`` and ``worker_init_fn``, and are the ones to use once CuPy has touched
            the GPU (a forked process cannot use the parent's CUDA context).
        generator: the ``mg.Generator`` that shuffles and draws ``base_seed``.
        prefetch_factor: batches each worker keeps in hand (default 2 with workers; must be None
            without).
        persistent_workers: keep the workers (and their dataset copies) between epochs.
        pin_memory_device: accepted and ignored, as ``pin_memory``.
        in_order: False hands batches out as they arrive instead of in the sampler's order.
        device: where the batches go (default: the default device when iteration starts).

    The positional order of the arguments is PyTorch's.

    Example:
        >>> import minigrad as mg
        >>> from minigrad.data import TensorDataset
        >>> ds = TensorDataset(mg.arange(10).float(), mg.arange(10))
        >>> loader = DataLoader(ds, batch_size=4, shuffle=True, generator=mg.Generator().manual_seed(0))
        >>> len(loader), [len(y) for _, y in loader]
        (3, [4, 4, 2])
        >>> sorted(i for _, y in loader for i in y.tolist()) == list(range(10))
        True
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="", in_order=True,
                 device=None):
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"num_workers option should be non-negative; use num_workers=0 to disable "
                             f"multiprocessing (got {num_workers!r})")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if timeout > 0 and num_workers == 0:
            raise ValueError("timeout option needs num_workers > 0: it bounds the wait for a worker")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing: let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                             "to None")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            if shuffle not in (False, None):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, "
                                 f"but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler "
                                 f"option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last")
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.device = device
        self._iterator = None
        self._check_worker_number()

    @property
    def multiprocessing_context(self):
        return self._mp_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, context):
        if context is not None:
            if self.num_workers == 0:
                raise ValueError("multiprocessing_context can only be used with multi-process loading "
                                 f"(num_workers > 0), but got num_workers={self.num_workers}")
            if isinstance(context, str):
                if context not in multiprocessing.get_all_start_methods():
                    raise ValueError(f"multiprocessing_context option should specify a valid start method "
                                     f"in {multiprocessing.get_all_start_methods()!r}, but got "
                                     f"multiprocessing_context={context!r}")
                context = multiprocessing.get_context(context)
            elif not isinstance(context, multiprocessing.context.BaseContext):
                raise TypeError("multiprocessing_context option should be a valid context object or a "
                                f"string specifying the start method, but got {context!r}")
        self._mp_context = context

    def _check_worker_number(self):
        cpus = _usable_cpus()
        if cpus and self.num_workers > cpus:
            warnings.warn(f"This DataLoader will create {self.num_workers} worker processes in total. "
                          f"The maximum suggested on this system is {cpus}; too many workers slow "
                          "loading down or freeze it", UserWarning, stacklevel=3)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def _make_fetcher(self):
        """``make_fetcher(dataset)`` for this loader, picklable so that spawned workers can use it."""
        kind = IterableFetcher if self._is_iterable else MapFetcher
        return functools.partial(kind, auto_collation=self.batch_sampler is not None,
                                 collate_fn=self.collate_fn, drop_last=self.drop_last)

    def __iter__(self):
        if self.num_workers == 0:
            return SingleProcessIter(self)
        if not self.persistent_workers:
            return MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = MultiProcessIter(self)
        else:
            self._iterator._reset(self)
        return self._iterator

    def __len__(self):
        if not self._is_iterable:
            return len(self._index_sampler)
        length = self._iterable_len = len(self.dataset)
        if self.batch_size is not None:
            length = length // self.batch_size if self.drop_last else -(-length // self.batch_size)
        return length

    def __repr__(self):
        return (f"DataLoader(dataset of {type(self.dataset).__name__}, batch_size={self.batch_size}, "
                f"shuffle={isinstance(self.sampler, RandomSampler)}, drop_last={self.drop_last}, "
                f"num_workers={self.num_workers})")
