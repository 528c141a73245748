"""The engine: accumulation, hooks, grad modes, higher order, in-place checks, memory, errors."""

import gc
import math
import tracemalloc
import weakref

import numpy as np
import pytest

import minigrad as mg
from minigrad.autograd import Function, functional


def t(values, **kw):
    return mg.tensor(values, **kw)


# --- accumulation and the walk ----------------------------------------------------------------------
def test_shared_subexpression_accumulates(backend):
    a = t(3.0, requires_grad=True)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


class Counted(Function):
    """Identity whose backward records each call in ``calls``."""

    calls = []

    @staticmethod
    def forward(ctx, x):
        return x * 1

    @staticmethod
    def backward(ctx, grad):
        Counted.calls.append(1)
        return grad


@pytest.fixture
def calls():
    Counted.calls.clear()
    return Counted.calls


def test_diamond_graph_visits_each_node_once(backend, calls):
    x = t([1.0, 2.0], requires_grad=True)
    shared = Counted.apply(x)
    (shared * 2 + shared * 3).sum().backward()
    assert len(calls) == 1
    assert x.grad.tolist() == [5.0, 5.0]


def test_backward_accumulates_across_calls(backend):
    x = t(2.0, requires_grad=True)
    (x * x).backward()
    (x * x).backward()
    assert x.grad.item() == 8.0


