"""DataLoader, samplers, TensorDataset, random_split: coverage, seeding, device and collation."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def _ds(n=10):
    return TensorDataset(np.arange(n, dtype=np.float32).reshape(n, 1) * 10, np.arange(n))


def _labels(loader):
    return [y.tolist() for _, y in loader]


class Squares(Dataset):
    """A plain map-style dataset: the per-sample path of the loader."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full((2,), i, dtype=np.float32), i


# --- TensorDataset ---------------------------------------------------------------------------

def test_tensor_dataset_item_is_tuple_of_rows():
    x, y = _ds()[3]
    assert x.tolist() == [30.0] and y.item() == 3


def test_tensor_dataset_len():
    assert len(_ds(7)) == 7


def test_tensor_dataset_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="size mismatch"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))


def test_tensor_dataset_rejects_lists():
    with pytest.raises(TypeError, match="Tensors or NumPy arrays"):
        TensorDataset([1, 2, 3])


# --- DataLoader: coverage and lengths ---------------------------------------------------------

def test_sequential_batches_in_order():
    assert _labels(DataLoader(_ds(), batch_size=4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_shuffled_epoch_covers_each_sample_once():
    loader = DataLoader(_ds(), batch_size=3, shuffle=True, generator=mg.Generator().manual_seed(1))
    for _ in range(3):
        seen = [i for batch in _labels(loader) for i in batch]
        assert sorted(seen) == list(range(10))


def test_inputs_follow_labels_when_shuffled():
    loader = DataLoader(_ds(), batch_size=4, shuffle=True, generator=mg.Generator().manual_seed(2))
    for x, y in loader:
        assert x[:, 0].tolist() == [10.0 * i for i in y.tolist()]


def test_len_counts_partial_batch():
    assert len(DataLoader(_ds(10), batch_size=4)) == 3


def test_drop_last_len():
    assert len(DataLoader(_ds(10), batch_size=4, drop_last=True)) == 2


def test_drop_last_drops_short_batch():
    sizes = [len(b) for b in _labels(DataLoader(_ds(10), batch_size=4, drop_last=True, shuffle=True))]
    assert sizes == [4, 4]


def test_exact_multiple_keeps_all_batches_with_drop_last():
    assert len(list(DataLoader(_ds(8), batch_size=4, drop_last=True))) == 2


def test_batch_size_none_yields_single_samples():
    samples = list(DataLoader(_ds(3), batch_size=None))
    assert [y.item() for _, y in samples] == [0, 1, 2] and samples[0][0].shape == (1,)


def test_bad_batch_size_rejected():
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(_ds(), batch_size=0)


def test_sampler_and_shuffle_are_exclusive():
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(_ds(), sampler=SequentialSampler(_ds()), shuffle=True)


def test_batch_sampler_given_directly():
    loader = DataLoader(_ds(), batch_sampler=[[9, 0], [5]])
    assert _labels(loader) == [[9, 0], [5]] and len(loader) == 2


def test_custom_sampler_order():
    reverse = [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
    assert _labels(DataLoader(_ds(), batch_size=5, sampler=reverse))[0] == [9, 8, 7, 6, 5]


# --- shuffling: seeded, different per epoch ----------------------------------------------------

def test_shuffle_differs_across_epochs():
    loader = DataLoader(_ds(10), batch_size=10, shuffle=True, generator=mg.Generator().manual_seed(0))
    assert _labels(loader) != _labels(loader)


def test_shuffle_same_generator_seed_same_epochs():
    def epochs(seed):
        loader = DataLoader(_ds(), batch_size=3, shuffle=True, generator=mg.Generator().manual_seed(seed))
        return [_labels(loader) for _ in range(3)]
    assert epochs(5) == epochs(5)


def test_shuffle_different_seeds_differ():
    a = DataLoader(_ds(20), batch_size=20, shuffle=True, generator=mg.Generator().manual_seed(1))
    b = DataLoader(_ds(20), batch_size=20, shuffle=True, generator=mg.Generator().manual_seed(2))
    assert _labels(a) != _labels(b)


def test_shuffle_follows_manual_seed_without_generator():
    def epochs():
        mg.manual_seed(123)
        loader = DataLoader(_ds(), batch_size=4, shuffle=True)
        return [_labels(loader) for _ in range(2)]
    assert epochs() == epochs()


def test_own_generator_ignores_manual_seed():
    g = mg.Generator().manual_seed(7)
    loader = DataLoader(_ds(), batch_size=10, shuffle=True, generator=g)
    mg.manual_seed(0)
    first = _labels(loader)
    g.manual_seed(7)
    mg.manual_seed(99)
    assert _labels(loader) == first


def test_random_sampler_with_replacement_length():
    s = RandomSampler(range(5), replacement=True, num_samples=12, generator=mg.Generator().manual_seed(0))
    drawn = list(s)
    assert len(drawn) == 12 and len(s) == 12 and all(0 <= i < 5 for i in drawn)


def test_batch_sampler_len_with_drop_last():
    assert len(BatchSampler(range(7), 3, drop_last=True)) == 2


# --- dtypes, device, collation ----------------------------------------------------------------

def test_batches_are_float32_and_int64(backend):
    x, y = next(iter(DataLoader(_ds(), batch_size=4)))
    assert (x.dtype, y.dtype) == (mg.float32, mg.int64)


def test_batches_go_to_default_device(backend):
    x, y = next(iter(DataLoader(_ds(), batch_size=4, shuffle=True, generator=mg.Generator().manual_seed(0))))
    assert x.device == backend and y.device == backend


def test_per_sample_dataset_batches_go_to_default_device(backend):
    x, y = next(iter(DataLoader(Squares(5), batch_size=2)))
    assert x.device == backend and y.device == backend and y.cpu().tolist() == [0, 1]


def test_dataset_on_device_stays_there(backend):
    ds = TensorDataset(mg.arange(6).float(), mg.arange(6))
    x, y = next(iter(DataLoader(ds, batch_size=3, sampler=[5, 1, 3])))
    assert x.device == backend and y.cpu().tolist() == [5, 1, 3]


def test_explicit_device_keeps_cpu(backend):
    x, _ = next(iter(DataLoader(_ds(), batch_size=2, device="cpu")))
    assert x.device == "cpu"


def test_per_sample_dataset_stacks_arrays():
    x, y = next(iter(DataLoader(Squares(5), batch_size=3)))
    assert x.shape == (3, 2) and x.dtype == mg.float32 and y.tolist() == [0, 1, 2]


def test_collate_fn_receives_list_of_samples():
    seen = []

    def collate(samples):
        seen.append(len(samples))
        return sum(int(s[1]) for s in samples)
    assert list(DataLoader(Squares(5), batch_size=2, collate_fn=collate)) == [1, 5, 4] and seen == [2, 2, 1]


def test_collate_fn_output_tensors_moved_to_device(backend):
    def collate(samples):
        return {"x": mg.tensor([s[1] for s in samples], device="cpu")}
    batch = next(iter(DataLoader(Squares(4), batch_size=4, collate_fn=collate)))
    assert batch["x"].device == backend


def test_default_collate_python_floats_are_float32():
    assert default_collate([0.5, 1.5]).dtype == mg.float32


def test_default_collate_dicts():
    out = default_collate([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}])
    assert out["a"].tolist() == [1, 2] and out["b"] == ["x", "y"]


def test_default_collate_keeps_float64_arrays():
    assert default_collate([np.zeros(2), np.ones(2)]).dtype == mg.float64


def test_default_collate_unequal_fields_rejected():
    with pytest.raises(RuntimeError, match="same number of fields"):
        default_collate([(1, 2), (1,)])


def test_subset_batches_use_parent_indices():
    sub = Subset(_ds(), [7, 2, 9])
    assert _labels(DataLoader(sub, batch_size=3)) == [[7, 2, 9]]


# --- random_split --------------------------------------------------------------------------------

def test_random_split_lengths():
    parts = random_split(_ds(10), [7, 3], generator=mg.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [7, 3]


def test_random_split_is_a_partition():
    a, b, c = random_split(_ds(10), [5, 3, 2], generator=mg.Generator().manual_seed(0))
    assert sorted(a.indices + b.indices + c.indices) == list(range(10))


def test_random_split_fractions_hand_out_remainder():
    parts = random_split(range(11), [0.5, 0.5], generator=mg.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [6, 5]


def test_random_split_seeded():
    def split():
        return random_split(range(20), [10, 10], generator=mg.Generator().manual_seed(3))[0].indices
    assert split() == split()


def test_random_split_follows_manual_seed():
    def split():
        mg.manual_seed(4)
        return random_split(range(20), [10, 10])[0].indices
    assert split() == split()


def test_random_split_wrong_total_rejected():
    with pytest.raises(ValueError, match="sum to 9"):
        random_split(range(10), [5, 4])


def test_random_split_subset_items_come_from_parent():
    train, _ = random_split(_ds(10), [6, 4], generator=mg.Generator().manual_seed(0))
    x, y = train[0]
    assert x.item() == 10.0 * y.item()


# --- the rest of the toolbox ----------------------------------------------------------------------

def test_concat_dataset_indexes_across_parts():
    from minigrad.data import ConcatDataset
    both = ConcatDataset([Squares(2), Squares(3)])
    assert len(both) == 5 and both[2][1] == 0 and both[-1][1] == 2


def test_dataset_addition_concatenates():
    assert len(Squares(2) + Squares(4)) == 6


def test_subset_random_sampler_permutes_its_indices():
    from minigrad.data import SubsetRandomSampler
    s = SubsetRandomSampler([3, 5, 7, 9], generator=mg.Generator().manual_seed(0))
    assert sorted(s) == [3, 5, 7, 9] and len(s) == 4


def test_batch_sampler_exclusive_with_batch_size():
    with pytest.raises(ValueError, match="mutually exclusive"):
        DataLoader(_ds(), batch_size=4, batch_sampler=[[0, 1]])


def test_random_sampler_more_samples_than_data_without_replacement_chains_permutations():
    draws = list(RandomSampler(range(3), num_samples=8, generator=mg.Generator().manual_seed(0)))
    assert sorted(draws[:3]) == sorted(draws[3:6]) == [0, 1, 2] and len(draws) == 8


def test_empty_batch_is_rejected_by_default_collate():
    with pytest.raises(ValueError, match="empty batch"):
        default_collate([])


def test_loader_over_requires_grad_tensors_keeps_graph():
    w = mg.arange(4).float().requires_grad_(True)
    x, = next(iter(DataLoader(TensorDataset(w), batch_size=2, sampler=[3, 1])))
    x.sum().backward()
    assert w.grad.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_pytorch_positional_order_reaches_drop_last():
    # DataLoader(dataset, batch_size, shuffle, sampler, batch_sampler, num_workers, collate_fn,
    #            pin_memory, drop_last) as in PyTorch
    loader = DataLoader(_ds(10), 4, False, None, None, 0, None, False, True)
    assert len(loader) == 2


def test_negative_num_workers_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        DataLoader(_ds(), num_workers=-1)


def test_torch_utils_data_spelling_is_the_same_module():
    import minigrad.utils.data as udata
    assert udata is mg.data and udata.DataLoader is DataLoader
