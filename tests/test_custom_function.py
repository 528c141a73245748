"""``mg.autograd.Function`` with PyTorch's contract, in the idioms of PyTorch's own examples.

The functions below are written the way PyTorch's tutorials and "Extending PyTorch" notes write
theirs (forward on Tensors with ``ctx``, the ``setup_context`` form, ``needs_input_grad``,
``mark_dirty``, ``mark_non_differentiable``, ``set_materialize_grads``, ``once_differentiable``);
only the import differs.
"""

import threading

import pytest

import minigrad as mg
from minigrad.autograd import Function, gradcheck, gradgradcheck, once_differentiable


class LegendrePolynomial3(Function):
    """P3(x) = ½(5x³ − 3x);  P3'(x) = 1.5(5x² − 1)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class MyReLU(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input @ weight.t()
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output @ weight
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t() @ input
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


class MulConstant(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        _, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


class MyCube(Function):
    """Returns x³ and its derivative 3x², both differentiable: double backward works."""

    @staticmethod
    def forward(x):
        result = x ** 3
        dx = 3 * x ** 2
        return result, dx

    @staticmethod
    def setup_context(ctx, inputs, output):
        (x,) = inputs
        _, dx = output
        ctx.save_for_backward(x, dx)

    @staticmethod
    def backward(ctx, grad_output, grad_dx):
        x, dx = ctx.saved_tensors
        return grad_output * dx + grad_dx * 6 * x


def my_cube(x):
    result, _ = MyCube.apply(x)
    return result


def test_legendre_polynomial_fit_steps_as_by_hand(float64):
    # the tutorial's model y = a + b·P3(c + d·x), one SGD step, against the derivative by hand
    x = mg.linspace(-1.0, 1.0, 5)
    y = x.sin()
    a, b, c, d = (mg.tensor(v, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
    loss = ((y_pred - y) ** 2).sum()
    loss.backward()
    u = 0.3 * x.detach()
    p3 = 0.5 * (5 * u ** 3 - 3 * u)
    dp3 = 1.5 * (5 * u ** 2 - 1)
    r = 2 * (-p3 - y)
    assert a.grad.item() == pytest.approx(r.sum().item())
    assert b.grad.item() == pytest.approx((r * p3).sum().item())
    assert c.grad.item() == pytest.approx((r * -1 * dp3).sum().item())
    assert d.grad.item() == pytest.approx((r * -1 * dp3 * x).sum().item())
    p3_node = y_pred.grad_fn.next_functions[1][0].next_functions[1][0]
    assert type(p3_node).__name__ == "LegendrePolynomial3Backward"


def test_my_relu_two_layer_net_gradcheck(float64):
    x = mg.randn(4, 3)
    w1 = mg.randn(3, 5, requires_grad=True)
    w2 = mg.randn(5, 2, requires_grad=True)
    assert gradcheck(lambda a, b: MyReLU.apply(x @ a) @ b, (w1, w2))
    h = MyReLU.apply(mg.tensor([-1.0, 2.0], requires_grad=True))
    assert h.tolist() == [0.0, 2.0]


def test_linear_function_gradcheck_and_needs_input_grad(float64):
    input = mg.randn(5, 3, requires_grad=True)
    weight = mg.randn(4, 3, requires_grad=True)
    bias = mg.randn(4, requires_grad=True)
    assert gradcheck(LinearFunction.apply, (input, weight, bias))
    seen = []

    class Spy(LinearFunction):
        @staticmethod
        def backward(ctx, grad_output):
            seen.append(ctx.needs_input_grad)
            return LinearFunction.backward(ctx, grad_output)
    Spy.apply(input.detach(), weight, None).sum().backward()
    assert seen == [(False, True, False)]


def test_mul_constant_setup_context_form(float64):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = MulConstant.apply(x, 5.5)
    y.sum().backward()
    assert y.tolist() == [5.5, 11.0] and x.grad.tolist() == [5.5, 5.5]
    assert gradcheck(lambda t: MulConstant.apply(t, 5.5), (x,))


def test_my_cube_double_backward(float64):
    x = mg.tensor([0.5, -1.5, 2.0], requires_grad=True)
    assert gradcheck(my_cube, (x,))
    assert gradgradcheck(my_cube, (x,))
    (g,) = mg.grad(my_cube(x).sum(), x, create_graph=True)
    (gg,) = mg.grad(g.sum(), x)
    assert g.tolist() == pytest.approx([0.75, 6.75, 12.0]) and gg.tolist() == pytest.approx([3.0, -9.0, 12.0])


def test_forward_receives_tensors_and_records_nothing_inside():
    inside = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x, scale, *, shift=0.0):
            inside["types"] = (type(x).__name__, type(scale).__name__)
            inside["grad_mode"] = mg.is_grad_enabled()
            y = x * scale + shift
            inside["recorded"] = y.grad_fn is not None
            return y

        @staticmethod
        def backward(ctx, grad):
            return grad * 2.0, None

    x = mg.ones(3, requires_grad=True)
    y = Probe.apply(x, 2.0, shift=1.0)
    assert inside == {"types": ("Tensor", "float"), "grad_mode": False, "recorded": False}
    assert y.tolist() == [3.0, 3.0, 3.0] and type(y.grad_fn).__name__ == "ProbeBackward"
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_mark_dirty_rebases_the_modified_input():
    class MulInPlace(Function):
        @staticmethod
        def forward(ctx, x, c):
            ctx.mark_dirty(x)
            ctx.c = c
            return x.mul_(c)

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.c, None

    w = mg.tensor([1.0, 2.0], requires_grad=True)
    a = w * 1
    out = MulInPlace.apply(a, 3.0)
    assert out is a and a.tolist() == [3.0, 6.0] and type(a.grad_fn).__name__ == "MulInPlaceBackward"
    (a * a).sum().backward()
    assert w.grad.tolist() == [18.0, 36.0]
    with pytest.raises(RuntimeError, match="a leaf .* in-place"):
        MulInPlace.apply(w, 2.0)


def test_mark_non_differentiable_and_materialize_grads():
    class SortValues(Function):
        @staticmethod
        def forward(ctx, x):
            order = x.argsort() if hasattr(x, "argsort") else mg.tensor([1, 0])
            ctx.mark_non_differentiable(order)
            ctx.save_for_backward(order)
            return x[order], order

        @staticmethod
        def backward(ctx, grad, grad_order):
            (order,) = ctx.saved_tensors
            assert grad_order is None  # materialize off: no zeros made for the unused output
            out = mg.zeros(grad.shape, dtype=grad.dtype)
            out[order] = grad
            return out

    class WithoutMaterialize(SortValues):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return SortValues.forward(ctx, x)

    x = mg.tensor([3.0, 1.0], requires_grad=True)
    values, order = WithoutMaterialize.apply(x)
    assert not order.requires_grad and values.requires_grad
    (values * mg.tensor([10.0, 1.0])).sum().backward()
    assert x.grad.tolist() == [1.0, 10.0]


def test_once_differentiable_refuses_double_backward():
    class Square(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            assert not mg.is_grad_enabled()
            return 2 * x * grad

    x = mg.tensor([3.0], requires_grad=True)
    v = mg.ones(1, requires_grad=True)  # as in PyTorch, only a gradient that requires grad is wrapped
    (g,) = mg.grad(Square.apply(x), x, grad_outputs=v, create_graph=True)
    assert g.tolist() == [6.0]
    with pytest.raises(RuntimeError, match="differentiate twice a function that was marked with @once_diff"):
        g.sum().backward()


def test_wrong_number_of_gradients_is_named():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(RuntimeError, match="function BadBackward returned an incorrect number of gradients "
                                           r"\(expected 2, got 1\)"):
        Bad.apply(mg.ones(2, requires_grad=True), mg.ones(2)).sum().backward()


def test_gradient_of_the_wrong_shape_is_named():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return mg.ones(3)

    with pytest.raises(RuntimeError, match=r"BadBackward returned an invalid gradient: got shape \(3,\) but "
                                           r"expected shape compatible with \(4,\)"):
        Bad.apply(mg.ones(4, requires_grad=True)).sum().backward()


def test_custom_gradient_is_cast_to_the_input_dtype():
    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return (grad * 2).double()

    x = mg.ones(2, requires_grad=True)
    Twice.apply(x).sum().backward()
    assert x.grad.dtype is mg.float32 and x.grad.tolist() == [2.0, 2.0]


def test_input_returned_as_is_becomes_a_new_output():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    x = mg.ones(2, requires_grad=True)
    y = Identity.apply(x)
    assert y is not x and x.grad_fn is None and type(y.grad_fn).__name__ == "IdentityBackward"
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


# what type(y.grad_fn).__name__ reads in PyTorch 2.13 for each expression
PYTORCH_NODE_NAMES = {
    "x * 2": "MulBackward0", "x + 1": "AddBackward0", "x.sum()": "SumBackward0", "x.sum(1)": "SumBackward1",
    "x.mean()": "MeanBackward0", "x.mean(0)": "MeanBackward1", "x.max()": "MaxBackward1",
    "x.max(1)[0]": "MaxBackward0", "x.min()": "MinBackward1", "x.min(1)[0]": "MinBackward0",
    "x.tanh()": "TanhBackward0", "x[0]": "SelectBackward0", "x[:, 1:]": "SliceBackward0",
    "x[[0, 1]]": "IndexBackward0", "x[x > 0]": "IndexBackward0", "x.view(4)": "ViewBackward0",
    "x.reshape(4)": "ViewBackward0", "x.flatten()": "ViewBackward0", "x.t()": "TBackward0",
    "x.transpose(0, 1)": "TransposeBackward0", "x.permute(1, 0)": "PermuteBackward0",
    "x[:1].expand(3, 2)": "ExpandBackward0", "x.double()": "ToCopyBackward0",
    "x.norm()": "LinalgVectorNormBackward0", "x.logsumexp(1)": "LogsumexpBackward0", "x @ x": "MmBackward0",
    "x @ x[0]": "MvBackward0", "x[0] @ x[1]": "DotBackward0", "x.unfold(1, 1, 1)": "UnfoldBackward0",
    "x ** 2": "PowBackward0", "x ** x": "PowBackward1", "2 ** x": "PowBackward2",
    "x.clamp(0.1, 0.5)": "ClampBackward1", "x.clamp(x * 0, x + 1)": "ClampBackward0",
    "x.clamp_min(0.1)": "ClampMinBackward0", "x.clamp_max(0.1)": "ClampMaxBackward0",
    "x.masked_fill(x > 0, 0.0)": "MaskedFillBackward0", "x.tril()": "TrilBackward0",
    "x.triu(1)": "TriuBackward0",
    "x[None].squeeze()": "SqueezeBackward0", "x[None].squeeze(0)": "SqueezeBackward1",
    "x[None, :, None].squeeze((0, 2))": "SqueezeBackward2", "x.unsqueeze(0)": "UnsqueezeBackward0",
    "mg.nn.functional.pad(x, (1, 1))": "ConstantPadNdBackward0", "x.flip(0)": "FlipBackward0",
    "x.sort(1)[0]": "SortBackward0", "x.topk(1)[0]": "TopkBackward0", "x.msort()": "SortBackward0",
    "F.conv2d(x[None, None], x[None, None])": "ConvolutionBackward0",
    "F.conv_transpose2d(x[None, None], x[None, None])": "ConvolutionBackward0",
    "F.max_pool2d(x[None, None], 2)": "MaxPool2DWithIndicesBackward0",
    "F.avg_pool2d(x[None, None], 2)": "AvgPool2DBackward0",
    "F.adaptive_avg_pool2d(x[None, None], 2)": "AdaptiveAvgPool2DBackward0",
    "F.batch_norm(x, None, None, training=True)": "NativeBatchNormBackward0",
    "F.layer_norm(x, (2,))": "NativeLayerNormBackward0", "F.linear(x, x, x[0])": "AddmmBackward0",
    "F.linear(x, x)": "MmBackward0", "F.cross_entropy(x, mg.tensor([0, 1]))": "NllLossBackward0",
    "F.nll_loss(x, mg.tensor([0, 1]))": "NllLossBackward0",
    "x.roll(1, 0)": "RollBackward0", "x.roll(1)": "RollBackward0", "x.unbind(0)[0]": "UnbindBackward0",
    "F.adaptive_avg_pool2d(x[None, None], 1)": "MeanBackward1",
    "F.group_norm(x[None], 1)": "NativeGroupNormBackward0",
    "F.group_norm(x[None], 2, x[0], x[1])": "NativeGroupNormBackward0",
    "F.binary_cross_entropy(x.sigmoid(), x.detach() * 0.5)": "BinaryCrossEntropyBackward0",
    "F.binary_cross_entropy(x.sigmoid(), x.detach() * 0.5, reduction='sum')": "BinaryCrossEntropyBackward0",
    "mg.lerp(x, x * 2, 0.5)": "LerpBackward0", "mg.lerp(x, x * 2, x)": "LerpBackward1",
    "mg.addmm(x, x, x)": "AddmmBackward0", "mg.baddbmm(x[None], x[None], x[None])": "BaddbmmBackward0",
    "mg.linalg.cross(x.repeat(2, 2)[:, :3], x.repeat(2, 2)[:, 1:])": "LinalgCrossBackward0",
    "mg.linalg.inv(x + mg.eye(2))": "LinalgInvExBackward0", "mg.linalg.det(x)": "LinalgDetBackward0",
    "x.det()": "LinalgDetBackward0", "x.trace()": "TraceBackward0", "x.floor()": "FloorBackward0",
    "x.ceil()": "CeilBackward0", "x.frac()": "FracBackward0", "x.trunc()": "TruncBackward0",
    "x.round(decimals=1)": "RoundBackward1",
    "x.reciprocal()": "ReciprocalBackward0", "x.square()": "PowBackward0", "F.glu(x)": "GluBackward0",
    "F.hardswish(x)": "HardswishBackward0", "F.hardsigmoid(x)": "HardsigmoidBackward0",
    "F.mish(x)": "MishBackward0", "F.prelu(x, mg.tensor([0.2]))": "PreluKernelBackward0",
    "F.pixel_shuffle(x.repeat(2, 1)[None, :, None], 2)": "PixelShuffleBackward0",
    "F.pixel_unshuffle(x[None, None], 2)": "PixelUnshuffleBackward0",
    "x.scatter(1, mg.zeros(2, 1, dtype=mg.long), 0.0)": "ScatterBackward1",
    "x.index_add(0, mg.tensor([0]), x[:1])": "IndexAddBackward0",
    "x.masked_scatter(x > 0, x)": "MaskedScatterBackward0",
    "F.interpolate(x[None], scale_factor=2)": "UpsampleNearest1DBackward0",
    "F.interpolate(x[None, None], size=(3, 3))": "UpsampleNearest2DBackward0",
    "F.interpolate(x[None, None, None], size=(1, 3, 3))": "UpsampleNearest3DBackward0",
    "F.interpolate(x[None], size=3, mode='nearest-exact')": "UpsampleNearestExact1DBackward0",
    "F.interpolate(x[None], size=3, mode='linear')": "UpsampleLinear1DBackward0",
    "F.interpolate(x[None, None], size=(2, 2), mode='bilinear')": "UpsampleBilinear2DBackward0",
    "F.interpolate(x[None, None], size=(3, 3), mode='bicubic')": "UpsampleBicubic2DBackward0",
    "F.interpolate(x[None, None, None], size=(2, 3, 3), mode='trilinear')": "UpsampleTrilinear3DBackward0",
}


@pytest.mark.parametrize("expression", sorted(PYTORCH_NODE_NAMES))
def test_builtin_grad_fn_names_are_pytorchs(expression):
    x = mg.ones(2, 2, requires_grad=True)
    value = eval(expression, {"x": x, "mg": mg, "F": mg.nn.functional})
    assert type(value.grad_fn).__name__ == PYTORCH_NODE_NAMES[expression]


def test_next_functions_show_leaves_and_constants_as_pytorch_does():
    w, x = mg.ones(2, requires_grad=True), mg.ones(2)
    y = w * x
    (node, nr), constant = y.grad_fn.next_functions
    assert type(node).__name__ == "AccumulateGrad" and node.variable is w and nr == 0
    assert node.next_functions == () and node.name() == "torch::autograd::AccumulateGrad"
    assert constant == (None, 0)
    assert (w + 1).grad_fn.next_functions[0][0] is node  # one per leaf while held, as PyTorch's

    def walk(fn):  # the recursive graph printer of PyTorch's tutorials
        return [type(fn).__name__] + [name for f, _ in fn.next_functions if f is not None for name in walk(f)]
    assert walk((y * 2).sum().grad_fn) == ["SumBackward0", "MulBackward0", "MulBackward0", "AccumulateGrad"]


def test_functions_run_concurrently_in_threads():
    results = []

    def worker():
        x = mg.tensor([2.0], requires_grad=True)
        for _ in range(50):
            LegendrePolynomial3.apply(x).sum().backward()
        results.append(x.grad.item())

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results == [50 * 1.5 * 19] * 3
