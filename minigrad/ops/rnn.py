"""A recurrent layer's whole recurrence as one op: the time loop runs on arrays, not on Tensors.

The input projection ``x W_ihᵀ + b_ih`` is one matmul for all time steps (``nn.LSTM`` does it
before calling ``Recurrence``); what is left must run step by step::

    gates_t = proj_t + h_{t-1} W_hhᵀ + b_hh          one (N, H) x (H, G·H) product per step
    RNN:  h_t = tanh(gates_t)  (or relu)
    LSTM: i, f, g, o = σ, σ, tanh, σ of the four gate blocks
          c_t = f ⊙ c_{t-1} + i ⊙ g;   h_t = o ⊙ tanh(c_t)
    GRU:  r, z = σ(proj_r + (h W_hrᵀ + b_hr)), σ(proj_z + (h W_hzᵀ + b_hz))
          n = tanh(proj_n + r ⊙ (h W_hnᵀ + b_hn));   h_t = n + z ⊙ (h_{t-1} - n)

The gradient runs the same loop backwards (backpropagation through time) with one
(N, G·H) x (G·H, H) product per step, and then the weight gradient of all steps at once:
``dW_hh = Σ_t dgates_tᵀ h_{t-1}``, one matmul of (T·N, G·H)ᵀ by (T·N, H).

Sequences are *packed* (``nn.utils.rnn``'s layout): time step t holds the first
``batch_sizes[t]`` sequences, which are sorted longest first, so at every step the live
sequences are a prefix of the batch. A padded (T, N, ·) input is the special case where every
batch size is N. A state row outside the prefix is left alone: a finished sequence keeps its
last state (the ``h_n`` PyTorch returns), one not yet started (reverse direction) its ``h_0``.

The gradient is an op of its own, ``RecurrenceGrad``: ``Recurrence.backward`` only calls it.
Under a plain ``backward()`` recording is off, so it is the array loop and nothing more; under
``create_graph=True`` it is recorded like any op. Its backward, needed only for gradients of
gradients, is ``_Partials`` of ``reference`` (the same recurrence written with Tensor ops): an op
that differentiates a Tensor-op function without recording, and whose own backward is the same
op one order up, so each order is recorded only under ``create_graph``, as for any op.
"""

from ..autograd.function import Function, Op
from ..autograd.grad_mode import enable_grad
from .movement import cat
from .nn import Linear

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid(xp, x):
    # σ(x) = (1 + tanh(x/2)) / 2: three array ops, finite for every x
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


def _steps(batch_sizes, reverse):
    """(offset into the packed rows, live batch size) of each time step, in the order run."""
    offsets, start = [], 0
    for b in batch_sizes:
        offsets.append((start, b))
        start += b
    return offsets[::-1] if reverse else offsets


# --- one step forward and backward on arrays, per mode -----------------------------------------
def _lstm_scale(ctx, dtype, hidden):
    """The LSTM's four gates as one tanh: σ(x) = (1 + tanh(x/2)) / 2 and g = tanh(x), so
    ``act = a ⊙ tanh(a ⊙ pre) + c`` with (a, c) = (1/2, 1/2) on i, f, o and (1, 0) on g.
    Returns a and c, rows of 4·hidden."""
    xp, backend, index = ctx.xp, ctx.device.backend, ctx.device.index
    half = backend.full((hidden,), 0.5, dtype, index)
    one, zero = backend.full((hidden,), 1, dtype, index), backend.full((hidden,), 0, dtype, index)
    return xp.concat([half, half, one, half]), xp.concat([half, half, zero, half])


def _forward_step(xp, mode, p, gh, h, c, hidden, lstm_gates=None):
    """New state from the projected input ``p`` and ``gh = h W_hhᵀ + b_hh``; also what backward
    needs. For LSTM, ``gh`` is written over (``lstm_gates``: see ``_lstm_scale``)."""
    if mode == "LSTM":
        scale, offset = lstm_gates
        gh += p
        gh *= scale
        act = xp.tanh(gh)
        act *= scale
        act += offset
        i, f, g, o = (act[:, k * hidden:(k + 1) * hidden] for k in range(4))
        c = f * c
        c += i * g
        tc = xp.tanh(c)
        return o * tc, c, (act, tc)
    if mode == "GRU":
        rz = _sigmoid(xp, p[:, :2 * hidden] + gh[:, :2 * hidden])
        r, z = rz[:, :hidden], rz[:, hidden:]
        n = xp.tanh(p[:, 2 * hidden:] + r * gh[:, 2 * hidden:])
        return n + z * (h - n), None, (rz, n, gh[:, 2 * hidden:])
    h = xp.tanh(p + gh) if mode == "RNN_TANH" else xp.maximum(p + gh, 0)
    return h, None, ()


