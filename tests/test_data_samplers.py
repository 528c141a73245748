"""Samplers: PyTorch's semantics (generator, num_samples, lazy draws), distributions and errors."""

import tracemalloc

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)

# chi-square critical values at p = 0.001: a correct sampler fails one run in a thousand seeds;
# the seeds are fixed, so the tests are deterministic
CHI2_999 = {3: 16.27, 7: 24.32}


def _chi2(counts, probs):
    expected = np.asarray(probs) * sum(counts)
    return float((((np.asarray(counts) - expected) ** 2) / expected).sum())


def _peak_bytes(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- RandomSampler ------------------------------------------------------------------------------

def test_random_sampler_with_replacement_is_lazy_for_ten_billion_samples():
    s = RandomSampler(range(10), replacement=True, num_samples=10 ** 10,
                      generator=mg.Generator().manual_seed(0))

    def first_thousand():
        it = iter(s)
        return [next(it) for _ in range(1000)]

    assert len(s) == 10 ** 10
    assert _peak_bytes(first_thousand) < 1_000_000  # all 10**10 int64 would be 80 GB


def test_loader_over_ten_billion_sample_sampler_starts_at_once():
    ds = TensorDataset(np.arange(10, dtype=np.float32))
    s = RandomSampler(ds, replacement=True, num_samples=10 ** 10, generator=mg.Generator().manual_seed(0))
    loader = DataLoader(ds, batch_size=4, sampler=s)
    (x,) = next(iter(loader))
    assert len(loader) == 10 ** 10 // 4 and x.shape == (4,)


def test_random_sampler_with_replacement_is_uniform():
    draws = list(RandomSampler(range(8), replacement=True, num_samples=16_000,
                               generator=mg.Generator().manual_seed(3)))
    counts = np.bincount(draws, minlength=8)
    assert _chi2(counts, [1 / 8] * 8) < CHI2_999[7]


def test_random_sampler_same_generator_seed_same_passes():
    def passes(seed):
        s = RandomSampler(range(20), generator=mg.Generator().manual_seed(seed))
        return [list(s) for _ in range(2)]

    a = passes(5)
    assert a == passes(5) and a[0] != a[1] and sorted(a[0]) == list(range(20))


def test_random_sampler_without_generator_follows_manual_seed():
    s = RandomSampler(range(20))
    mg.manual_seed(11)
    first = list(s)
    mg.manual_seed(11)
    assert list(s) == first


def test_random_sampler_without_generator_draws_one_seed_per_pass_however_far_it_goes():
    # PyTorch's contract: the pass takes one seed from the default generator, then draws from a
    # private generator, so how much of the pass is consumed does not shift later random numbers
    s = RandomSampler(range(50), replacement=True, num_samples=1000)
    mg.manual_seed(0)
    next(iter(s))
    after_one = mg.rand(3).tolist()
    mg.manual_seed(0)
    list(s)
    assert mg.rand(3).tolist() == after_one


def test_random_sampler_reads_the_dataset_length_at_each_pass():
    data = list(range(3))
    s = RandomSampler(data, generator=mg.Generator().manual_seed(0))
    data.append(3)
    assert len(s) == 4 and sorted(s) == [0, 1, 2, 3]


@pytest.mark.parametrize("num_samples", [0, -2, 2.5, True])
def test_random_sampler_rejects_bad_num_samples(num_samples):
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(range(3), replacement=True, num_samples=num_samples)


def test_random_sampler_rejects_non_bool_replacement():
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(range(3), replacement=1)


# --- WeightedRandomSampler ----------------------------------------------------------------------

def test_weighted_sampler_draws_in_proportion_to_the_weights():
    weights = [1.0, 2.0, 3.0, 4.0]
    draws = list(WeightedRandomSampler(weights, 20_000, generator=mg.Generator().manual_seed(0)))
    counts = np.bincount(draws, minlength=4)
    assert _chi2(counts, np.array(weights) / 10) < CHI2_999[3]


def test_weighted_sampler_never_draws_a_zero_weight():
    draws = list(WeightedRandomSampler([0.0, 1.0, 0.0, 1.0], 2000, generator=mg.Generator().manual_seed(1)))
    assert set(draws) == {1, 3}


def test_weighted_sampler_without_replacement_draws_each_index_at_most_once():
    s = WeightedRandomSampler([5.0, 1.0, 1.0, 0.0, 2.0], 4, replacement=False,
                              generator=mg.Generator().manual_seed(2))
    for _ in range(20):
        draws = list(s)
        assert sorted(draws) == [0, 1, 2, 4]


def test_weighted_sampler_without_replacement_first_draw_follows_the_weights():
    s = WeightedRandomSampler([1.0, 2.0, 3.0, 4.0], 2, replacement=False,
                              generator=mg.Generator().manual_seed(4))
    counts = np.bincount([next(iter(s)) for _ in range(8000)], minlength=4)
    assert _chi2(counts, [0.1, 0.2, 0.3, 0.4]) < CHI2_999[3]


def test_weighted_sampler_with_replacement_is_lazy():
    s = WeightedRandomSampler([1.0, 3.0], 10 ** 10, generator=mg.Generator().manual_seed(0))

    def first_thousand():
        it = iter(s)
        return [next(it) for _ in range(1000)]

    assert len(s) == 10 ** 10 and _peak_bytes(first_thousand) < 1_000_000


def test_weighted_sampler_same_seed_same_draws_and_accepts_a_tensor():
    a = list(WeightedRandomSampler(mg.tensor([1.0, 2.0, 3.0]), 50, generator=mg.Generator().manual_seed(9)))
    b = list(WeightedRandomSampler([1.0, 2.0, 3.0], 50, generator=mg.Generator().manual_seed(9)))
    assert a == b


@pytest.mark.parametrize("weights, num_samples, replacement, match", [
    ([[1.0, 2.0]], 2, True, "1d sequence"),
    ([1.0, -1.0], 2, True, "non-negative"),
    ([1.0, float("nan")], 2, True, "finite"),
    ([0.0, 0.0], 2, True, "sum to zero"),
    ([1.0, 0.0, 1.0], 3, False, "without replacement"),
    ([1.0, 2.0], 0, True, "num_samples should be a positive integer"),
    ([1.0, 2.0], True, True, "num_samples should be a positive integer"),
    ([1.0, 2.0], 2, "yes", "replacement should be a boolean"),
])
def test_weighted_sampler_rejects_bad_input(weights, num_samples, replacement, match):
    with pytest.raises(ValueError, match=match):
        WeightedRandomSampler(weights, num_samples, replacement=replacement)


def test_loader_with_weighted_sampler_balances_classes():
    labels = np.array([0] * 90 + [1] * 10)
    class_weight = 1.0 / np.bincount(labels)
    sampler = WeightedRandomSampler(class_weight[labels], 4000, generator=mg.Generator().manual_seed(0))
    ds = TensorDataset(np.zeros((100, 1), np.float32), labels)
    seen = np.concatenate([y.numpy() for _, y in DataLoader(ds, batch_size=100, sampler=sampler)])
    assert _chi2(np.bincount(seen), [0.5, 0.5]) < 10.83  # df=1, p = 0.001


# --- the others -----------------------------------------------------------------------------------

def test_sequential_sampler_counts_up():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]


def test_subset_random_sampler_is_reproducible_and_yields_its_indices():
    def run():
        return list(SubsetRandomSampler([10, 20, 30, 40], generator=mg.Generator().manual_seed(3)))

    assert run() == run() and sorted(run()) == [10, 20, 30, 40]


def test_batch_sampler_is_lazy_over_a_huge_sampler():
    s = RandomSampler(range(10), replacement=True, num_samples=10 ** 10,
                      generator=mg.Generator().manual_seed(0))
    batches = BatchSampler(s, batch_size=3, drop_last=True)
    first = next(iter(batches))
    assert len(batches) == 10 ** 10 // 3 and len(first) == 3


def test_batch_sampler_rejects_non_bool_drop_last():
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(4), 2, drop_last=None)


def test_data_submodule_paths_import_the_same_classes():
    from minigrad.utils.data.dataloader import DataLoader as D
    from minigrad.utils.data.dataset import IterableDataset
    from minigrad.utils.data.distributed import DistributedSampler
    from minigrad.utils.data.sampler import WeightedRandomSampler as W

    assert D is DataLoader and W is WeightedRandomSampler
    assert IterableDataset is mg.data.IterableDataset and DistributedSampler is mg.data.DistributedSampler
