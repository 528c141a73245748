"""Threads, grad mode and defaults as in PyTorch: grad mode per thread, defaults per process,
backward passes in several threads accumulating exactly as if serialized."""

import threading

import pytest

import minigrad as mg
from minigrad.autograd.engine import queue_callback


def run_threads(target, n=4):
    errors = []

    def guarded(i):
        try:
            target(i)
        except BaseException as err:  # a failed assert in a thread must fail the test
            errors.append(err)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]


def test_backward_into_a_shared_leaf_from_threads_loses_nothing():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    calls = 1000

    def work(i):
        for _ in range(calls):
            (w * 3.0).sum().backward()

    run_threads(work)
    assert w.grad.tolist() == [4 * calls * 3.0] * 2


def test_shared_leaf_through_a_module_from_threads():
    lin = mg.nn.Linear(3, 1)
    x = mg.ones(2, 3)
    run_threads(lambda i: [lin(x).sum().backward() for _ in range(200)])
    assert lin.bias.grad.tolist() == [4 * 200 * 2.0]
    assert lin.weight.grad.tolist() == [[4 * 200 * 2.0] * 3]


def test_grad_mode_is_per_thread():
    seen = {}
    inside = threading.Event()
    checked = threading.Event()

    def no_grad_thread(i):
        with mg.no_grad():
            inside.set()
            checked.wait(5)
            seen["no_grad"] = mg.is_grad_enabled()

    def recording_thread(i):
        inside.wait(5)
        x = mg.ones(1, requires_grad=True)
        seen["recording"] = (x * 2).requires_grad
        checked.set()

    run_threads(lambda i: (no_grad_thread if i == 0 else recording_thread)(i), n=2)
    assert seen == {"no_grad": False, "recording": True}


def test_a_new_thread_starts_with_grad_enabled():
    seen = []
    with mg.no_grad():
        run_threads(lambda i: seen.append(mg.is_grad_enabled()), n=1)
    assert seen == [True]


def test_set_grad_enabled_as_a_call_and_as_a_context():
    try:
        mg.set_grad_enabled(False)
        assert not mg.is_grad_enabled()
        assert not (mg.ones(1, requires_grad=True) * 2).requires_grad
    finally:
        mg.set_grad_enabled(True)
    with mg.set_grad_enabled(False):
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()

    @mg.set_grad_enabled(False)
    def f():
        return mg.is_grad_enabled()
    assert mg.is_grad_enabled() and f() is False and mg.is_grad_enabled()


def test_one_no_grad_object_is_reusable_nested_and_shared():
    ctx = mg.no_grad()
    with ctx:
        with ctx:
            assert not mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    with ctx:
        pass
    assert mg.is_grad_enabled()
    states = []

    def work(i):
        for _ in range(200):
            with ctx:
                states.append(mg.is_grad_enabled())
        states.append(mg.is_grad_enabled())

    run_threads(work, n=3)
    assert states.count(False) == 600 and states.count(True) == 3


def test_inference_mode_records_nothing():
    x = mg.ones(2, requires_grad=True)
    with mg.inference_mode():
        assert not (x * 2).requires_grad
    with mg.inference_mode(False):
        assert (x * 2).requires_grad

    @mg.inference_mode()
    def f():
        return (x * 2).requires_grad
    assert f() is False


def test_default_dtype_is_per_process():
    seen = []
    previous = mg.get_default_dtype()
    mg.set_default_dtype(mg.float64)
    try:
        run_threads(lambda i: seen.append((mg.get_default_dtype(), mg.tensor(1.0).dtype)), n=1)
    finally:
        mg.set_default_dtype(previous)
    assert seen == [(mg.float64, mg.float64)]


def test_queue_callback_runs_in_its_own_backward_pass():
    order = []
    barrier = threading.Barrier(2, timeout=5)

    def work(i):
        x = mg.ones(1, requires_grad=True)

        def hook(grad):
            queue_callback(lambda: order.append((i, threading.get_ident())))
            barrier.wait()  # both passes are inside backward at once
            return grad
        y = x * 2
        y.register_hook(hook)
        y.sum().backward()
        order.append((i, "after", threading.get_ident()))

    run_threads(work, n=2)
    for i in range(2):
        ident = [entry[-1] for entry in order if entry[0] == i]
        assert len(ident) == 2 and ident[0] == ident[1]


def test_queue_callback_outside_backward_raises():
    with pytest.raises(RuntimeError, match="no backward pass is running in this thread"):
        queue_callback(lambda: None)