def _backward_step(xp, mode, dh, dc, saved, h, c, hidden, out):
    """One step back: writes d proj into ``out`` (a view of the rows of this step) and returns
    (d gh if it differs from d proj else None, d h through the non-matmul path or None, d c_prev)."""
    if mode == "LSTM":
        act, tc = saved
        i, f, g, o = (act[:, k * hidden:(k + 1) * hidden] for k in range(4))
        dc = dc + dh * o * (1 - tc * tc)
        # d pre = d act ⊙ act'(pre): σ' = σ(1 - σ) on i, f, o; tanh' = 1 - g² on g
        slope = act * (1 - act)
        slope[:, 2 * hidden:3 * hidden] = 1 - g * g
        out[:, :hidden] = dc * g
        out[:, hidden:2 * hidden] = dc * c
        out[:, 2 * hidden:3 * hidden] = dc * i
        out[:, 3 * hidden:] = dh * tc
        out *= slope
        return None, None, dc * f
    if mode == "GRU":
        rz, n, gh_n = saved
        r, z = rz[:, :hidden], rz[:, hidden:]
        dn = dh * (1 - z) * (1 - n * n)
        drz = xp.concat([dn * gh_n, dh * (h - n)], axis=1) * rz * (1 - rz)
        out[...] = xp.concat([drz, dn], axis=1)
        return xp.concat([drz, dn * r], axis=1), dh * z, None
    out[...] = dh * (1 - h * h) if mode == "RNN_TANH" else dh * xp.astype(h > 0, dh.dtype)
    return None, None, None


class Recurrence(Op):
    """One layer, one direction: packed projected inputs (Σ batch_sizes, G·H) -> packed hidden
    states (Σ batch_sizes, H), final h (N, H) and, for LSTM, final c.

    Inputs ``proj, h0, c0, w_hh, b_hh`` (``c0`` None except for LSTM, ``b_hh`` may be None);
    attributes ``mode``, ``batch_sizes`` (a tuple of ints) and ``reverse``.
    """

    @staticmethod
    def forward(ctx, proj, h0, c0, w_hh, b_hh, *, mode, batch_sizes, reverse):
        xp, backend, index = ctx.xp, ctx.device.backend, ctx.device.index
        hidden = w_hh.shape[1]
        w_t = backend.contiguous(xp.permute_dims(w_hh, (1, 0)))  # BLAS is faster on a plain (H, G·H)
        lstm_gates = _lstm_scale(ctx, proj.dtype, hidden) if mode == "LSTM" else None
        rows_shape = (proj.shape[0], hidden)
        hs = backend.buffer(rows_shape, proj.dtype, index)  # every row is written once
        h_prev = backend.buffer(rows_shape, proj.dtype, index)  # the state each step read
        c_prev = backend.buffer(rows_shape, proj.dtype, index) if mode == "LSTM" else None
        h, c, saved = h0, c0, []
        for start, b in _steps(batch_sizes, reverse):
            rows = slice(start, start + b)
            gh = xp.matmul(h[:b, :], w_t)
            if b_hh is not None:
                gh += b_hh
            c_b = None if c is None else c[:b, :]
            h_new, c_new, keep = _forward_step(xp, mode, proj[rows, :], gh, h[:b, :], c_b, hidden,
                                               lstm_gates)
            h_prev[rows, :] = h[:b, :]
            hs[rows, :] = h_new
            h = h_new if b == h.shape[0] else xp.concat([h_new, h[b:, :]], axis=0)
            if c is not None:
                c_prev[rows, :] = c[:b, :]
                c = c_new if b == c.shape[0] else xp.concat([c_new, c[b:, :]], axis=0)
            saved.append(keep)
        ctx.steps = saved
        ctx.save_for_backward(proj, h0, c0, w_hh, b_hh, hs, h_prev, c_prev)
        return (hs, h, c) if mode == "LSTM" else (hs, h)

    @staticmethod
    def backward(ctx, dhs, dh_n, dc_n=None):
        """(∂R/∂x)ᵀ g for the inputs x that want a gradient: ``RecurrenceGrad`` computes it."""
        proj, h0, c0, w_hh, b_hh, hs, h_prev, c_prev = ctx.saved_tensors
        inputs = (proj, h0, c0, w_hh, b_hh)
        forward = (hs.array, h_prev.array, None if c_prev is None else c_prev.array, ctx.steps)
        grads = iter(RecurrenceGrad.apply(*inputs, dhs, dh_n, dc_n, **ctx.attrs, _forward=forward))
        present = [None if x is None else next(grads) for x in inputs]  # no gradient for an absent c0, b_hh
        return tuple(g if need else None for g, need in zip(present, ctx.needs_input_grad))

    def release(self):
        super().release()
        self.steps = None


