"""Activation checkpointing (``mg.utils.checkpoint``), both forms, and ``mg.random.fork_rng``.

Gradients through a checkpoint must equal those of the plain call exactly (same ops on the same
values), and the activations must really be gone between forward and backward. PyTorch 2.13's
behaviour is the reference for the errors, warnings and segmenting.
"""

import gc
import threading
import tracemalloc
import weakref

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as F
from minigrad.autograd.graph import saved_tensors_hooks
from minigrad.utils.checkpoint import (
    CheckpointError,
    checkpoint,
    checkpoint_sequential,
    set_checkpoint_early_stop,
)

BOTH = pytest.mark.parametrize("reentrant", [False, True], ids=["non-reentrant", "reentrant"])


def mlp(x, w1, w2):
    return ((x @ w1).tanh() @ w2).sigmoid()


def grads(loss, *tensors):
    for t in tensors:
        t.grad = None
    loss.backward()
    grads = [t.grad for t in tensors]
    for t in tensors:
        t.grad = None
    return grads


def inputs(*shapes, dtype=mg.float64, seed=0):
    mg.manual_seed(seed)
    return [mg.randn(*s, dtype=dtype, requires_grad=True) for s in shapes]


def numerical_check(fn, xs, eps=1e-6, tol=1e-7):
    """Central differences against ``.backward()`` (``mg.autograd.gradcheck`` uses ``mg.grad``,
    which the reentrant checkpoint refuses, as PyTorch's does)."""
    for x in xs:
        x.grad = None
    fn(*xs).sum().backward()
    for x in xs:
        flat = x.detach().numpy().reshape(-1)
        numeric = np.zeros_like(flat)
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            up = fn(*xs).sum().item()
            flat[i] = old - eps
            down = fn(*xs).sum().item()
            flat[i] = old
            numeric[i] = (up - down) / (2 * eps)
        assert np.allclose(x.grad.numpy().reshape(-1), numeric, atol=tol, rtol=tol)
    return True


# --- gradients ----------------------------------------------------------------------------------
def test_gradcheck_and_gradgradcheck_through_the_non_reentrant_checkpoint():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    assert mg.autograd.gradcheck(lambda *a: checkpoint(mlp, *a, use_reentrant=False), (x, w1, w2))
    assert mg.autograd.gradgradcheck(lambda *a: checkpoint(mlp, *a, use_reentrant=False), (x, w1, w2))


def test_central_differences_through_the_reentrant_checkpoint():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    assert numerical_check(lambda *a: checkpoint(mlp, *a, use_reentrant=True), [x, w1, w2])


@BOTH
def test_gradients_equal_the_plain_call_exactly_in_float64(reentrant):
    x, w1, w2 = inputs((8, 16), (16, 16), (16, 4))
    plain = grads(mlp(x, w1, w2).sum(), x, w1, w2)
    checked = grads(checkpoint(mlp, x, w1, w2, use_reentrant=reentrant).sum(), x, w1, w2)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))


def dropout_mlp(x, w1, w2):
    h = F.dropout((x @ w1).relu(), 0.5)
    return F.dropout(h @ w2, 0.3).tanh()


@BOTH
def test_dropout_draws_the_same_masks_in_the_recomputation(reentrant):
    x, w1, w2 = inputs((8, 16), (16, 16), (16, 4), dtype=mg.float32)
    mg.manual_seed(7)
    plain = grads(dropout_mlp(x, w1, w2).sum(), x, w1, w2)
    after_plain = mg.rand(4).tolist()
    mg.manual_seed(7)
    out = checkpoint(dropout_mlp, x, w1, w2, use_reentrant=reentrant)
    checked = grads(out.sum(), x, w1, w2)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))
    assert mg.rand(4).tolist() == after_plain  # the recomputation's draws did not move the stream


@BOTH
def test_without_preserve_rng_state_the_recomputation_draws_new_masks(reentrant):
    x, w1, w2 = inputs((8, 16), (16, 16), (16, 4), dtype=mg.float32)
    mg.manual_seed(7)
    plain = grads(dropout_mlp(x, w1, w2).sum(), x, w1, w2)
    mg.manual_seed(7)
    out = checkpoint(dropout_mlp, x, w1, w2, use_reentrant=reentrant, preserve_rng_state=False)
    checked = grads(out.sum(), x, w1, w2)
    assert not np.array_equal(plain[1].numpy(), checked[1].numpy())


