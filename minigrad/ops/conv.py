"""Convolution as im2col + one matmul, and the two bilinear maps its gradients are made of.

A convolution ``y = conv(x, w)`` is bilinear, and so are its two partial adjoints; the three of
them close under differentiation, which is what makes gradients of gradients work::

    Conv2d           y  = A(x, w)    dx = B(dy, w)    dw = C(x, dy)
    ConvTranspose2d  x' = B(g, w)    dg = A(dx', w)   dw = C(dx', g)
    Conv2dWeightGrad w' = C(x, g)    dx = B(g, dw')   dg = A(x, dw')

``A`` pads ``x``, takes the backend's strided window view ``(N, C, OH, OW, KH, KW)``, copies it
once into the column matrix ``(groups, C/groups·KH·KW, N·OH·OW)`` and multiplies it by the
weight ``(groups, O/groups, C/groups·KH·KW)``: one GEMM per convolution (batched over groups).
``C`` multiplies ``dy`` (as (groups, O/groups, N·OH·OW)) by the transposed column matrix,
which ``Conv2d`` keeps from its forward pass. ``B`` never builds a column matrix: for each of
the KH·KW kernel offsets it multiplies the transposed weight slice by ``dy`` in its own
(N, O, OH·OW) layout and adds the product onto the strided slice of the image that offset
reads: KH·KW batched products, a loop never over pixels, channels or the batch.

Padding travels as ``((top, bottom), (left, right))`` so that ``padding="same"`` with an even
kernel (PyTorch puts the extra row and column at the bottom and right) needs no special case.
"""

import math

from ..autograd.function import Op


# --- geometry and the two array kernels --------------------------------------------------------
def _ntuple(value, name, n):
    """PyTorch's size argument as ``n`` ints: an int, a 1-tuple or an n-tuple; kernel sizes,
    strides and dilations positive, the rest non-negative."""
    value = (value,) * n if isinstance(value, int) else tuple(value)
    if len(value) == 1:
        value = value * n
    if len(value) != n or not all(isinstance(v, int) for v in value):
        raise ValueError(f"{name} must be an int or a {n}-tuple of ints, got {value!r}")
    least = 1 if name in _POSITIVE else 0
    if min(value) < least:
        raise ValueError(f"{name} must be {'positive' if least else 'non-negative'}, got {value!r}")
    return value


def _pair(value, name):
    return _ntuple(value, name, 2)


_POSITIVE = ("kernel_size", "stride", "dilation")


def _out_size(size, kernel, stride, pad_total, dilation):
    return (size + pad_total - dilation * (kernel - 1) - 1) // stride + 1


def _pad(ctx, x, padding, value=0.0):
    (pt, pb), (pl, pr) = padding
    if pt == pb == pl == pr == 0:
        return x
    return ctx.device.backend.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)), "constant", value)