def test_chain_of_100000_ops_has_no_recursion_error():
    x = t(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_broadcast_gradient_is_summed_to_input_shape(backend):
    a = mg.ones(3, 1, requires_grad=True)
    b = mg.ones(4, requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.shape == (3, 1) and a.grad.tolist() == [[4.0]] * 3
    assert b.grad.shape == (4,) and b.grad.tolist() == [3.0] * 4


def test_leaf_grad_is_writable_and_not_shared(backend):
    a = mg.ones(3, requires_grad=True)
    b = mg.ones(3, requires_grad=True)
    (a + b).sum().backward()
    with mg.no_grad():
        a.grad.mul_(2)
    assert a.grad.tolist() == [2.0] * 3
    assert b.grad.tolist() == [1.0] * 3


def test_leaf_grad_from_a_broadcast_is_writable(backend):
    x = mg.ones(3, requires_grad=True)
    x.sum().backward()
    with mg.no_grad():
        x.grad.add_(1)
    assert x.grad.tolist() == [2.0] * 3


def test_leaf_grad_does_not_alias_the_callers_gradient(backend):
    x = mg.ones(2, requires_grad=True)
    seed = mg.ones(2)
    x.backward(gradient=seed)
    with mg.no_grad():
        x.grad.mul_(3)
    assert seed.tolist() == [1.0, 1.0]


# --- backward arguments and errors --------------------------------------------------------------------
def test_non_scalar_backward_needs_gradient(backend):
    x = mg.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"only for scalar outputs; output 0 has shape \(2, 2\)"):
        (x * 2).backward()
    (x * 2).backward(gradient=mg.ones(2, 2))
    assert x.grad.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_gradient_shape_mismatch_is_named(backend):
    x = mg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of \(3,\)"):
        (x * 2).backward(gradient=mg.ones(3))


def test_second_backward_through_freed_graph_raises(backend):
    x = t(2.0, requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward(backend):
    x = t(2.0, requires_grad=True)
    y = x * x
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == 8.0


def test_backward_of_tensor_without_grad_raises(backend):
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.ones(1).sum().backward()


def test_requires_grad_on_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="only tensors of floating point dtype can require gradients"):
        mg.tensor([1, 2], requires_grad=True)


def test_shape_mismatch_names_op_and_shapes(backend):
    with pytest.raises(RuntimeError, match=r"Add: .*\(2, 3\) float32.*\(4,\) float32"):
        mg.ones(2, 3) + mg.ones(4)
    with pytest.raises(RuntimeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied"):
        mg.ones(2, 3) @ mg.ones(4, 5)


def test_reshape_error_names_shape():
    with pytest.raises(RuntimeError, match=r"shape \[4, 4\] is invalid for input of size 6"):
        mg.ones(2, 3).reshape(4, 4)


def test_logical_op_on_floats_names_op_and_dtypes(backend):
    with pytest.raises(RuntimeError, match=r"Logical: bitwise_and is not defined for floating.*float32"):
        mg.ones(2) & mg.ones(2)
    assert ((mg.ones(2) > 0) & (mg.zeros(2) == 0)).tolist() == [True, True]


def test_mean_of_integer_tensor_raises():
    with pytest.raises(RuntimeError, match="mean\\(\\): .*int64"):
        mg.tensor([1, 2]).mean()


# --- mg.grad and higher order ---------------------------------------------------------------------------
def test_grad_returns_tuple_and_leaves_dot_grad_alone(backend):
    x = t(3.0, requires_grad=True)
    (g,) = mg.grad(x ** 2, x)
    assert g.item() == 6.0 and x.grad is None


def test_grad_of_non_leaf_input(backend):
    x = t(3.0, requires_grad=True)
    h = x * 2
    (g,) = mg.grad((h * h).sum(), h)
    assert g.item() == 12.0


def test_grad_runs_only_the_nodes_leading_to_its_inputs(backend, calls):
    x = t(2.0, requires_grad=True)
    h = Counted.apply(x) * 3
    (g,) = mg.grad(h * h, h)
    assert g.item() == 12.0 and calls == []


def test_grad_allow_unused(backend):
    x = t(1.0, requires_grad=True)
    z = t(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        mg.grad(x * 2, [x, z])
    gx, gz = mg.grad(x * 2, [x, z], allow_unused=True)
    assert gx.item() == 2.0 and gz is None


def test_second_and_third_derivatives(backend):
    x = t(2.0, requires_grad=True)
    y = x ** 4
    (d1,) = mg.grad(y, x, create_graph=True)
    (d2,) = mg.grad(d1, x, create_graph=True)
    (d3,) = mg.grad(d2, x)
    assert (d1.item(), d2.item(), d3.item()) == (32.0, 48.0, 48.0)


def test_lecture_chain_rule_example(backend, float64):
    # f(u) = u², u = 3x³ + 2  =>  dy/dx = 54x⁵ + 36x²
    x = t(1.5, requires_grad=True)
    y = (3 * x ** 3 + 2) ** 2
    y.backward()
    assert math.isclose(x.grad.item(), 54 * 1.5 ** 5 + 36 * 1.5 ** 2)


def test_backward_create_graph_gives_differentiable_grad(backend):
    x = t(3.0, requires_grad=True)
    (x ** 3).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    (d2,) = mg.grad(g, x)
    assert d2.item() == 18.0


def test_hvp_hessian_jacobian(backend, float64):
    def f(v):
        return (v[0] ** 2 * v[1] + v[1] ** 3).sum()

    x = t([1.0, 2.0])
    h = functional.hessian(f, x)
    assert h.tolist() == [[4.0, 2.0], [2.0, 12.0]]
    _, hv = functional.hvp(f, x, t([1.0, -1.0]))
    assert hv.tolist() == [2.0, -10.0]
    jac = functional.jacobian(lambda v: v * v, t([1.0, 3.0]))
    assert jac.tolist() == [[2.0, 0.0], [0.0, 6.0]]


@pytest.mark.parametrize("call", [
    lambda W: functional.hessian(lambda x: (x * 3).sum(), t([1.0, 2.0])),
    lambda W: functional.hessian(lambda x: (mg.relu(x @ W) @ W).sum(), t([0.3, -0.7])),
    lambda W: functional.hvp(lambda x: (mg.relu(x @ W) @ W).sum(), t([0.3, -0.7]), t([1.0, 1.0]))[1],
    lambda W: functional.vhp(lambda x: (x * 3).sum(), t([0.3, -0.7]), t([1.0, 1.0]))[1],
    lambda W: functional.jacobian(lambda x: x.detach() * 2, t([1.0, 2.0])),
    lambda W: functional.vjp(lambda x: x.detach() * 2, t([1.0, 2.0]), t([1.0, 1.0]))[1],
    lambda W: functional.jvp(lambda x: x.detach() * 2, t([1.0, 2.0]), t([1.0, 1.0]))[1],
    lambda W: mg.func.hessian(lambda x: (mg.relu(x @ W) @ W).sum())(t([0.3, -0.7])),
    lambda W: mg.func.grad(lambda x: (x.detach() * 2).sum())(t([1.0, 2.0])),
], ids=["hessian of a linear f", "hessian of a relu net", "hvp", "vhp", "jacobian", "vjp", "jvp",
        "func.hessian", "func.grad"])
def test_a_derivative_of_something_constant_in_the_input_is_zeros(backend, float64, call):
    # PyTorch's: the gradient of a linear function (or of a relu net) does not require grad, and a
    # derivative of it was an error here ("element 0 of tensors does not require grad")
    out = call(t([[1.0, -2.0], [0.5, 1.5]]))
    assert not out.requires_grad and out.abs().sum().item() == 0.0 and out.shape in ((2,), (2, 2))


def test_jacobian_of_several_outputs_is_a_tuple_per_output(backend, float64):
    jac = functional.jacobian(lambda x: (x * 2, x.sum()), t([1.0, 2.0]))
    assert [j.tolist() for j in jac] == [[[2.0, 0.0], [0.0, 2.0]], [1.0, 1.0]]


def test_jvp_is_the_jacobian_times_v_and_vhp_is_hvp(backend, float64):
    def f(x, y):
        return x * y, x.sin()

    x, y = t([1.0, 2.0]), t([3.0, 4.0])
    (prod, sine), (jv_prod, jv_sine) = functional.jvp(f, (x, y), (t([1.0, 0.0]), t([0.0, 1.0])))
    assert prod.tolist() == [3.0, 8.0]
    assert jv_prod.tolist() == [3.0, 2.0]  # d(xy) = y dx + x dy
    assert jv_sine.tolist() == pytest.approx([math.cos(1.0), 0.0])
    jac = functional.jacobian(lambda v: v * v.sum(), t([1.0, 3.0]))
    _, jv = functional.jvp(lambda v: v * v.sum(), t([1.0, 3.0]), t([0.5, -1.0]))
    assert jv.tolist() == pytest.approx((jac @ t([0.5, -1.0])).tolist())
    assert functional.jvp(lambda v: v * 2, t([4.0]))[1].tolist() == [2.0]  # v defaults to 1 for one element

    def g(v):
        return (v[0] ** 2 * v[1] + v[1] ** 3).sum()
    assert functional.vhp(g, t([1.0, 2.0]), t([1.0, -1.0]))[1].tolist() == [2.0, -10.0]


# --- grad modes -------------------------------------------------------------------------------------------
def test_no_grad_context_and_decorator(backend):
    x = t(1.0, requires_grad=True)
    with mg.no_grad():
        assert not (x * 2).requires_grad
        with mg.enable_grad():
            assert (x * 2).requires_grad
    assert mg.is_grad_enabled()

    @mg.no_grad()
    def doubled(v):
        return v * 2

    assert not doubled(x).requires_grad
    assert (x * 2).requires_grad


def test_set_grad_enabled():
    x = t(1.0, requires_grad=True)
    with mg.set_grad_enabled(False):
        assert not (x + 1).requires_grad


# --- hooks and retain_grad --------------------------------------------------------------------------------
def test_hooks_on_leaf_and_non_leaf(backend):
    x = t([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    h = x * 3
    handle = h.register_hook(lambda g: g * 10)
    h.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0]
    assert seen == [[30.0, 30.0]]
    handle.remove()
    x.grad = None
    h2 = x * 3
    h2.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_leaf_hook_runs_once_on_total_gradient(backend):
    x = t(1.0, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.item()))
    (x * 2 + x * 3).backward()
    assert seen == [5.0]


def test_post_accumulate_grad_hook_sees_the_accumulated_grad(backend):
    x = t([1.0, 2.0], requires_grad=True)
    seen = []
    handle = x.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
    (x * 2 + x * 3).sum().backward()
    (x * 2).sum().backward()
    assert seen == [[5.0, 5.0], [7.0, 7.0]]  # once per backward, after accumulation
    mg.grad((x * 2).sum(), x)  # mg.grad writes no .grad, so no hook
    handle.remove()
    (x * 2).sum().backward()
    assert len(seen) == 2
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)


def test_queue_callback_runs_after_the_whole_pass(backend):
    from minigrad.autograd.engine import queue_callback
    x = t(1.0, requires_grad=True)
    order = []

    def hook(grad):
        queue_callback(lambda: order.append(("callback", x.grad.item())))
        order.append("hook")
    x.register_hook(hook)
    (x * 3).backward()
    assert order == ["hook", ("callback", 3.0)]
    with pytest.raises(RuntimeError, match="no backward pass"):
        queue_callback(lambda: None)


def test_retain_grad(backend):
    x = t(2.0, requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).backward()
    assert h.grad.item() == 12.0
    assert x.grad.item() == 36.0


def test_non_leaf_grad_is_not_kept_without_retain_grad(backend):
    x = t(2.0, requires_grad=True)
    h = x * 3
    (h * h).backward()
    assert h.grad is None


# --- custom Function ---------------------------------------------------------------------------------------
class Cube(Function):
    """y = x³; dy/dx = 3x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_custom_function_first_and_second_order(backend, float64):
    x = t([1.0, -2.0], requires_grad=True)
    assert mg.autograd.gradcheck(Cube.apply, [x])
    assert mg.autograd.gradgradcheck(Cube.apply, [x])
    assert Cube.apply(x).grad_fn.name == "CubeBackward"


class ScaleInPlace(Function):
    """x *= 2 in place (marked dirty), the result saved;  d(out)/dx = 2."""

    @staticmethod
    def forward(ctx, x):
        x.mul_(2)
        ctx.mark_dirty(x)
        ctx.save_for_backward(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad * 2 + y * 0


def test_a_custom_function_writing_into_a_view_rebases_the_base(backend):
    # the base's CopySlices was recorded before the Function's node, so the engine ran it after
    # that node had been skipped: the region's gradient was lost (x.grad [2, 0, 0])
    x = t([1., 2., 3.], requires_grad=True)
    b = x * 1
    v = b[1:]
    assert ScaleInPlace.apply(v) is v
    (b * b).sum().backward()
    assert b.tolist() == [1.0, 4.0, 6.0] and x.grad.tolist() == [2.0, 16.0, 24.0]
    assert type(b.grad_fn).__name__ == "CopySlices"


class Narrow(Function):
    """y = x[1:], a view of the input;  dx = dy in the region, 0 elsewhere."""

    @staticmethod
    def forward(ctx, x):
        return x[1:]

    @staticmethod
    def backward(ctx, grad):
        return mg.cat([grad.new_zeros(1), grad])


@pytest.mark.parametrize("write", [lambda y: y.mul_(2), lambda y: y[0:1].add_(1)], ids=["it", "a view of it"])
def test_writing_into_a_custom_functions_view_of_its_input_raises(backend, write):
    # as PyTorch's: the write would bypass the Function's backward; here it went unrecorded in
    # the input's graph, so b's gradient ignored it (x.grad [2, 8, 12], the right one [2, 16, 24])
    x = t([1., 2., 3.], requires_grad=True)
    b = x * 1
    y = Narrow.apply(b)
    with pytest.raises(RuntimeError, match="Output 0 of Narrow is a view and is being modified inplace. This "
                                           "view was created inside a custom Function"):
        write(y)
    with mg.no_grad():
        y.mul_(2)  # not recorded: allowed
    assert b.tolist() == [1.0, 4.0, 6.0]


def test_needs_input_grad(backend):
    seen = []

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            return grad, None

    Probe.apply(t(1.0, requires_grad=True), t(2.0)).backward()
    assert seen == [(True, False)]


# --- in-place and version counters ------------------------------------------------------------------------
def test_inplace_on_saved_input_is_detected(backend):
    w = t(2.0, requires_grad=True)
    x = t(3.0)
    x.name = "x"
    y = w * x
    x.add_(1)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation: Tensor 'x' .* at version 1; "
                                           r"expected version 0 \(saved by MulBackward0\)"):
        y.backward()


def test_inplace_on_saved_output_is_detected(backend):
    x = t(1.0, requires_grad=True)
    y = x.exp()
    with mg.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="output 0 of ExpBackward"):
        y.backward()


def test_inplace_through_view_bumps_shared_version(backend):
    w = t([1.0, 2.0], requires_grad=True)
    x = t([3.0, 4.0])
    y = (w * x).sum()
    v = x.reshape(2, 1)
    v.mul_(2)
    assert x._version[0] == 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_inplace_on_leaf_requiring_grad_raises(backend):
    x = t(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf .* requires grad is being used in an in-place operation"):
        x.add_(1)
    with mg.no_grad():
        x.add_(1)
    assert x.item() == 2.0


def test_inplace_on_non_leaf_is_recorded(backend):
    x = t(2.0, requires_grad=True)
    h = x * 3
    h.mul_(h)
    h.backward()
    assert x.grad.item() == 36.0


def test_inplace_without_graph_writes_storage_seen_by_views(backend):
    x = mg.zeros(4)
    v = x[1:3]
    x.add_(1)
    x[0] = 5.0
    assert v.tolist() == [1.0, 1.0]
    assert x.tolist() == [5.0, 1.0, 1.0, 1.0]


def test_setitem_gradients(backend):
    x = t([1.0, 2.0, 3.0], requires_grad=True)
    v = t(10.0, requires_grad=True)
    y = x * 1
    y[1] = v * 2
    (y * t([1.0, 2.0, 3.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0]
    assert v.grad.item() == 4.0


def test_inplace_result_dtype_must_fit():
    with pytest.raises(RuntimeError, match="can't be cast to the desired output type minigrad.int64"):
        mg.tensor([1, 2]).add_(0.5)


# --- anomaly mode ------------------------------------------------------------------------------------------
def test_detect_anomaly_names_op_and_creation_site(backend):
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    x = t(1.0, requires_grad=True)
    with mg.autograd.detect_anomaly():
        y = NanGrad.apply(x) * 2
        with pytest.raises(RuntimeError, match=r"(?s)'NanGradBackward' returned nan.*test_autograd.py"):
            y.backward()


def test_anomaly_mode_is_one_setting_for_the_process_as_in_pytorch():
    import threading
    assert not mg.is_anomaly_enabled()
    mg.autograd.set_detect_anomaly(True)  # a call sets it at once, as PyTorch's
    try:
        seen = []

        def work():
            node = (t(1.0, requires_grad=True) * 2).grad_fn
            seen.append((mg.is_anomaly_enabled(), hasattr(node, "trace")))
        worker = threading.Thread(target=work)
        worker.start()
        worker.join()
        assert seen == [(True, True)]  # another thread sees it and its nodes record where they were made
    finally:
        mg.autograd.set_detect_anomaly(False)
    assert not mg.is_anomaly_enabled()
    with mg.autograd.detect_anomaly(check_nan=False):
        assert mg.is_anomaly_enabled() and not mg.is_anomaly_check_nan_enabled()
        with mg.autograd.set_detect_anomaly(False):
            assert not mg.is_anomaly_enabled()
        assert mg.is_anomaly_enabled()
        x = t(1.0, requires_grad=True)
        (x * float("nan")).backward()  # traces recorded, NaN not checked
        assert math.isnan(x.grad.item())
    assert not mg.is_anomaly_enabled() and mg.is_anomaly_check_nan_enabled()


# --- memory ------------------------------------------------------------------------------------------------
def test_saved_tensors_are_freed_by_backward():
    x = mg.randn(1000, 1000, requires_grad=True)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        y = (x.exp() * 2).tanh().sum()
        after_forward = tracemalloc.get_traced_memory()[0]
        y.backward()
        x.grad = None
        after_backward = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    megabyte = 1 << 20
    assert after_forward - before > 7.5 * megabyte  # exp and tanh outputs (4 MB each) are saved
    assert after_backward - before < megabyte


def test_graph_is_freed_without_gc_when_output_dropped():
    gc.disable()
    try:
        x = mg.randn(10, requires_grad=True)
        y = (x.exp() * x).sum()
        node = weakref.ref(y.grad_fn)
        retain = x * 2
        retain.retain_grad()
        del y, retain
        assert node() is None
    finally:
        gc.enable()


# --- dtypes ------------------------------------------------------------------------------------------
def test_default_dtypes():
    assert mg.tensor([1.0]).dtype is mg.float32
    assert mg.tensor([1]).dtype is mg.int64
    assert mg.tensor([True]).dtype is mg.bool
    assert mg.Tensor([1, 2]).dtype is mg.float32
    assert mg.tensor(np.zeros(2)).dtype is mg.float64
    assert mg.tensor(np.zeros(2, dtype=np.int32)).dtype is mg.int32


def test_set_default_dtype(float64):
    assert mg.tensor([1.5]).dtype is mg.float64
    assert mg.randn(2).dtype is mg.float64


@pytest.mark.parametrize("a, b, expected", [
    ("float32", "float64", "float64"), ("int64", "float32", "float32"), ("int32", "int64", "int64"),
    ("bool", "int32", "int32"), ("float16", "float32", "float32"), ("uint8", "int8", "int16"),
])
def test_type_promotion_between_tensors(backend, a, b, expected):
    if "float16" in (a, b) and backend.type == "strict":
        pytest.skip("the array API standard has no float16")
    x = mg.ones(2, dtype=a)
    y = mg.ones(2, dtype=b)
    assert (x + y).dtype.name == expected
    assert (y * x).dtype.name == expected


def test_type_promotion_with_python_scalars_and_zero_dim(backend):
    i = mg.tensor([1, 2])
    assert (i + 1).dtype is mg.int64
    assert (i * 1.5).dtype is mg.float32
    assert (i / 2).dtype is mg.float32
    f = mg.ones(2)
    assert (f * 2).dtype is mg.float32
    assert (f + mg.tensor(1.0, dtype=mg.float64)).dtype is mg.float32  # 0-d does not widen
    assert mg.tensor([1, 2]).exp().dtype is mg.float32


def test_float_gradient_keeps_input_dtype(backend):
    x = mg.ones(2, dtype=mg.float64, requires_grad=True)
    (x.float() * 2).sum().backward()
    assert x.grad.dtype is mg.float64


def test_comparisons_are_bool_without_grad(backend):
    x = t([1.0, 2.0], requires_grad=True)
    c = x > 1.5
    assert c.dtype is mg.bool and not c.requires_grad
    assert c.tolist() == [False, True]


def test_max_min_with_dim_return_values_and_indices(backend):
    x = t([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], requires_grad=True)
    out = x.max(dim=1)
    assert out.values.tolist() == [5.0, 7.0]
    assert out.indices.tolist() == [1, 0]  # ties: the first, as PyTorch
    out.values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    values, indices = x.min(0)
    assert values.tolist() == [1.0, 0.0, 5.0] and indices.tolist() == [0, 1, 0]


def test_full_max_splits_gradient_among_ties(backend):
    x = t([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


# --- random ------------------------------------------------------------------------------------------
def test_manual_seed_reproduces_every_factory(backend):
    def draw():
        return (mg.rand(3).tolist(), mg.randn(2, 2).tolist(), mg.randint(0, 10, (4,)).tolist(),
                mg.randperm(5).tolist(), mg.zeros(3).normal_().tolist())

    mg.manual_seed(7)
    first = draw()
    mg.manual_seed(7)
    assert draw() == first
    assert draw() != first


def test_generator_is_independent_of_global_seed():
    g = mg.Generator().manual_seed(3)
    a = mg.randn(3, generator=g).tolist()
    mg.manual_seed(0)
    mg.randn(5)
    assert mg.randn(3, generator=mg.Generator().manual_seed(3)).tolist() == a


def test_random_distributions():
    mg.manual_seed(0)
    u = mg.rand(100_000).numpy()
    n = mg.randn(100_000).numpy()
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    assert abs(n.mean()) < 0.02 and abs(n.std() - 1) < 0.02
    r = mg.randint(3, 7, (1000,)).numpy()
    assert set(r.tolist()) == {3, 4, 5, 6}


def test_hook_returning_a_gradient_of_another_shape_is_refused():
    x = mg.ones(3, requires_grad=True)
    x.register_hook(lambda g: mg.ones(4))
    with pytest.raises(RuntimeError, match=r"hook '<lambda>' on Tensor of shape \(3,\).* changed the "
                                           r"gradient from \(3,\) float32 on cpu to \(4,\) float32"):
        (x * 2).sum().backward()


def test_hook_returning_a_non_tensor_is_refused():
    x = mg.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: "oops")
    with pytest.raises(TypeError, match="hook '<lambda>' on output 0 of MulBackward0 returned a str"):
        y.sum().backward()


@pytest.mark.parametrize("value, message", [
    (lambda: mg.ones(4), r"assigned grad has data of a different size: \(4,\) for a tensor of shape \(3,\)"),
    (lambda: mg.ones(3, dtype=mg.float64), "assigned grad has data of a different type: float64"),
    (lambda: [1.0, 2.0, 3.0], "assigned grad expected to be a Tensor or None, got list"),
])
def test_assigning_a_mismatched_grad_is_refused(value, message):
    x = mg.ones(3, requires_grad=True)
    with pytest.raises((RuntimeError, TypeError), match=message):
        x.grad = value()


def test_grad_of_a_passed_through_gradient_is_a_copy():
    # Add passes its incoming gradient to both inputs: each .grad must own its storage
    a = mg.ones(2, requires_grad=True)
    b = mg.ones(2, requires_grad=True)
    (a + b).backward(mg.ones(2))
    a.grad.add_(1)
    assert b.grad.tolist() == [1.0, 1.0]


def test_inputs_without_grad_are_held_weakly_for_pictures():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    x = mg.tensor([3.0, 4.0])
    y = x + w  # Add saves nothing: only the program holds x
    ((i, held),) = y.grad_fn.constant_inputs()
    assert i == 0 and held is x
    del x, held
    gc.collect()
    assert y.grad_fn.constant_inputs() == []  # the graph never keeps a batch alive
    assert y.grad_fn.next[0] is None  # and the engine sees no edge


def test_run_backward_without_hooks_runs_none_after_a_hooked_node():
    # regression: the loop over a node's hooks once rebound the `hooks` flag to a list of hooks
    from minigrad.autograd.engine import run_backward
    calls = []
    x = mg.ones(2, requires_grad=True)
    a = x * 2
    b = a * 3
    a.register_hook(lambda g: calls.append("a"))
    b.register_hook(lambda g: calls.append("b"))
    loss = b.sum()
    run_backward([loss], [mg.ones(())], retain_graph=True, hooks=False)
    assert calls == []
    assert x.grad.tolist() == [6.0, 6.0]


@pytest.mark.parametrize("op", ["sign", "round", "floor", "ceil", "trunc", "pow0", "norm0"])
def test_zero_derivatives_give_zero_even_for_inf_and_nan_gradients(op):
    # PyTorch's zero derivatives are zeros, not the incoming gradient times 0 (inf · 0 = NaN)
    x = mg.tensor([1.5, -2.0], requires_grad=True)
    y = {"pow0": lambda: x ** 0, "norm0": lambda: x.norm(p=0)}.get(op, lambda: getattr(x, op)())()
    y.backward(mg.tensor([float("inf"), float("nan")]) if y.ndim else mg.tensor(float("inf")))
    assert x.grad.tolist() == [0.0, 0.0]


# --- .grad accumulates in place (PyTorch's AccumulateGrad) -----------------------------------------------
def test_grad_accumulates_in_place_so_its_aliases_see_the_sum(backend):
    x = t([1., 2., 3.], requires_grad=True)
    (x * x).sum().backward()
    g, head = x.grad, x.grad[0:2]
    (x * x).sum().backward()
    assert x.grad is g and head.tolist() == [4.0, 8.0] and g.tolist() == [4.0, 8.0, 12.0]


def test_a_grad_assigned_as_a_view_of_a_buffer_accumulates_into_the_buffer(backend):
    x = t([1., 2., 3.], requires_grad=True)
    buffer = mg.zeros(5)
    x.grad = buffer[1:4]
    (x * x).sum().backward()
    assert buffer.tolist() == [0.0, 2.0, 4.0, 6.0, 0.0]


def test_a_grad_that_requires_grad_is_added_into_in_place_too(backend):
    x = t([1., 2., 3.], requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    g = x.grad
    (x * x).sum().backward()
    assert x.grad is g and g.requires_grad and g.tolist() == [4.0, 8.0, 12.0]
    y = t([1., 2.], requires_grad=True)
    y.grad = t([1., 1.], requires_grad=True)
    (y * y).sum().backward()
    assert y.grad.requires_grad and y.grad.tolist() == [3.0, 5.0]


def test_backward_with_inputs_accumulates_a_leaf_in_place(backend):
    x = t([1., 2.], requires_grad=True)
    (x * x).sum().backward(inputs=[x])
    g, head = x.grad, x.grad[0:1]
    (x * x).sum().backward(inputs=[x])
    assert x.grad is g and head.tolist() == [4.0] and g.tolist() == [4.0, 8.0]


def test_module_zero_grad_without_none_zeroes_the_grad_in_place(backend):
    m = mg.nn.Linear(2, 1)
    m(t([[1., 2.]])).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and g.tolist() == [[0.0, 0.0]]


def test_grad_of_a_dict_of_inputs_is_a_dict_and_backward_takes_one(backend):
    x, y = t([1., 2.], requires_grad=True), t([1., 2.], requires_grad=True)
    grads = mg.autograd.grad((x * x * y).sum(), {"a": x, "b": y})
    assert list(grads) == ["a", "b"]
    assert grads["a"].tolist() == [2.0, 8.0] and grads["b"].tolist() == [1.0, 4.0]
    (x * y).sum().backward(inputs={"a": x})
    assert x.grad.tolist() == [1.0, 2.0] and y.grad is None


def test_materialized_zeros_require_grad_under_create_graph(backend):
    x, y = t([1., 2.], requires_grad=True), t([1., 2.], requires_grad=True)
    for create_graph in (False, True):
        _, zeros = mg.autograd.grad((x * x).sum(), [x, y], materialize_grads=True, create_graph=create_graph)
        assert zeros.tolist() == [0.0, 0.0] and zeros.requires_grad is create_graph