class RecurrenceGrad(Op):
    """``Recurrence``'s backward, backpropagation through time on arrays, as an op of its own.

    With ``R`` the recurrence, inputs x = (proj, h0, c0, w_hh, b_hh) and incoming gradients
    g = (dhs, dh_n, dc_n), it returns ``G(x, g) = (∂R/∂x)ᵀ g``: d proj, d h0, [d c0 (LSTM)],
    d w_hh, [d b_hh (with a bias)]. ``_forward`` holds what the recurrence's forward computed
    (hs, h_prev, c_prev and each step's activations): values of x, read but not inputs.

    Recorded only under ``create_graph=True`` (the engine runs plain backward with recording off).
    """

    materialize_grads = False  # outputs nobody used (d h0 of a zero state) get no second-order term

    @staticmethod
    def forward(ctx, proj, h0, c0, w_hh, b_hh, dhs, dh_n, dc_n, *, mode, batch_sizes, reverse, _forward):
        ctx.save_for_backward(proj, h0, c0, w_hh, b_hh, dhs, dh_n, dc_n)
        xp, backend, index = ctx.xp, ctx.device.backend, ctx.device.index
        hs, h_prev, c_prev, steps = _forward
        hidden = w_hh.shape[1]
        dproj = backend.buffer(tuple(proj.shape), proj.dtype, index)
        dgh_all = dproj if mode != "GRU" else backend.buffer(tuple(proj.shape), proj.dtype, index)
        dh, dc = dh_n, dc_n
        for (start, b), saved in zip(_steps(batch_sizes, reverse)[::-1], steps[::-1]):
            rows = slice(start, start + b)
            dh_b = dh[:b, :] + dhs[rows, :]
            h_b = h_prev[rows, :] if mode == "GRU" else hs[rows, :]  # GRU needs h_{t-1}, RNN h_t
            dgh, dh_direct, dc_b = _backward_step(
                xp, mode, dh_b, None if dc is None else dc[:b, :], saved, h_b,
                None if c_prev is None else c_prev[rows, :], hidden, dproj[rows, :])
            if dgh is None:
                dgh = dproj[rows, :]
            else:
                dgh_all[rows, :] = dgh
            dh_b = xp.matmul(dgh, w_hh)
            if dh_direct is not None:
                dh_b += dh_direct
            dh = dh_b if b == dh.shape[0] else xp.concat([dh_b, dh[b:, :]], axis=0)
            if dc is not None:
                dc = dc_b if b == dc.shape[0] else xp.concat([dc_b, dc[b:, :]], axis=0)
        d_w = backend.matmul(xp.permute_dims(dgh_all, (1, 0)), h_prev)  # all steps' weight gradient at once
        d_b = None if b_hh is None else xp.sum(dgh_all, axis=0)
        return tuple(d for d in (dproj, dh, dc, d_w, d_b) if d is not None)

    @staticmethod
    def backward(ctx, *v):
        """The partial derivatives of ``Σ_k G_k(x, g) · v_k`` w.r.t. x and g: ``_Partials`` of the
        recurrence's vector-Jacobian product written with Tensor ops (``reference``)."""
        inputs = ctx.saved_tensors  # x (5, c0 and b_hh may be None), then g (3)
        cotangents = iter(v)
        per_x = [None if x is None else next(cotangents) for x in inputs[:5]]  # v in the slots of x
        attrs = {k: value for k, value in ctx.attrs.items() if k != "_forward"}

        def vjp(*xg):  # G(x, g) in Tensor ops
            return _partials(lambda *x: reference(*x, **attrs), xg[:5], xg[5:], create_graph=True)
        return _Partials.apply(*inputs, *per_x, f=vjp, n=len(inputs))

    def release(self):
        super().release()
        self.attrs = {**self.attrs, "_forward": None}  # the forward's arrays: backward never reads them


