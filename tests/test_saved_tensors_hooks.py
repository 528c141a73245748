"""``mg.autograd.graph``: saved-tensor hooks, ``save_on_cpu`` and ``disable_saved_tensors_hooks``.

The expected behaviours are PyTorch 2.13's, observed with its own hooks: when pack and unpack
run and on what, that only the innermost pair applies, that hooks are per thread, that hooked
values skip the version check, and the errors.
"""

import threading

import pytest

import minigrad as mg
from minigrad.autograd.graph import disable_saved_tensors_hooks, save_on_cpu, saved_tensors_hooks


class Log:
    """A pair of hooks that records each call (the packed tensor's shape, whether it is a node
    output) and keeps a detached reference, as PyTorch advises."""

    def __init__(self, name=""):
        self.name, self.calls, self.packed = name, [], []

    def pack(self, t):
        self.calls.append(("pack" + self.name, tuple(t.shape)))
        self.packed.append(t)
        return t.detach()

    def unpack(self, t):
        self.calls.append(("unpack" + self.name, tuple(t.shape)))
        return t

    def hooks(self):
        return saved_tensors_hooks(self.pack, self.unpack)


def test_pack_runs_once_per_saved_tensor_when_recorded_and_unpack_per_read(backend):
    log = Log()
    a = mg.ones(3, requires_grad=True)
    b = mg.full((3,), 2.0, requires_grad=True)
    with log.hooks():
        y = (a * b).sum()
    assert log.calls == [("pack", (3,)), ("pack", (3,))]
    assert log.packed[0] is a and log.packed[1] is b  # the inputs themselves
    y.backward(retain_graph=True)
    y.backward()
    assert [c for c, _ in log.calls[2:]] == ["unpack"] * 4  # two reads per backward pass
    assert a.grad.tolist() == [4.0, 4.0, 4.0] and b.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_saved_output_is_packed_as_the_output_tensor():
    log = Log()
    x = mg.ones(2, requires_grad=True)
    with log.hooks():
        y = x.exp()
    assert len(log.packed) == 1 and log.packed[0] is y and type(y.grad_fn).__name__ == "ExpBackward0"


def test_numbers_an_op_saves_are_not_packed():
    log = Log()
    x = mg.ones(2, requires_grad=True)
    with log.hooks():
        y = x * 3.0  # saves only the scalar operand (x's gradient is 3.0 · grad)
        z = x.pow(2.0)  # saves x, the exponent and its output
    assert len(log.packed) == 2 and log.packed[0] is x and log.packed[1] is z
    (y.sum() + z.sum()).backward()
    assert x.grad.tolist() == [5.0, 5.0]
    assert [c for c, _ in log.calls[2:]] == ["unpack", "unpack"]


def test_nothing_is_packed_when_no_node_is_recorded():
    log = Log()
    with log.hooks():
        mg.ones(2) * mg.ones(2)
        with mg.no_grad():
            mg.ones(2, requires_grad=True) * 2
    assert log.calls == []


def test_hooks_apply_to_custom_functions():
    class Cube(mg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            (again,) = ctx.saved_tensors  # a second read is a second unpack
            return grad * 3 * x * again

    log = Log()
    x = mg.tensor([2.0], requires_grad=True)
    with log.hooks():
        y = Cube.apply(x)
    assert log.calls == [("pack", (1,))] and log.packed[0] is x
    y.backward()
    assert log.calls[1:] == [("unpack", (1,)), ("unpack", (1,))]
    assert x.grad.tolist() == [12.0]


def test_only_the_innermost_hooks_apply():
    outer, inner = Log("1"), Log("2")
    a = mg.ones(3, requires_grad=True)
    with outer.hooks():
        with inner.hooks():
            y = a * a
        z = y.exp()
    z.sum().backward()
    assert [c for c, _ in outer.calls] == ["pack1", "unpack1"]
    assert [c for c, _ in inner.calls] == ["pack2", "pack2", "unpack2", "unpack2"]


def test_one_hooks_object_can_be_entered_twice():
    log = Log()
    hooks = log.hooks()
    with hooks:
        with hooks:
            y = mg.ones(1, requires_grad=True).exp()
        z = y.exp()
    assert len(log.packed) == 2 and z.grad_fn is not None
    w = mg.ones(1, requires_grad=True).exp()  # outside: not packed
    assert len(log.packed) == 2 and w.grad_fn is not None


def test_hooks_are_per_thread():
    log = Log()
    other = []

    def run():
        x = mg.ones(2, requires_grad=True)
        other.append(x.exp())

    with log.hooks():
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        mg.ones(2, requires_grad=True).exp()
    assert len(log.packed) == 1  # the other thread's exp saved its output unhooked
    assert other[0].grad_fn._saved[0].__class__.__name__ == "_Output"


def test_threads_each_use_their_own_hooks_at_once():
    barrier = threading.Barrier(2)
    logs = [Log(str(i)) for i in range(2)]
    grads = [None, None]

    def run(i):
        x = mg.full((2,), float(i + 1), requires_grad=True)
        with logs[i].hooks():
            barrier.wait()  # both threads inside their own hooks at once
            y = (x * x).sum()
            barrier.wait()
        y.backward()
        grads[i] = x.grad.tolist()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, log in enumerate(logs):
        assert [c for c, _ in log.calls] == [f"pack{i}"] * 2 + [f"unpack{i}"] * 2
        assert grads[i] == [2.0 * (i + 1)] * 2


def test_unpack_must_return_a_tensor():
    a = mg.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t.detach(), lambda t: 3):
        y = a * a
    with pytest.raises(TypeError, match="unpack_hook expected to be a Tensor but got result of type int"):
        y.sum().backward()


