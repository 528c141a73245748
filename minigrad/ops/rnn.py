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
``create_graph=True`` it is recorded like any op, and its backward (needed only for gradients of
gradients) differentiates ``reference``, the same recurrence written with Tensor ops, twice.
"""

from ..autograd.function import Op
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
        hs = backend.empty(rows_shape, proj.dtype, index)  # every row is written once
        h_prev = backend.empty(rows_shape, proj.dtype, index)  # the state each step read
        c_prev = backend.empty(rows_shape, proj.dtype, index) if mode == "LSTM" else None
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
        dproj = backend.empty(tuple(proj.shape), proj.dtype, index)
        dgh_all = dproj if mode != "GRU" else backend.empty(tuple(proj.shape), proj.dtype, index)
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
        d_w = xp.matmul(xp.permute_dims(dgh_all, (1, 0)), h_prev)  # all steps' weight gradient: one product
        d_b = None if b_hh is None else xp.sum(dgh_all, axis=0)
        return tuple(d for d in (dproj, dh, dc, d_w, d_b) if d is not None)

    @staticmethod
    def backward(ctx, *v):
        """The partial derivatives of ``Σ_k G_k(x, g) · v_k``: w.r.t. g it is ``(∂R/∂x) v`` (R's
        directional derivative), w.r.t. x the second derivative of ``R · g`` applied to v.

        Both come from differentiating ``reference`` (R in Tensor ops) twice, taken at aliases of
        x and g: a gradient with respect to an alias counts only the paths through it, so the
        results are partial derivatives even where g depends on x outside this op (a layer
        above, a loss), and they stay connected to x, g and v for derivatives of higher order."""
        from ..autograd import grad  # not at the top: autograd imports the ops
        inputs = ctx.saved_tensors
        with enable_grad():  # a plain backward runs with recording off
            # clone: a new node over each input (view_as would return the input itself)
            alias = [None if t is None else t.clone() for t in inputs]
            x, g = alias[:5], alias[5:]
            outs = reference(*x, **{k: value for k, value in ctx.attrs.items() if k != "_forward"})
            pairs = [(o, d) for o, d in zip(outs, g) if d is not None]
            chosen = [(a, w) for a, w in zip([a for a in x if a is not None], v)
                      if w is not None and a.requires_grad]
            wanted = [i for i, need in enumerate(ctx.needs_input_grad) if need]
            if not chosen or not wanted:
                return (None,) * len(inputs)
            first = grad([o for o, _ in pairs], [a for a, _ in chosen], [d for _, d in pairs],
                         create_graph=True, allow_unused=True)
            used = [(f, w) for f, (_, w) in zip(first, chosen) if f is not None]
            # recorded even when this backward pass is not: what makes third order work
            second = grad([f for f, _ in used], [alias[i] for i in wanted], [w for _, w in used],
                          create_graph=True, allow_unused=True) if used else ()
        result = [None] * len(inputs)
        for i, s in zip(wanted, second):
            result[i] = s
        return tuple(result)

    def release(self):
        super().release()
        self.attrs = {**self.attrs, "_forward": None}  # the forward's arrays: backward never reads them


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

