"""nn.utils.prune: which entries each method zeroes (worked out by hand), iterative pruning among
the kept entries, global pruning, gradients only to kept entries, and remove."""

import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.nn.utils import prune


def _linear(values):
    layer = nn.Linear(len(values[0]), len(values), bias=False)
    with mg.no_grad():
        layer.weight.copy_(mg.tensor(values))
    return layer


def test_l1_unstructured_zeroes_the_smallest_magnitudes():
    layer = _linear([[0.1, -3.0, 0.5], [-0.2, 2.0, 4.0]])
    prune.l1_unstructured(layer, "weight", amount=0.5)
    assert layer.weight.tolist() == [[0.0, -3.0, 0.0], [0.0, 2.0, 4.0]]
    assert [n for n, _ in layer.named_parameters()] == ["weight_orig"]
    assert [n for n, _ in layer.named_buffers()] == ["weight_mask"]
    prune.l1_unstructured(layer, "weight", amount=1)  # again: among the three kept, the smallest
    assert layer.weight.tolist() == [[0.0, -3.0, 0.0], [0.0, 0.0, 4.0]]


def test_ln_structured_prunes_whole_channels():
    layer = _linear([[3.0, 4.0], [0.1, 0.1], [1.0, 0.0]])
    prune.ln_structured(layer, "weight", amount=1, n=2, dim=0)
    assert layer.weight.tolist() == [[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]]
    assert layer.weight_mask.tolist() == [[1.0, 1.0], [0.0, 0.0], [1.0, 1.0]]


def test_global_unstructured_ranks_every_parameter_together():
    a, b = _linear([[1.0, 5.0]]), _linear([[2.0, 0.5]])
    prune.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=prune.L1Unstructured, amount=2)
    assert a.weight.tolist() == [[0.0, 5.0]] and b.weight.tolist() == [[2.0, 0.0]]


def test_gradient_reaches_only_kept_entries_and_remove_bakes_the_mask():
    layer = _linear([[0.1, -3.0], [2.0, 0.2]])
    prune.custom_from_mask(layer, "weight", mg.tensor([[0.0, 1.0], [1.0, 0.0]]))
    layer(mg.ones(1, 2)).sum().backward()
    assert layer.weight_orig.grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert prune.is_pruned(layer)
    prune.remove(layer, "weight")
    assert [n for n, _ in layer.named_parameters()] == ["weight"] and not prune.is_pruned(layer)
    assert layer.weight.tolist() == [[0.0, -3.0], [2.0, 0.0]]
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        prune.remove(layer, "weight")


def test_random_pruning_counts_and_amount_validation():
    mg.manual_seed(0)
    layer = nn.Linear(10, 10)
    prune.random_unstructured(layer, "weight", amount=0.3)
    assert int((layer.weight == 0).sum()) == 30
    prune.random_structured(layer, "bias", amount=4, dim=0)
    assert int((layer.bias == 0).sum()) == 4
    with pytest.raises(ValueError, match="should either be a float in the range \\[0, 1\\]"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=1.5)
    with pytest.raises(ValueError, match="should be smaller than the number of parameters"):
        prune.l1_unstructured(nn.Linear(2, 2), "weight", amount=5)