def test_unpack_must_return_the_shape_and_dtype_packed():
    a = mg.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t.detach(), lambda t: mg.ones(1)):  # broadcastable: PyTorch lets it by
        y = a * a
    with pytest.raises(RuntimeError, match=r"unpack_hook returned a tensor of shape \(1,\).*shape \(3,\)"):
        y.sum().backward()
    with saved_tensors_hooks(lambda t: t.detach(), lambda t: t.double()):
        y = a * a
    with pytest.raises(RuntimeError, match="float64.*float32"):
        y.sum().backward()


def test_hooked_values_skip_the_version_check_as_in_pytorch():
    # PyTorch 2.13: identity hooks, then y.add_(1): backward runs and reads the modified y
    x = mg.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
        y = x.exp()
    y.add_(1)
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([2.718281828 + 1] * 3)


def test_a_copying_pack_keeps_the_values_of_the_time_of_saving():
    x = mg.ones(3, requires_grad=True)
    with saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
        y = x.exp()
    y.add_(1)
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([2.718281828] * 3)


def test_values_saved_outside_hooks_are_still_version_checked():
    x = mg.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_an_inplace_op_under_hooks_saves_the_old_values(backend):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: t.detach(), lambda t: t):
        y = x * 1
        y.mul_(y)  # y ← y²: backward needs the old y, which the write overwrites
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_double_backward_through_copied_values(float64):
    # a copy in between: the unpacked leaf routes its gradient back to the leaf
    def f(x, w):
        with saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t.clone()):
            return ((x * w).sin() * x).exp()
    x = mg.tensor([0.3, -0.7], requires_grad=True)
    w = mg.tensor([1.1, 0.4], requires_grad=True)
    assert mg.autograd.gradcheck(f, (x, w))
    assert mg.autograd.gradgradcheck(f, (x, w))


def test_save_on_cpu_round_trips_the_values_and_gradients(backend):
    def f(x):
        return (x.sin() * x.exp()).sum()
    x = mg.tensor([0.5, 1.5, -2.0], requires_grad=True)
    f(x).backward()
    expected = x.grad.tolist()
    x.grad = None
    with save_on_cpu(pin_memory=True):
        y = f(x)
    y.backward()
    assert x.grad.tolist() == expected
    assert x.grad.device == x.device


def test_save_on_cpu_keeps_host_copies_of_device_values(backend):
    kept = []

    class Spy(save_on_cpu):
        def __init__(self):
            super().__init__()
            pack = self.pack_hook
            self.pack_hook = lambda t: kept.append(pack(t)) or kept[-1]

    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with Spy():
        y = x.exp()
    assert kept and all(str(t.device) == "cpu" for _, t in kept)
    assert all(device == x.device for device, _ in kept)
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx([2.718281828, 7.389056099])


def test_disable_refuses_hooks_set_inside_with_its_message():
    with disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with save_on_cpu():
                pass
        y = mg.ones(2, requires_grad=True).exp()  # no hooks set: ops save as usual
    assert y.grad_fn is not None
    with save_on_cpu():  # allowed again outside
        pass


def test_disable_refuses_saving_under_hooks_set_outside():
    log = Log()
    with log.hooks():
        with disable_saved_tensors_hooks("checkpoint cannot work here"):
            with pytest.raises(RuntimeError, match="checkpoint cannot work here"):
                mg.ones(2, requires_grad=True).exp()
        mg.ones(2, requires_grad=True).exp()
    assert len(log.calls) == 1


def test_nested_disable_restores_the_outer_message():
    with disable_saved_tensors_hooks("outer"):
        with disable_saved_tensors_hooks("inner"):
            with pytest.raises(RuntimeError, match="inner"):
                saved_tensors_hooks(lambda t: t, lambda t: t).__enter__()
        with pytest.raises(RuntimeError, match="outer"):
            saved_tensors_hooks(lambda t: t, lambda t: t).__enter__()
