"""mg.func (grad, grad_and_value, vjp, jacrev, hessian, functional_call), nn.utils.stateless and
mg.testing.assert_close: values worked out by hand."""

import math

import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.testing import assert_close


def test_grad_and_its_nesting():
    def f(x):
        return (x ** 3).sum()

    x = mg.tensor([2.0, -1.0])
    assert mg.func.grad(f)(x).tolist() == [12.0, 3.0]
    assert not mg.func.grad(f)(x).requires_grad  # a plain result outside any transform
    second = mg.func.grad(lambda t: mg.func.grad(f)(t).sum())(x)
    assert second.tolist() == [12.0, -6.0]  # 6x
    assert mg.func.hessian(f)(x).tolist() == [[12.0, 0.0], [0.0, -6.0]]


def test_grad_argnums_aux_and_value():
    a, b = mg.tensor([1.0, 2.0]), mg.tensor([3.0, 4.0])
    ga, gb = mg.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(a, b)
    assert ga.tolist() == [3.0, 4.0] and gb.tolist() == [1.0, 2.0]
    g, aux = mg.func.grad(lambda t: ((t * t).sum(), t * 2), has_aux=True)(a)
    assert g.tolist() == [2.0, 4.0] and aux.tolist() == [2.0, 4.0]
    g, value = mg.func.grad_and_value(lambda t: t.exp().sum())(mg.tensor([0.0]))
    assert g.tolist() == [1.0] and value.item() == 1.0
    with pytest.raises(RuntimeError, match="Expected f\\(\\*args\\) to return a scalar Tensor"):
        mg.func.grad(lambda t: t * 2)(a)


def test_vjp_and_jacrev():
    out, vjp_fn = mg.func.vjp(lambda x: x.sin(), mg.tensor([0.0, math.pi]))
    (g,) = vjp_fn(mg.tensor([1.0, 2.0]))
    assert g.tolist() == pytest.approx([1.0, -2.0])
    jac = mg.func.jacrev(lambda x, y: x * y, argnums=1)(mg.tensor([2.0, 3.0]), mg.tensor([1.0, 1.0]))
    assert jac.tolist() == [[2.0, 0.0], [0.0, 3.0]]


def test_functional_call_swaps_in_the_given_tensors_and_restores_the_module():
    layer = nn.Linear(2, 1)
    weight = mg.tensor([[1.0, 2.0]], requires_grad=True)
    out = mg.func.functional_call(layer, {"weight": weight, "bias": mg.tensor([0.5])}, (mg.ones(1, 2),))
    assert out.item() == 3.5
    out.sum().backward()
    assert weight.grad.tolist() == [[1.0, 1.0]] and layer.weight.grad is None
    assert isinstance(layer.weight, nn.Parameter) and layer.weight.tolist() != [[1.0, 2.0]]
    net = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    split = ({"0.weight": mg.tensor([[2.0]])}, {"0.bias": mg.tensor([1.0])})
    out = nn.utils.stateless.functional_call(net, split, mg.ones(1, 1))
    assert out.item() == 3.0
    with pytest.raises(RuntimeError, match="missing keys \\['0.bias'\\]"):
        nn.utils.stateless.functional_call(net, {"0.weight": mg.ones(1, 1)}, mg.ones(1, 1), strict=True)


def test_assert_close_tolerances_and_messages():
    assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.0 + 1e-6]))
    with pytest.raises(AssertionError, match="Tensor-likes are not close!\n\nMismatched elements: 1 / 2"):
        assert_close(mg.tensor([1.0, 2.0]), mg.tensor([1.0, 2.1]))
    with pytest.raises(AssertionError, match="The values for attribute 'dtype' do not match"):
        assert_close(mg.tensor([1.0]), mg.tensor([1]))
    with pytest.raises(AssertionError, match="The values for attribute 'shape' do not match"):
        assert_close(mg.ones(2), mg.ones(3))
    assert_close(mg.tensor([math.nan]), mg.tensor([math.nan]), equal_nan=True)
    assert_close({"a": [mg.ones(2), 1.0]}, {"a": [mg.ones(2), 1.0 + 1e-9]})
    assert_close(mg.tensor([1.0]), mg.tensor([1.05]), rtol=0.1, atol=0.0)