def _im2col(ctx, x, kernel, stride, padding, dilation, groups, out_hw=None):
    """Columns ``(groups, C/groups·KH·KW, N·OH·OW)`` of the padded ``x``, one contiguous copy.

    The batch is folded into the columns so that a convolution is one GEMM per group, not N
    small ones. ``out_hw`` keeps only the first windows (a transposed convolution's
    ``output_padding`` can leave rows that no input position maps to).
    """
    xp = ctx.xp
    windows = ctx.device.backend.windows(_pad(ctx, x, padding), kernel, stride, dilation)
    if out_hw is not None and tuple(windows.shape[2:4]) != tuple(out_hw):
        windows = windows[:, :, :out_hw[0], :out_hw[1], :, :]
    n, c, oh, ow, kh, kw = windows.shape
    windows = xp.reshape(windows, (n, groups, c // groups, oh, ow, kh, kw))
    # (g, C/g, KH, KW, N, OH, OW): OW innermost, so the copy runs along rows of the image
    cols = ctx.device.backend.pack(xp.permute_dims(windows, (1, 2, 5, 6, 0, 3, 4)),
                                   (groups, (c // groups) * kh * kw, n * oh * ow))
    return cols, (oh, ow)


def _per_sample(ctx, cols, n, hw):
    """Column matrix (groups, R, N·OH·OW) -> (N, groups, R, OH·OW): each sample's block, a view."""
    xp = ctx.xp
    groups, rows, _ = cols.shape
    return xp.permute_dims(xp.reshape(cols, (groups, rows, n, hw)), (2, 0, 1, 3))


def _as_matrix(ctx, g, groups):
    """(N, O, OH, OW) -> (groups, O/groups, N·OH·OW), the layout of a convolution's GEMM output."""
    xp = ctx.xp
    n, o, oh, ow = g.shape
    g = xp.permute_dims(xp.reshape(g, (n, groups, o // groups, oh * ow)), (1, 2, 0, 3))
    return xp.reshape(g, (groups, o // groups, n * oh * ow))


def _offsets(kernel):
    """The kernel positions (k, i, j), k = i·KW + j: window loops run over these, never over pixels."""
    return [(i * kernel[1] + j, i, j) for i in range(kernel[0]) for j in range(kernel[1])]


def _slot(stride, dilation, out_hw, i, j):
    """The strided slice of the padded image that kernel offset (i, j) reads across all windows."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    return (slice(None), slice(None), slice(i * dh, i * dh + sh * (oh - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def _blank(ctx, shape, dtype, kernel, stride, dilation, out_hw):
    """The image a gradient is scattered onto: zeros, or an uninitialised ``buffer`` when the
    windows tile it exactly (stride = kernel, no dilation: the usual 2x2 pool), as every pixel is
    then written once."""
    backend, index = ctx.device.backend, ctx.device.index
    if (tuple(dilation) == (1, 1) and tuple(stride) == tuple(kernel)
            and (out_hw[0] * kernel[0], out_hw[1] * kernel[1]) == tuple(shape[2:])):
        return backend.buffer(shape, dtype, index)
    return backend.full(shape, 0, dtype, index)


def _fold(ctx, part, shape, kernel, stride, padding, dilation, out_hw, dtype):
    """Σ over kernel offsets k = (i, j) of ``part(k, i, j)`` (N, C, OH, OW), each added onto the
    strided slice of the padded image of ``shape`` (N, C, H, W) that offset reads, then the
    padding cropped: the adjoint of the window view (col2im), for every gradient that puts
    window values back onto an image. A loop over the KH·KW offsets, never over pixels."""
    (pt, pb), (pl, pr) = padding
    n, c, h, w = shape
    image = _blank(ctx, (n, c, h + pt + pb, w + pl + pr), dtype, kernel, stride, dilation, out_hw)
    disjoint = all(s > (k - 1) * d for k, s, d in zip(kernel, stride, dilation))  # no pixel in two windows
    for k, i, j in _offsets(kernel):
        slot = _slot(stride, dilation, out_hw, i, j)
        if disjoint:
            image[slot] = part(k, i, j)
        else:
            image[slot] += part(k, i, j)
    return _unpad(image, padding)


def _scatter_windows(ctx, g, weight, shape, stride, padding, dilation, groups):
    """The adjoint of im2col + GEMM: image (N, C, H, W) = Σ_(i,j) W[:, :, i, j]ᵀ g, each kernel
    offset's product added onto the strided slice of the padded image that offset reads.

    One batched product per kernel offset, (groups, C/groups, O/groups) x (N, groups, O/groups,
    OH·OW), straight from ``g``'s own (N, O, OH, OW) layout: neither ``g`` nor a column matrix
    of KH·KW times the image's size is ever copied out.
    """
    xp, backend = ctx.xp, ctx.device.backend
    n, o, oh, ow = g.shape
    _, cg, kh, kw = weight.shape
    # (KH, KW, groups, C/groups, O/groups): each offset's transposed weight, contiguous for BLAS
    w_t = backend.contiguous(xp.permute_dims(xp.reshape(weight, (groups, o // groups, cg, kh, kw)),
                                             (3, 4, 0, 2, 1)))
    g = xp.reshape(g, (n, groups, o // groups, oh * ow))
    return _fold(ctx, lambda k, i, j: xp.reshape(xp.matmul(w_t[i, j, ...], g), (n, groups * cg, oh, ow)),
                 shape, (kh, kw), stride, padding, dilation, (oh, ow), g.dtype)


def _unpad(image, padding):
    (pt, pb), (pl, pr) = padding
    if pt == pb == pl == pr == 0:
        return image
    return image[:, :, pt:image.shape[2] - pb, pl:image.shape[3] - pr]


def _add_bias(ctx, out, bias):
    if bias is None:
        return out
    return out + ctx.xp.reshape(bias, (1, bias.shape[0], 1, 1))


def _crop(t, hw):
    """The first ``hw`` rows and columns of a gradient Tensor (see ``_im2col``'s ``out_hw``)."""
    return t if tuple(t.shape[2:]) == tuple(hw) else t[:, :, :hw[0], :hw[1]]


def _geometry(attrs):
    return attrs["stride"], attrs["padding"], attrs["dilation"], attrs["groups"]


# --- the three bilinear Functions -------------------------------------------------------------
KEEP_COLUMNS_BYTES = 64 * 2**20
"""Conv2d keeps its column matrix for the weight gradient up to this size; larger ones (about
9x the input for a 3x3 kernel) are rebuilt in backward instead of held through the forward pass."""


class Conv2d(Op):
    """y[n,o] = b[o] + Σ_{c,i,j} w[o,c,i,j] · x_pad[n, g(o)·C/g + c, s·oh + d·i, s·ow + d·j].

    dx = conv_transpose2d(dy, w) (same geometry), dw = Σ_n dy ⋆ x (``Conv2dWeightGrad``),
    db = Σ_{n,oh,ow} dy. The column matrix of ``x`` is kept for dw, as im2col libraries do,
    unless it is larger than ``KEEP_COLUMNS_BYTES``.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups):
        xp = ctx.xp
        n, o = x.shape[0], weight.shape[0]
        cols, (oh, ow) = _im2col(ctx, x, tuple(weight.shape[2:]), stride, padding, dilation, groups)
        rows = cols.shape[1]
        # one GEMM per sample and group, each reading its block of columns in place, so that the
        # output comes out row-major (N, O, OH, OW) as PyTorch's, with no copy from the single
        # GEMM's (O, N·OH·OW): bench_conv's two forwards 0.66 + 1.51 -> 0.18 + 1.08 ms (1 thread)
        out = ctx.device.backend.matmul(xp.reshape(weight, (groups, o // groups, rows)),
                                        _per_sample(ctx, cols, n, oh * ow))
        if bias is not None:
            out += xp.reshape(bias, (groups, o // groups, 1))
        size = math.prod(cols.shape) * xp.finfo(cols.dtype).bits // 8
        ctx.save_for_backward(x, weight, cols if size <= KEEP_COLUMNS_BYTES else None)
        return xp.reshape(out, (n, o, oh, ow))

    @staticmethod
    def backward(ctx, grad):
        x, weight, cols = ctx.saved_tensors
        stride, padding, dilation, groups = _geometry(ctx.attrs)
        need_x, need_w, need_b = ctx.needs_input_grad
        dx = dw = db = None
        if need_x:
            dx = ConvTranspose2d.apply(grad, weight, None, stride=stride, padding=padding,
                                       dilation=dilation, groups=groups, output_size=tuple(x.shape[2:]))
        if need_w:
            dw = Conv2dWeightGrad.apply(x, grad, cols, kernel_size=tuple(weight.shape[2:]),
                                        stride=stride, padding=padding, dilation=dilation, groups=groups)
        if need_b:
            db = grad.sum(dim=(0, 2, 3))
        return dx, dw, db


class ConvTranspose2d(Op):
    """x' = Σ_(i,j) W[:, :, i, j]ᵀ g put at offset (i, j) of each window, + b: the adjoint of
    ``Conv2d`` in its input, onto ``output_size``.

    ``weight`` is laid out as for the convolution it transposes, (C_g, C_x/groups, KH, KW), with
    C_g the channels of ``g``. dg = conv2d(dx', w), dw = Conv2dWeightGrad(dx', g), db = Σ dx'.
    """

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, g, weight, bias=None, *, stride, padding, dilation, groups, output_size):
        n, cg = g.shape[0], weight.shape[1]
        out = _scatter_windows(ctx, g, weight, (n, groups * cg) + tuple(output_size), stride, padding,
                               dilation, groups)
        ctx.save_for_backward(g, weight)
        return _add_bias(ctx, out, bias)

    @staticmethod
    def backward(ctx, grad):
        g, weight = ctx.saved_tensors
        stride, padding, dilation, groups = _geometry(ctx.attrs)
        need_g, need_w, need_b = ctx.needs_input_grad
        dg = dw = db = None
        if need_g:
            dg = _crop(Conv2d.apply(grad, weight, None, stride=stride, padding=padding,
                                    dilation=dilation, groups=groups), g.shape[2:])
        if need_w:
            dw = Conv2dWeightGrad.apply(grad, g, None, kernel_size=tuple(weight.shape[2:]),
                                        stride=stride, padding=padding, dilation=dilation, groups=groups)
        if need_b:
            db = grad.sum(dim=(0, 2, 3))
        return dg, dw, db


SMALL_KERNEL_ROWS = 32
"""Below this many column-matrix rows (C/groups·KH·KW, e.g. a first layer's 1·3·3) the weight
gradient is N small batched products; above it one large product after transposing dy, which
BLAS runs faster (and on all its threads). Measured on the issue's CNN: 0.17 ms against 0.79 ms
for its first layer (rows 9), equal at rows 144."""


class Conv2dWeightGrad(Op):
    """w'[o,c,i,j] = Σ_{n,oh,ow} g[n,o,oh,ow] · x_pad[n, c, s·oh + d·i, s·ow + d·j].

    The adjoint of ``Conv2d`` in its weight. ``cols`` (optional) is ``x``'s column matrix when the
    caller already has it; it is a constant, the gradient flows through ``x``.
    dx = conv_transpose2d(g, dw'), dg = conv2d(x, dw').
    """

    @staticmethod
    def forward(ctx, x, g, cols=None, *, kernel_size, stride, padding, dilation, groups):
        xp = ctx.xp
        if cols is None:
            cols, _ = _im2col(ctx, x, kernel_size, stride, padding, dilation, groups, tuple(g.shape[2:]))
        n, o, oh, ow = g.shape
        rows = cols.shape[1]  # C/groups·KH·KW
        if rows < SMALL_KERNEL_ROWS:
            # Σ_n g[n] colsₙᵀ as N batched products read in place: no transposed copy of g
            by_sample = xp.reshape(g, (n, groups, o // groups, oh * ow))
            dw = xp.sum(xp.matmul(by_sample, xp.matrix_transpose(_per_sample(ctx, cols, n, oh * ow))), axis=0)
        else:
            # dwᵀ = cols · gᵀ: BLAS runs the product with the long sum innermost this way round
            # (bench_conv's conv2, 144 rows: 2.09 -> 1.57 ms on one thread, 1.37 -> 1.12 on two)
            dw = xp.matrix_transpose(xp.matmul(cols, xp.matrix_transpose(_as_matrix(ctx, g, groups))))
        ctx.save_for_backward(x, g)
        return xp.reshape(dw, (o, rows // math.prod(kernel_size)) + tuple(kernel_size))

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_tensors
        stride, padding, dilation, groups = _geometry(ctx.attrs)
        need_x, need_g = ctx.needs_input_grad[:2]
        dx = dg = None
        if need_x:
            dx = ConvTranspose2d.apply(g, grad, None, stride=stride, padding=padding,
                                       dilation=dilation, groups=groups, output_size=tuple(x.shape[2:]))
        if need_g:
            dg = _crop(Conv2d.apply(x, grad, None, stride=stride, padding=padding,
                                    dilation=dilation, groups=groups), g.shape[2:])
        return dx, dg, None


# --- the public functions ---------------------------------------------------------------------
def _batched(input, name):
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise RuntimeError(f"{name}: expected a 3-D (unbatched) or 4-D (batched) input, got "
                           f"{input.ndim}-D input of size {list(input.shape)}")
    return input, False


def _check_weight(input, weight, bias, groups, name, in_dim):
    if weight.ndim != 4:
        raise RuntimeError(f"{name}: expected a 4-D weight, got size {list(weight.shape)}")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name}: expected a floating point input, got {input.dtype}")
    for other in (weight, bias):
        if other is not None and other.dtype != input.dtype:
            raise RuntimeError(f"{name}: input type ({input.dtype}) and weight/bias type ({other.dtype}) "
                               "should be the same")
    if groups < 1:
        raise RuntimeError(f"{name}: non-positive groups is not supported, got {groups}")
    channels = weight.shape[0] if in_dim == 0 else weight.shape[1] * groups
    if input.shape[1] != channels:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(input.shape)} to have {channels} channels, but got {input.shape[1]} channels instead")
    if weight.shape[0] % groups:
        raise RuntimeError(f"{name}: {weight.shape[0]} channels of the weight's first dimension are "
                           f"not divisible by groups={groups}")
    out_channels = weight.shape[0] if in_dim == 1 else weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(f"{name}: expected bias of size [{out_channels}], got {list(bias.shape)}")


def _conv_padding(padding, kernel, stride, dilation):
    """``((top, bottom), (left, right))`` from PyTorch's ``padding`` argument of conv2d."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding != "same":
            raise ValueError(f"Invalid padding string {padding!r}, should be one of ('valid', 'same')")
        if stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        sides = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            sides.append((total // 2, total - total // 2))
        return tuple(sides)
    ph, pw = _pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise RuntimeError(f"negative padding is not supported, got {(ph, pw)}")
    return ((ph, ph), (pw, pw))


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation of ``input`` (N, C_in, H, W) with ``weight`` (C_out, C_in/groups, KH, KW).

    .. math::
        y[n, o, p, q] = b[o] + \\sum_{c, i, j} w[o, c, i, j]\\,
        x_{pad}[n, g(o) \\cdot C_{in}/groups + c,\\; s_h p + d_h i,\\; s_w q + d_w j]

    The output is (N, C_out, H_out, W_out) with
    ``H_out = (H + 2·padding - dilation·(KH - 1) - 1) // stride + 1``. ``padding`` is an int, a
    pair, ``"valid"`` (no padding) or ``"same"`` (output as large as the input, stride 1 only; an
    odd total goes to the bottom/right, as in PyTorch). A 3-D input is one unbatched sample.

    >>> import minigrad as mg
    >>> x = mg.arange(16.0).reshape(1, 1, 4, 4)
    >>> conv2d(x, mg.ones(1, 1, 2, 2), stride=2).tolist()
    [[[[10.0, 18.0], [42.0, 50.0]]]]
    """
    input, unbatched = _batched(input, "conv2d")
    _check_weight(input, weight, bias, groups, "conv2d", in_dim=1)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    if min(stride) < 1 or min(dilation) < 1:
        raise RuntimeError(f"conv2d: stride and dilation must be positive, got {stride}, {dilation}")
    pads = _conv_padding(padding, kernel, stride, dilation)
    out_hw = tuple(_out_size(input.shape[2 + a], kernel[a], stride[a], sum(pads[a]), dilation[a])
                   for a in range(2))
    if min(out_hw) < 1:
        raise RuntimeError(
            f"conv2d: calculated output size {out_hw} is too small for input of spatial size "
            f"{tuple(input.shape[2:])}, kernel {kernel}, padding {pads}, dilation {dilation}")
    out = Conv2d.apply(input, weight, bias, stride=stride, padding=pads, dilation=dilation, groups=groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transposed convolution ("deconvolution"): the gradient of ``conv2d`` w.r.t. its input.

    ``input`` is (N, C_in, H, W) and ``weight`` (C_in, C_out/groups, KH, KW); the output is
    (N, C_out, H_out, W_out) with
    ``H_out = (H - 1)·stride - 2·padding + dilation·(KH - 1) + output_padding + 1``.
    ``output_padding`` (smaller than stride or dilation) picks among the input sizes a strided
    conv2d maps to the same output size; it adds rows/columns at the bottom/right only.

    >>> import minigrad as mg
    >>> conv_transpose2d(mg.ones(1, 1, 2, 2), mg.ones(1, 1, 2, 2)).tolist()
    [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]
    """
    input, unbatched = _batched(input, "conv_transpose2d")
    _check_weight(input, weight, bias, groups, "conv_transpose2d", in_dim=0)
    kernel = tuple(weight.shape[2:])
    stride, dilation = _pair(stride, "stride"), _pair(dilation, "dilation")
    ph, pw = _pair(padding, "padding")
    oph, opw = _pair(output_padding, "output_padding")
    for op, s, d in ((oph, stride[0], dilation[0]), (opw, stride[1], dilation[1])):
        if op < 0 or (op >= s and op >= d):
            raise RuntimeError(f"conv_transpose2d: output padding must be smaller than either stride "
                               f"or dilation, got output_padding={(oph, opw)}, stride={stride}, "
                               f"dilation={dilation}")
    size = tuple((input.shape[2 + a] - 1) * stride[a] - 2 * p + dilation[a] * (kernel[a] - 1) + op + 1
                 for a, p, op in ((0, ph, oph), (1, pw, opw)))
    if min(size) < 1:
        raise RuntimeError(f"conv_transpose2d: calculated output size {size} is too small")
    out = ConvTranspose2d.apply(input, weight, bias, stride=stride, padding=((ph, ph), (pw, pw)),
                                dilation=dilation, groups=groups, output_size=size)
    return out.squeeze(0) if unbatched else out


def _single(value, name):
    """An int from PyTorch's 1-d size argument: an int or a 1-tuple."""
    return _ntuple(value, name, 1)[0]


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation of ``input`` (N, C_in, L) with ``weight`` (C_out, C_in/groups, K).

    .. math::
        y[n, o, p] = b[o] + \\sum_{c, i} w[o, c, i]\\, x_{pad}[n, g(o) \\cdot C_{in}/groups + c, s p + d i]

    ``L_out = (L + 2·padding - dilation·(K - 1) - 1) // stride + 1``; ``padding`` may be an int,
    ``"valid"`` or ``"same"``. Computed as ``conv2d`` on a height-1 image, so it shares its
    kernels and gradients. A 2-D input is one unbatched sample.

    >>> import minigrad as mg
    >>> conv1d(mg.tensor([[[1.0, 2.0, 3.0, 4.0]]]), mg.tensor([[[1.0, -1.0]]])).tolist()
    [[[-1.0, -1.0, -1.0]]]
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"conv1d: expected a 2-D (unbatched) or 3-D (batched) input, got "
                           f"{input.ndim}-D input of size {list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight, got size {list(weight.shape)}")
    if input.shape[-2] != weight.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input{list(input.shape)} "
            f"to have {weight.shape[1] * groups} channels, but got {input.shape[-2]} channels instead")
    pads = padding if isinstance(padding, str) else (0, _single(padding, "padding"))
    out = conv2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride, "stride")), pads,
                 (1, _single(dilation, "dilation")), groups)
    return out.squeeze(-2)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """The transposed 1-D convolution, the gradient of ``conv1d`` w.r.t. its input: (N, C_in, L)
    with ``weight`` (C_in, C_out/groups, K) gives (N, C_out, L_out),
    ``L_out = (L - 1)·stride - 2·padding + dilation·(K - 1) + output_padding + 1``. Computed as
    ``conv_transpose2d`` on a height-1 image; a 2-D input is one unbatched sample.

    >>> import minigrad as mg
    >>> conv_transpose1d(mg.ones(1, 1, 3), mg.ones(1, 1, 2), stride=2).tolist()
    [[[1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]]
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"conv_transpose1d: expected a 2-D (unbatched) or 3-D (batched) input, got "
                           f"{input.ndim}-D input of size {list(input.shape)}")
    if weight.ndim != 3:
        raise RuntimeError(f"conv_transpose1d: expected a 3-D weight, got size {list(weight.shape)}")
    out = conv_transpose2d(input.unsqueeze(-2), weight.unsqueeze(-2), bias, (1, _single(stride, "stride")),
                           (0, _single(padding, "padding")), (0, _single(output_padding, "output_padding")),
                           groups, (1, _single(dilation, "dilation")))
    return out.squeeze(-2)


# --- the window view itself: unfold (im2col) and its adjoint fold (col2im) --------------------
class Im2Col(Op):
    """cols[n, (c, i, j), (p, q)] = x_pad[n, c, s_h p + d_h i, s_w q + d_w j];  dx = fold(dcols)."""

    @staticmethod
    def forward(ctx, x, *, kernel_size, dilation, padding, stride):
        xp = ctx.xp
        windows = ctx.device.backend.windows(_pad(ctx, x, padding), kernel_size, stride, dilation)
        n, c, oh, ow, kh, kw = windows.shape
        ctx.in_hw = tuple(x.shape[2:])
        return xp.reshape(xp.permute_dims(windows, (0, 1, 4, 5, 2, 3)), (n, c * kh * kw, oh * ow))

    @staticmethod
    def backward(ctx, grad):
        return Col2Im.apply(grad, output_size=ctx.in_hw, **ctx.attrs)


class Col2Im(Op):
    """x[n, c] = Σ over windows of their columns put back where ``Im2Col`` read them;  dcols = unfold(dx)."""

    @staticmethod
    def forward(ctx, cols, *, output_size, kernel_size, dilation, padding, stride):
        xp = ctx.xp
        n, ckk, _ = cols.shape
        (kh, kw), c = kernel_size, ckk // math.prod(kernel_size)
        out_hw = tuple(_out_size(output_size[a], kernel_size[a], stride[a], sum(padding[a]), dilation[a])
                       for a in range(2))
        cols = xp.reshape(cols, (n, c, kh, kw) + out_hw)
        return _fold(ctx, lambda k, i, j: cols[:, :, i, j, :, :], (n, c) + tuple(output_size), kernel_size,
                     stride, padding, dilation, out_hw, cols.dtype)

    @staticmethod
    def backward(ctx, grad):
        attrs = dict(ctx.attrs)
        del attrs["output_size"]
        return Im2Col.apply(grad, **attrs)


def _fold_geometry(kernel_size, dilation, padding, stride):
    kernel, dilation = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    stride = _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    if min(kernel) < 1 or min(dilation) < 1 or min(stride) < 1 or min(ph, pw) < 0:
        raise RuntimeError(f"kernel size, dilation and stride should be greater than zero and padding "
                           f"non-negative, but got kernel_size={kernel}, dilation={dilation}, "
                           f"padding={(ph, pw)}, stride={stride}")
    return dict(kernel_size=kernel, dilation=dilation, padding=((ph, ph), (pw, pw)), stride=stride)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding local blocks of (N, C, H, W) as columns (N, C·KH·KW, L), L the number of blocks.

    Column l holds block l (row-major over the OH x OW block positions), flattened channel by
    channel; ``OH = (H + 2·padding - dilation·(KH - 1) - 1) // stride + 1``. A 3-D input is
    one unbatched image.

    >>> import minigrad as mg
    >>> unfold(mg.arange(9.0).reshape(1, 1, 3, 3), 2).tolist()
    [[[0.0, 1.0, 3.0, 4.0], [1.0, 2.0, 4.0, 5.0], [3.0, 4.0, 6.0, 7.0], [4.0, 5.0, 7.0, 8.0]]]
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)")
    input, unbatched = _batched(input, "unfold")
    geometry = _fold_geometry(kernel_size, dilation, padding, stride)
    out_hw = [_out_size(input.shape[2 + a], geometry["kernel_size"][a], geometry["stride"][a],
                        sum(geometry["padding"][a]), geometry["dilation"][a]) for a in range(2)]
    if min(out_hw) < 1:
        raise RuntimeError(f"unfold: given input with spatial size {tuple(input.shape[2:])}, kernel_size="
                           f"{geometry['kernel_size']}, dilation={geometry['dilation']}, padding="
                           f"{(geometry['padding'][0][0], geometry['padding'][1][0])}, calculated shape of "
                           f"the array of sliding blocks as {tuple(out_hw)}, but its components must be at "
                           "least one.")
    out = Im2Col.apply(input, **geometry)
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding local blocks (N, C·KH·KW, L) back into an image (N, C, *output_size).

    The adjoint of ``unfold``: every column is added where ``unfold`` would have read it, so
    overlapping blocks add up (``fold(unfold(x))`` multiplies each pixel by the number of
    blocks covering it). A 2-D input is one unbatched sample.

    >>> import minigrad as mg
    >>> fold(mg.ones(1, 4, 4), (3, 3), 2).tolist()
    [[[[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]]]
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported "
                           f"(got {input.ndim}D)")
    unbatched = input.ndim == 2
    if unbatched:
        input = input.unsqueeze(0)
    geometry = _fold_geometry(kernel_size, dilation, padding, stride)
    size = _pair(output_size, "output_size")
    kernel = geometry["kernel_size"]
    if input.shape[1] % math.prod(kernel):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of "
                           f"kernel_size, but got input.size(1)={input.shape[1]} and kernel_size={kernel}")
    blocks = [_out_size(size[a], kernel[a], geometry["stride"][a], sum(geometry["padding"][a]),
                        geometry["dilation"][a]) for a in range(2)]
    if min(blocks) < 1 or blocks[0] * blocks[1] != input.shape[2]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, "
                           f"dilation={geometry['dilation']}, "
                           f"padding={(geometry['padding'][0][0], geometry['padding'][1][0])}, "
                           f"stride={geometry['stride']}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={input.shape[2]}.")
    out = Col2Im.apply(input, output_size=size, **geometry)
    return out.squeeze(0) if unbatched else out
