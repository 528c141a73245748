"""DataLoader(num_workers=N): real worker processes with PyTorch's ordering, seeding, errors and shutdown."""

import gc
import os
import random
import time

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info
from minigrad.data import worker as worker_module
from minigrad.data.sampler import draw_seed


class Numbers(Dataset):
    """Sample i is (a row holding i, i): the per-sample (collating) path of the loader."""

    def __init__(self, n=23):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full(2, i, np.float32), i


class WhoAmI(Dataset):
    """Each sample reports the process and random state of whoever built it."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return {"pid": os.getpid(), "id": info.id, "seed": info.seed, "n": info.num_workers,
                "mg": mg.rand(()).item(), "np": np.random.rand(), "py": random.random()}


class FailsAt(Dataset):
    def __init__(self, bad):
        self.bad = bad

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == self.bad:
            raise ValueError(f"sample {i} is broken")
        return i


class Dies(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        os._exit(3)


class Slow(Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(1.5)
        return i


class Stream(IterableDataset):
    """0 … n-1, split between the workers by ``get_worker_info`` when ``shard``."""

    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def _labels(loader):
    return [y.tolist() for _, y in loader]


def _flat(batches):
    return sorted(i for b in batches for i in b)


# --- the same batches in the same order -----------------------------------------------------------

@pytest.mark.parametrize("kw", [
    dict(batch_size=4, shuffle=True),
    dict(batch_size=4, shuffle=True, drop_last=True),
    dict(batch_size=3, prefetch_factor=1),
    dict(batch_size=5, shuffle=True, in_order=True, persistent_workers=True),
])
def test_workers_give_the_batches_of_the_main_process_in_order(kw):
    def epochs(num_workers):
        extra = {} if num_workers else {k: v for k, v in kw.items()
                                         if k not in ("prefetch_factor", "persistent_workers")}
        loader = DataLoader(Numbers(), num_workers=num_workers, generator=mg.Generator().manual_seed(7),
                            **(kw if num_workers else extra))
        return [_labels(loader) for _ in range(1 if kw.get("persistent_workers") else 2)]

    assert epochs(2) == epochs(0)


def test_workers_with_tensor_dataset_fast_path_match_main_process():
    ds = TensorDataset(np.arange(40, dtype=np.float32).reshape(20, 2), np.arange(20))

    def batches(n):
        loader = DataLoader(ds, batch_size=6, shuffle=True, num_workers=n,
                            generator=mg.Generator().manual_seed(1))
        return [(x.tolist(), y.tolist()) for x, y in loader]

    assert batches(2) == batches(0)


def test_workers_without_batching_yield_single_converted_samples():
    loader = DataLoader(Numbers(5), batch_size=None, num_workers=2)
    samples = list(loader)
    assert [y for _, y in samples] == [0, 1, 2, 3, 4] and samples[3][0].tolist() == [3.0, 3.0]


def test_workers_run_a_custom_collate_fn():
    loader = DataLoader(Numbers(6), batch_size=3, num_workers=2, collate_fn=lambda s: [y for _, y in s])
    assert list(loader) == [[0, 1, 2], [3, 4, 5]]


def test_unordered_loading_still_covers_every_sample_once():
    loader = DataLoader(Numbers(), batch_size=2, num_workers=2, in_order=False)
    assert _flat(_labels(loader)) == list(range(23))


def test_worker_batches_are_moved_to_the_default_device(backend):
    x, y = next(iter(DataLoader(Numbers(4), batch_size=2, num_workers=2)))
    assert x.device == backend and y.device == backend


def test_pin_memory_is_accepted_and_changes_nothing():
    assert _labels(DataLoader(Numbers(5), batch_size=2, num_workers=2, pin_memory=True)) == \
        [[0, 1], [2, 3], [4]]


# --- seeding ---------------------------------------------------------------------------------------

def test_each_worker_is_seeded_with_base_seed_plus_its_id():
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2, generator=mg.Generator().manual_seed(5))
    base = draw_seed(mg.Generator().manual_seed(5))  # the loader's first draw from its generator
    samples = list(loader)
    assert [s["id"] for s in samples] == [0, 1] * 4 and all(s["n"] == 2 for s in samples)
    assert {s["id"]: s["seed"] for s in samples} == {0: base, 1: base + 1}
    # worker 0's first sample is the first draw of each generator after seeding
    first = samples[0]
    assert first["mg"] == mg.rand((), generator=mg.Generator().manual_seed(base)).item()
    assert first["py"] == random.Random(base).random()
    np_rng = np.random.RandomState(np.random.SeedSequence([0, base]).generate_state(4))
    assert first["np"] == np_rng.rand()


def test_workers_draw_different_random_numbers():
    samples = list(DataLoader(WhoAmI(), batch_size=None, num_workers=2))
    for key in ("mg", "np", "py"):
        assert samples[0][key] != samples[1][key]


def test_each_epoch_draws_a_new_base_seed():
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2)
    assert list(loader)[0]["seed"] != list(loader)[0]["seed"]


def test_worker_init_fn_runs_in_each_worker_after_seeding():
    def init(worker_id):
        np.random.seed(100 + worker_id)

    samples = list(DataLoader(WhoAmI(), batch_size=None, num_workers=2, worker_init_fn=init))
    assert samples[0]["np"] == np.random.RandomState(100).rand()
    assert samples[1]["np"] == np.random.RandomState(101).rand()


def test_get_worker_info_is_none_in_the_main_process():
    assert get_worker_info() is None


# --- errors ---------------------------------------------------------------------------------------

def test_a_worker_exception_is_raised_again_naming_the_worker():
    loader = DataLoader(FailsAt(5), batch_size=1, num_workers=2)  # batch 5 goes to worker 5 % 2
    with pytest.raises(ValueError, match="in DataLoader worker process 1") as err:
        list(loader)
    assert "sample 5 is broken" in str(err.value) and "Traceback" in str(err.value)


def test_an_exception_in_worker_init_fn_is_raised_again():
    def init(worker_id):
        raise KeyError(f"no shard for worker {worker_id}")

    with pytest.raises(KeyError, match="in DataLoader worker process 0"):
        list(DataLoader(Numbers(4), num_workers=1, worker_init_fn=init))


def test_a_worker_that_dies_is_reported(monkeypatch):
    monkeypatch.setattr(worker_module, "STATUS_CHECK_INTERVAL", 0.2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+.*exited unexpectedly"):
        list(DataLoader(Dies(), num_workers=2))


def test_timeout_raises_when_a_batch_takes_too_long():
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(iter(DataLoader(Slow(), num_workers=1, timeout=0.3)))


@pytest.mark.parametrize("kw, match", [
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(timeout=1.0), "timeout option needs num_workers > 0"),
    (dict(multiprocessing_context="spawn"), "multiprocessing_context can only be used"),
    (dict(num_workers=2, multiprocessing_context="teleport"), "valid start method"),
    (dict(num_workers=2, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(num_workers=2, timeout=-1), "timeout option should be non-negative"),
])
def test_worker_options_are_checked(kw, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(Numbers(), **kw)


# --- shutdown and persistent workers ---------------------------------------------------------------

def test_workers_exit_when_the_epoch_ends():
    it = iter(DataLoader(Numbers(), batch_size=4, num_workers=2))
    list(it)
    assert it._workers and not any(w.is_alive() for w in it._workers)


def test_workers_exit_when_an_unfinished_iterator_is_dropped():
    it = iter(DataLoader(Numbers(), batch_size=1, num_workers=2))
    next(it)
    workers = it._workers
    del it
    gc.collect()
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_are_reused_across_epochs():
    loader = DataLoader(WhoAmI(), batch_size=None, num_workers=2, persistent_workers=True)
    pids = [sorted({s["pid"] for s in loader}) for _ in range(3)]
    assert pids[0] == pids[1] == pids[2] and os.getpid() not in pids[0]
    workers = loader._iterator._workers
    del loader
    gc.collect()
    assert not any(w.is_alive() for w in workers)


def test_persistent_workers_restart_an_unfinished_epoch_cleanly():
    loader = DataLoader(Numbers(), batch_size=2, num_workers=2, persistent_workers=True)
    next(iter(loader))  # abandon the first epoch after one batch
    assert _flat(_labels(loader)) == list(range(23))


def test_spawn_start_method_works():
    loader = DataLoader(Numbers(6), batch_size=3, num_workers=1, multiprocessing_context="spawn")
    assert _labels(loader) == [[0, 1, 2], [3, 4, 5]]


# --- IterableDataset -----------------------------------------------------------------------------

def test_iterable_dataset_in_the_main_process():
    batches = [b.tolist() for b in DataLoader(Stream(7), batch_size=3)]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]


def test_iterable_dataset_sharded_by_worker_info_covers_each_sample_once():
    batches = [b.tolist() for b in DataLoader(Stream(10), batch_size=2, num_workers=2)]
    # worker 0 streams 0, 2, 4, ...; worker 1 streams 1, 3, 5, ...; batches alternate between them
    assert batches == [[0, 2], [1, 3], [4, 6], [5, 7], [8], [9]]


def test_iterable_dataset_without_sharding_repeats_per_worker_as_pytorch():
    batches = [b.tolist() for b in DataLoader(Stream(4, shard=False), batch_size=2, num_workers=2)]
    assert _flat(batches) == [0, 0, 1, 1, 2, 2, 3, 3]


def test_iterable_dataset_drop_last_drops_each_workers_short_batch():
    batches = [b.tolist() for b in DataLoader(Stream(10), batch_size=2, num_workers=2, drop_last=True)]
    assert batches == [[0, 2], [1, 3], [4, 6], [5, 7]]


def test_iterable_dataset_rejects_shuffle_and_samplers():
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(4), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        DataLoader(Stream(4), sampler=[0, 1])


def test_iterable_dataset_len_warns_when_more_comes_than_reported():
    class Liar(Stream):
        def __len__(self):
            return 2

    loader = DataLoader(Liar(4), batch_size=1)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


def test_iterable_dataset_with_persistent_workers_restarts_each_stream_every_epoch():
    loader = DataLoader(Stream(6), batch_size=2, num_workers=2, persistent_workers=True)
    epochs = [[b.tolist() for b in loader] for _ in range(2)]
    assert epochs[0] == epochs[1] == [[0, 2], [1, 3], [4], [5]]


def test_iterable_dataset_without_batching_in_workers():
    assert sorted(DataLoader(Stream(5), batch_size=None, num_workers=2)) == [0, 1, 2, 3, 4]