def test_nested_checkpoints_give_the_plain_gradients():
    x, w1, w2 = inputs((4, 6), (6, 6), (6, 3))

    def inner(h):
        return (h @ w1).sin() * h

    def outer(a, nest):
        first = nest(inner, a.exp())
        return nest(inner, first.cos()) @ w2

    def nested(fn, *args):
        return checkpoint(fn, *args, use_reentrant=False)

    plain = grads(outer(x, lambda fn, *args: fn(*args)).sum(), x, w1, w2)
    checked = grads(checkpoint(outer, x, nested, use_reentrant=False).sum(), x, w1, w2)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))
    assert mg.autograd.gradcheck(lambda a: checkpoint(outer, a, nested, use_reentrant=False), (x,))


def test_nested_reentrant_checkpoints_give_the_plain_gradients():
    x, w = inputs((3, 4), (4, 4))

    def inner(h):
        return (h @ w).tanh()

    def outer(a):
        return checkpoint(inner, checkpoint(inner, a, use_reentrant=True), use_reentrant=True).exp()

    plain = grads(inner(inner(x)).exp().sum(), x, w)
    with pytest.warns(UserWarning, match="None of the inputs"):  # the inner two run under no_grad
        out = checkpoint(outer, x, use_reentrant=True)
    checked = grads(out.sum(), x, w)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))


def test_keyword_and_non_tensor_arguments_and_tuple_outputs():
    x, w = inputs((3, 4), (4, 4))

    def fn(a, k, *, scale, tag):
        return (a @ w * k).sin(), tag, (a * scale).exp()

    first, tag, third = checkpoint(fn, x, 2, use_reentrant=False, scale=0.5, tag="t")
    assert tag == "t"
    checked = grads(first.sum() + third.sum(), x, w)
    p1, _, p3 = fn(x, 2, scale=0.5, tag="t")
    plain = grads(p1.sum() + p3.sum(), x, w)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))
    assert mg.autograd.gradcheck(lambda a: checkpoint(fn, a, 3, use_reentrant=False, scale=2.0, tag=0)[::2],
                                 (x,))


def test_reentrant_non_tensor_arguments_and_tuple_outputs():
    x, w = inputs((3, 4), (4, 4))

    def fn(a, k):
        return (a @ w * k).sin(), "tag", (a * k).exp()

    first, tag, third = checkpoint(fn, x, 2, use_reentrant=True)
    assert tag == "tag"
    checked = grads(first.sum() + third.sum(), x, w)
    p1, _, p3 = fn(x, 2)
    plain = grads(p1.sum() + p3.sum(), x, w)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))
    only_first = grads(checkpoint(fn, x, 2, use_reentrant=True)[0].sum(), x, w)  # third gets no gradient
    assert np.array_equal(only_first[1].numpy(), grads(fn(x, 2)[0].sum(), x, w)[1].numpy())


def test_the_non_reentrant_checkpoint_works_with_grad_inputs_and_create_graph():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    out = checkpoint(mlp, x, w1, w2, use_reentrant=False).sum()
    (gx, gw) = mg.grad(out, (x, w1), create_graph=True)
    plain = mlp(x, w1, w2).sum()
    (px, pw) = mg.grad(plain, (x, w1), create_graph=True)
    assert np.array_equal(gx.detach().numpy(), px.detach().numpy())
    (hx,) = mg.grad(gx.sum() + gw.sum(), x)
    (qx,) = mg.grad(px.sum() + pw.sum(), x)
    assert np.allclose(hx.numpy(), qx.numpy(), rtol=1e-12, atol=1e-12)
    out = checkpoint(mlp, x, w1, w2, use_reentrant=False).sum()
    out.backward(inputs=[w2])
    assert w2.grad is not None and x.grad is None and w1.grad is None


# --- recomputation ------------------------------------------------------------------------------
class Counted:
    """``mlp`` that counts its calls and the calls that ran past its last op (early stop cuts there)."""

    def __init__(self):
        self.calls = self.finished = 0

    def __call__(self, x, w1, w2):
        self.calls += 1
        out = mlp(x, w1, w2)
        self.finished += 1
        return out