class _Partials(Function):
    """``∂(Σ_k f(x)_k · v_k)/∂x_i`` for each input x_i that requires grad, ``f`` written with Tensor
    ops: the recurrence's derivatives beyond the first. Inputs ``x`` (the first ``n``) then ``v``.

    Forward differentiates f once and records nothing; backward is this op again, one order up
    (f ← these partials as a function of x and v). So an order is recorded only when the
    backward pass that computes it is (``create_graph=True``), and every order is available.
    A ``Function``, not an ``Op``: its forward works on Tensors, as it must to differentiate f.
    """

    @staticmethod
    def forward(ctx, *xv, f, n):
        ctx.set_materialize_grads(False)  # an output nobody used adds no term
        ctx.save_for_backward(*xv)
        # at detached copies: a gradient w.r.t. one counts only the paths through f, so these are
        # partial derivatives even where the inputs depend on each other outside f (a stacked
        # layer's incoming gradient depends on the layer's own outputs)
        x = [None if t is None else t.detach().requires_grad_(t.requires_grad) for t in xv[:n]]
        return _partials(f, x, xv[n:], create_graph=False)

    @staticmethod
    def backward(ctx, *w):
        xv, f, n = ctx.saved_tensors, ctx.attrs["f"], ctx.attrs["n"]
        return _Partials.apply(*xv, *w, f=lambda *xv: _partials(f, xv[:n], xv[n:], create_graph=True),
                               n=len(xv))


def _partials(f, x, v, create_graph):
    """``∂(Σ_k f(x)_k · v_k)/∂x_i`` per input, by the engine (None where x_i is None, needs no
    gradient or is unused); with ``create_graph`` the result can be differentiated again.

    These are partial derivatives because the x reaching here are independent of each other:
    the detached copies that ``_Partials.forward`` makes, passed down unchanged."""
    from ..autograd import grad  # not at the top: autograd imports the ops
    with enable_grad():
        pairs = [(o, w) for o, w in zip(f(*x), v) if o is not None and w is not None and o.requires_grad]
        wanted = [i for i, t in enumerate(x) if t is not None and t.requires_grad]
        found = grad([o for o, _ in pairs], [x[i] for i in wanted], [w for _, w in pairs],
                     create_graph=create_graph, allow_unused=True) if pairs and wanted else ()
    result = [None] * len(x)
    for i, g in zip(wanted, found):
        result[i] = g
    return tuple(result)


def cell(mode, p, state, w_hh, b_hh):
    """One step in Tensor ops (the ``*Cell`` modules, and ``reference``): state h, or (h, c) for LSTM."""
    gh = Linear.apply(state[0] if mode == "LSTM" else state, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = (p + gh).chunk(4, -1)
        c = f.sigmoid() * state[1] + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c
    if mode == "GRU":
        p_r, p_z, p_n = p.chunk(3, -1)
        h_r, h_z, h_n = gh.chunk(3, -1)
        r, z = (p_r + h_r).sigmoid(), (p_z + h_z).sigmoid()
        n = (p_n + r * h_n).tanh()
        return n + z * (state - n)
    return (p + gh).tanh() if mode == "RNN_TANH" else (p + gh).relu()


def reference(proj, h0, c0, w_hh, b_hh, *, mode, batch_sizes, reverse):
    """``Recurrence`` written with Tensor ops, step by step (its create_graph backward)."""
    lstm = mode == "LSTM"
    state, outputs = ((h0, c0) if lstm else (h0,)), {}
    for start, b in _steps(batch_sizes, reverse):
        live = tuple(s[:b, :] for s in state)
        new = cell(mode, proj[start:start + b], live if lstm else live[0], w_hh, b_hh)
        new = new if lstm else (new,)
        state = tuple(n if b == s.shape[0] else cat([n, s[b:, :]], 0) for n, s in zip(new, state))
        outputs[start] = new[0]
    return (cat([outputs[s] for s in sorted(outputs)], 0),) + state