def test_the_function_is_rerun_once_per_backward_pass_and_stops_early():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    fn = Counted()
    out = checkpoint(fn, x, w1, w2, use_reentrant=False).sum()
    assert (fn.calls, fn.finished) == (1, 1)
    out.backward(retain_graph=True)
    assert (fn.calls, fn.finished) == (2, 1)  # stopped at the last saved value
    first = x.grad.clone()
    out.backward()
    assert (fn.calls, fn.finished) == (3, 1)  # recomputed again for the second pass
    assert np.array_equal(x.grad.numpy(), 2 * first.numpy())
    with set_checkpoint_early_stop(False):
        out = checkpoint(fn, x, w1, w2, use_reentrant=False).sum()
    out.backward()
    assert (fn.calls, fn.finished) == (5, 3)


def test_no_grad_runs_the_function_once_and_records_nothing():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    fn = Counted()
    with mg.no_grad():
        out = checkpoint(fn, x, w1, w2, use_reentrant=False)
    assert fn.calls == 1 and out.grad_fn is None


def test_an_input_modified_in_place_after_the_forward_is_caught():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    h = x * 1
    out = checkpoint(mlp, h, w1, w2, use_reentrant=False).sum()
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.backward()


def test_reading_a_checkpointed_value_twice_in_one_pass_is_an_error():
    class Twice(mg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            ctx.saved_tensors
            return grad * 2

    (x,) = inputs((3,))
    out = checkpoint(lambda a: Twice.apply(a.exp()), x, use_reentrant=False).sum()
    with pytest.raises(CheckpointError, match="already unpacked once"):
        out.backward()


def test_a_recomputation_that_saves_other_shapes_raises():
    (x,) = inputs((4,))
    calls = []

    def fn(a):
        calls.append(1)
        return (a if len(calls) == 1 else a[:2]).exp().sum()

    with pytest.raises(CheckpointError, match="different metadata"):
        checkpoint(fn, x, use_reentrant=False).backward()
    calls.clear()
    with pytest.raises(CheckpointError, match=r"(?s)Saved during the original forward.*ExpBackward0: \(4,\)"
                                              r".*Saved during recomputation.*ExpBackward0: \(2,\)"):
        checkpoint(fn, x, use_reentrant=False, debug=True).backward()


def test_a_recomputation_that_saves_fewer_values_raises_unless_unchecked():
    (x,) = inputs((4,))
    calls = []

    def fn(a):
        calls.append(1)
        y = a.exp()
        return y.exp() if len(calls) == 1 else y * 1.0

    with pytest.raises(CheckpointError, match="A different number of tensors was saved"):
        checkpoint(fn, x, use_reentrant=False).sum().backward()
    with pytest.raises(ValueError, match="determinism_check should be one of"):
        checkpoint(fn, x, use_reentrant=False, determinism_check="strict")


def test_context_fn_wraps_the_forward_and_the_recomputation():
    events = []

    class Mark:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            events.append(self.name)

        def __exit__(self, *exc):
            events.append("/" + self.name)

    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    out = checkpoint(mlp, x, w1, w2, use_reentrant=False, context_fn=lambda: (Mark("fwd"), Mark("re")))
    assert events == ["fwd", "/fwd"]
    out.sum().backward()
    assert events == ["fwd", "/fwd", "re", "/re"]
    with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
        checkpoint(mlp, x, w1, w2, use_reentrant=True, context_fn=lambda: (Mark("a"), Mark("b")))


def test_outer_hooks_see_only_the_checkpoint_inputs():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    packed = []
    with saved_tensors_hooks(lambda t: packed.append(t) or t.detach(), lambda t: t):
        h = x * 1.0  # the scalar only: nothing packed
        out = checkpoint(mlp, h, w1, w2, use_reentrant=False)
    assert len(packed) == 3 and packed[0] is h and packed[1] is w1 and packed[2] is w2
    plain = grads(mlp(x, w1, w2).sum(), x, w1)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, grads(out.sum(), x, w1)))


def test_checkpoints_in_two_threads_at_once():
    x, w1, w2 = inputs((6, 8), (8, 8), (8, 3))
    expected = grads(mlp(x, w1, w2).sum(), w1)[0].numpy()
    barrier = threading.Barrier(2)
    results = [None, None]

    def run(i):
        a, b, c = (t.detach().requires_grad_() for t in (x, w1, w2))
        out = checkpoint(mlp, a, b, c, use_reentrant=False).sum()
        barrier.wait()
        out.backward()
        results[i] = b.grad.numpy()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(r, expected) for r in results)


# --- the reentrant form's restrictions ------------------------------------------------------------
def test_the_reentrant_form_refuses_grad_and_backward_inputs():
    x, w1, w2 = inputs((3, 4), (4, 5), (5, 2))
    message = "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad()"
    with pytest.raises(RuntimeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        mg.grad(checkpoint(mlp, x, w1, w2, use_reentrant=True).sum(), x)
    with pytest.raises(RuntimeError, match="passing an `inputs` parameter"):
        checkpoint(mlp, x, w1, w2, use_reentrant=True).sum().backward(inputs=[x])


def test_the_reentrant_form_warns_when_no_input_requires_grad():
    w = mg.ones(4, 4, requires_grad=True)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(lambda a: a @ w, mg.ones(2, 4), use_reentrant=True)
    assert out.requires_grad is False and out.grad_fn is None  # w gets no gradient, as in PyTorch


def test_the_reentrant_form_takes_no_keyword_arguments_or_debug():
    (x,) = inputs((2,))
    with pytest.raises(ValueError, match="Unexpected keyword arguments: scale"):
        checkpoint(lambda a, scale: a * scale, x, use_reentrant=True, scale=2.0)
    with pytest.raises(ValueError, match="only supported when use_reentrant=False"):
        checkpoint(lambda a: a * 2, x, use_reentrant=True, debug=True)


def test_not_passing_use_reentrant_warns_and_means_reentrant():
    (x,) = inputs((2,))
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        out = checkpoint(lambda a: a.exp(), x)
    assert type(out.grad_fn).__name__ == "CheckpointFunctionBackward"
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant parameter"):
        checkpoint_sequential([lambda a: a], 1, x)


# --- checkpoint_sequential ------------------------------------------------------------------------
@BOTH
def test_checkpoint_sequential_checkpoints_all_segments_but_the_last(reentrant):
    calls = []

    def layer(i):
        def fn(a):
            calls.append(i)
            return (a * (i + 1)).sin()
        return fn

    functions = [layer(i) for i in range(7)]
    (x,) = inputs((3,))
    out = checkpoint_sequential(functions, 3, x, use_reentrant=reentrant)
    assert calls == [0, 1, 2, 3, 4, 5, 6]
    calls.clear()
    out.sum().backward()
    # 7 functions in 3 segments: [0, 1] and [2, 3] checkpointed (recomputed, the later first),
    # [4, 5, 6] run as usual; PyTorch's segmenting
    assert calls == [2, 3, 0, 1]


@BOTH
def test_checkpoint_sequential_of_a_sequential_gives_the_plain_gradients(reentrant):
    mg.manual_seed(3)
    model = mg.nn.Sequential(*[m for _ in range(6) for m in (mg.nn.Linear(8, 8), mg.nn.Dropout(0.2),
                                                               mg.nn.GELU())])
    x = mg.randn(5, 8, requires_grad=True)
    params = [x, *model.parameters()]
    mg.manual_seed(11)
    plain = grads(model(x).sum(), *params)
    mg.manual_seed(11)
    checked = grads(checkpoint_sequential(model, 4, x, use_reentrant=reentrant).sum(), *params)
    assert all(np.array_equal(a.numpy(), b.numpy()) for a, b in zip(plain, checked))
    with pytest.raises(ValueError, match="Unexpected keyword arguments: debug"):
        checkpoint_sequential(model, 2, x, use_reentrant=False, debug=True)


# --- memory ---------------------------------------------------------------------------------------
def chain(x, refs=None):
    """12 rounds of sin then exp; ``refs`` collects a weak reference to each array made."""
    for _ in range(12):
        for op in (mg.sin, mg.exp):
            x = op(x)
            if refs is not None:
                refs.append(weakref.ref(x.array))
    return x


@BOTH
def test_the_activations_are_freed_between_forward_and_backward(reentrant):
    x = mg.randn(100, dtype=mg.float64, requires_grad=True)  # small arrays: never from the buffer pool
    plain_refs = []
    plain = chain(x, plain_refs)
    gc.collect()
    # each exp output is saved (by exp, and by the sin after it): alive while the graph is
    assert all(ref() is not None for ref in plain_refs[1::2])
    expected = grads(plain.sum(), x)[0]
    refs = []
    out = checkpoint(chain, x, refs, use_reentrant=reentrant)
    gc.collect()
    assert len(refs) == 24
    assert [i for i, ref in enumerate(refs[:-1]) if ref() is not None] == []  # only the output is left
    assert np.array_equal(grads(out.sum(), x)[0].numpy(), expected.numpy())


def test_a_checkpoints_input_is_freed_once_its_nodes_have_run_not_at_the_end_of_the_pass():
    x = mg.randn(100, dtype=mg.float64, requires_grad=True)
    a = x.exp()
    h = a * 2.0  # kept by nothing but the checkpoint once the name is gone
    h_array = weakref.ref(h.array)
    out = checkpoint(chain, h, use_reentrant=False)
    del h
    seen = []
    a.register_hook(lambda g: seen.append(h_array() is None))  # runs after the checkpoint's nodes
    out.sum().backward()
    assert seen == [True]


def traced(run):
    """The bytes NumPy holds after ``run()`` and the peak during it and its backward (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    try:
        out = run()
        held = tracemalloc.get_traced_memory()[0]
        out.sum().backward()
        return held, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@BOTH
def test_a_checkpoint_holds_only_its_input_and_output_after_the_forward(reentrant):
    x = mg.randn(20_000, dtype=mg.float64, requires_grad=True)
    size = x.numel() * 8
    held, _ = traced(lambda: chain(x))
    assert held > 12 * size  # the 12 exp outputs
    held, _ = traced(lambda: checkpoint(chain, x, use_reentrant=reentrant))
    assert held < 2 * size  # the output, and small bookkeeping


@BOTH
def test_checkpoint_sequential_lowers_the_peak_of_forward_and_backward(reentrant):
    x = mg.randn(20_000, dtype=mg.float64, requires_grad=True)
    size = x.numel() * 8
    functions = [mg.sin, mg.exp] * 48
    _, plain = traced(lambda: _run(functions, x))
    _, checked = traced(lambda: checkpoint_sequential(functions, 8, x, use_reentrant=reentrant))
    assert plain > 48 * size  # every exp output until backward frees them
    assert checked < 24 * size  # 7 segment inputs, one segment's activations twice, temporaries


def _run(functions, x):
    for fn in functions:
        x = fn(x)
    return x


# --- fork_rng -------------------------------------------------------------------------------------
def test_fork_rng_restores_the_stream_and_can_be_disabled():
    mg.manual_seed(5)
    with mg.random.fork_rng():
        inside = mg.rand(3).tolist()
        mg.manual_seed(99)  # even a new seed inside is undone
        mg.rand(2)
    assert mg.rand(3).tolist() == inside
    with mg.random.fork_rng(enabled=False):
        mg.rand(3)
    mg.manual_seed(5)
    mg.rand(3)
    expected = mg.rand(3).tolist()
    mg.manual_seed(5)
    with mg.random.fork_rng(enabled=False):
        mg.rand(3)
    assert mg.rand(3).tolist() == expected


@pytest.mark.gpu
def test_fork_rng_restores_the_gpu_streams_and_dropout_on_the_gpu_is_recomputed_alike():
    mg.manual_seed(5)
    mg.rand(3, device="cuda")  # the GPU stream exists before the fork
    with mg.random.fork_rng():
        inside = mg.rand(3, device="cuda").tolist()
    assert mg.rand(3, device="cuda").tolist() == inside
    x, w1, w2 = (t.to("cuda").detach().requires_grad_() for t in inputs((8, 16), (16, 16), (16, 4),
                                                                      dtype=mg.float32))
    mg.manual_seed(7)
    plain = grads(dropout_mlp(x, w1, w2).sum(), x, w1, w2)
    mg.manual_seed(7)
    checked = grads(checkpoint(dropout_mlp, x, w1, w2, use_reentrant=False).sum(), x, w1, w2)
    assert all(np.array_equal(a.cpu().numpy(), b.cpu().numpy()) for a, b in zip(plain, checked))
