"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their single-step ``*Cell`` forms.

Equations, gate order and parameter names are PyTorch's, so state dicts load either way. Each
layer projects the whole input sequence at once (one matmul for all time steps,
``x W_ihᵀ + b_ih``); the recurrence ``h W_hhᵀ`` runs step by step inside one op per layer and
direction (``ops.rnn.Recurrence``, all gates in one product per step); the single-step cells
are written with Tensor ops::

    RNN:   h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)                  (or relu)
    LSTM:  i, f, g, o = split(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)        (gate order i, f, g, o)
           c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g);   h' = σ(o) ⊙ tanh(c')
    GRU:   r = σ(x W_irᵀ + b_ir + h W_hrᵀ + b_hr)
           z = σ(x W_izᵀ + b_iz + h W_hzᵀ + b_hz)
           n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn))            (b_hn inside r ⊙ ·)
           h' = (1 - z) ⊙ n + z ⊙ h
"""

import math

from ... import creation
from ...ops.movement import cat, stack
from ...ops.rnn import GATES as _GATES
from ...ops.rnn import Recurrence, cell
from .. import functional as F
from .. import init
from ..module import Module
from ..parameter import Parameter
from ..utils.rnn import PackedSequence


class RNNBase(Module):
    """Multi-layer, optionally bidirectional recurrence shared by ``RNN``, ``LSTM`` and ``GRU``.

    Parameters per layer k and direction (suffix ``_reverse`` for the backward one):
    ``weight_ih_l{k}`` (gates·hidden, in), ``weight_hh_l{k}`` (gates·hidden, hidden),
    ``bias_ih_l{k}``, ``bias_hh_l{k}`` (gates·hidden); in = ``input_size`` for layer 0, else
    hidden·directions. All start from U(-1/√hidden, 1/√hidden), as in PyTorch.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"hidden_size must be a positive integer, got {hidden_size!r}")
        if not isinstance(num_layers, int) or num_layers <= 0:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of "
                             "an element being zeroed")
        if proj_size:
            raise NotImplementedError("LSTM with proj_size > 0 is not supported")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        directions = 2 if bidirectional else 1
        gates = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = {"weight_ih": (gates, layer_in), "weight_hh": (gates, hidden_size)}
                if bias:
                    shapes.update(bias_ih=(gates,), bias_hh=(gates,))
                for name, shape in shapes.items():
                    weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
                    setattr(self, name + suffix, weight)
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """PyTorch's cuDNN memory-layout hint; nothing to do here."""

    @property
    def all_weights(self):
        """The parameters per layer and direction: [[w_ih, w_hh, b_ih, b_hh], ...]."""
        per = 4 if self.bias else 2
        weights = [getattr(self, n) for n in self._flat_weights_names]
        return [weights[i:i + per] for i in range(0, len(weights), per)]

    def _weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = lambda name: getattr(self, name + suffix) if self.bias or "weight" in name else None
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _check_hidden(self, hx, expected):
        if tuple(hx.shape) != expected:
            raise RuntimeError(f"{type(self).__name__}: expected hidden size {expected}, "
                               f"got {list(hx.shape)}")

    def forward(self, input, hx=None):
        """input (L, N, in) or (N, L, in) with ``batch_first``, unbatched (L, in), or a ``PackedSequence``.

        Returns ``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``): ``output`` holds the last
        layer's h at every step, (L, N, directions·hidden) (packed like the input when it is
        packed); ``h_n``/``c_n`` the final states, (layers·directions, N, hidden), each
        sequence's own last step for packed input. ``hx`` defaults to zeros.
        """
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        if packed:
            rows, batch_sizes = input.data, tuple(int(b) for b in input.batch_sizes.tolist())
            if input.sorted_indices is not None and hx is not None:  # hx is in the caller's order
                hx = tuple(h.index_select(1, input.sorted_indices) for h in hx) if lstm \
                    else hx.index_select(1, input.sorted_indices)
            unbatched = False
        else:
            if input.ndim not in (2, 3):
                raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, "
                                 f"got {input.ndim}D instead")
            unbatched = input.ndim == 2
            if unbatched:
                input = input.unsqueeze(1)
                if hx is not None:
                    hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
            elif self.batch_first:
                input = input.transpose(0, 1)
            steps, batch = input.shape[0], input.shape[1]
            batch_sizes = (batch,) * steps
            rows = input.reshape(steps * batch, input.shape[2])  # time-major rows: packed, all full
        if rows.shape[-1] != self.input_size:
            raise RuntimeError(f"{type(self).__name__}: input.size(-1) must be equal to input_size. "
                               f"Expected {self.input_size}, got {rows.shape[-1]} (input of shape "
                               f"{tuple(input.shape)})")
        if not batch_sizes:
            raise RuntimeError(f"{type(self).__name__}: expected sequence length to be larger than 0 "
                               f"(input of shape {tuple(input.shape)})")
        directions = 2 if self.bidirectional else 1
        expected = (self.num_layers * directions, batch_sizes[0], self.hidden_size)
        if hx is None:
            zeros = creation.zeros(*expected, dtype=rows.dtype, device=rows.device)
            hx = (zeros, zeros) if lstm else zeros
        for h in (hx if lstm else (hx,)):
            self._check_hidden(h, expected)
        h0s, c0s = (hx[0].unbind(0), hx[1].unbind(0)) if lstm else (hx.unbind(0), None)

        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, direction)
                k = layer * directions + direction
                result = Recurrence.apply(F.linear(rows, w_ih, b_ih), h0s[k], c0s[k] if lstm else None,
                                          w_hh, b_hh, mode=self.mode, batch_sizes=batch_sizes,
                                          reverse=bool(direction))
                outputs.append(result[0])
                finals.append(result[1:])
            rows = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                rows = F.dropout(rows, self.dropout, training=True)

        h_n = tuple(stack([f[i] for f in finals], 0) for i in range(2 if lstm else 1))
        if packed:
            if input.unsorted_indices is not None:
                h_n = tuple(h.index_select(1, input.unsorted_indices) for h in h_n)
            output = input._replace(data=rows)
        else:
            output = rows.reshape(steps, batch, rows.shape[-1])
            if unbatched:
                output = output.squeeze(1)
                h_n = tuple(h.squeeze(1) for h in h_n)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, (h_n if lstm else h_n[0])

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (``nonlinearity="relu"``: relu).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> rnn = nn.RNN(3, 5, num_layers=2, batch_first=True)
    >>> out, h_n = rnn(mg.zeros(4, 7, 3))
    >>> out.shape, h_n.shape
    ((4, 7, 5), (2, 4, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, device=device, dtype=dtype)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o (in that order in the weights), cell state c.

    ``forward(input, (h_0, c_0))`` returns ``output, (h_n, c_n)``.

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> lstm = nn.LSTM(3, 5)
    >>> out, (h_n, c_n) = lstm(mg.zeros(7, 4, 3))
    >>> out.shape, h_n.shape, c_n.shape, lstm.weight_ih_l0.shape
    ((7, 4, 5), (1, 4, 5), (1, 4, 5), (20, 3))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device=device, dtype=dtype)


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n (in that order in the weights), b_hn inside r ⊙ (·).

    >>> import minigrad as mg
    >>> import minigrad.nn as nn
    >>> _ = mg.manual_seed(0)
    >>> gru = nn.GRU(3, 5, bidirectional=True)
    >>> out, h_n = gru(mg.zeros(7, 4, 3))
    >>> out.shape, h_n.shape, gru.weight_hh_l0_reverse.shape
    ((7, 4, 10), (2, 4, 5), (15, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


# --- cells: one step, parameters without the layer suffix -------------------------------------
class RNNCellBase(Module):
    def __init__(self, mode, input_size, hidden_size, bias, device, dtype):
        super().__init__()
        self.mode, self.input_size, self.hidden_size, self.bias = mode, input_size, hidden_size, bias
        gates = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(creation.empty(gates, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(creation.empty(gates, hidden_size, device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(creation.empty(gates, device=device, dtype=dtype))
            self.bias_hh = Parameter(creation.empty(gates, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def forward(self, input, hx=None):
        """input (N, in) or (in,); hx (N, hidden) (LSTMCell: a pair), zeros by default."""
        lstm = self.mode == "LSTM"
        unbatched = input.ndim == 1
        if unbatched:
            input = input.unsqueeze(0)
            if hx is not None:
                hx = tuple(h.unsqueeze(0) for h in hx) if lstm else hx.unsqueeze(0)
        if hx is None:
            zeros = creation.zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)
            hx = (zeros, zeros) if lstm else zeros
        F._check_linear(input, self.weight_ih, None, self)
        projected = F.linear(input, self.weight_ih, self.bias_ih)
        out = cell(self.mode, projected, hx, self.weight_hh, self.bias_hh)
        if unbatched:
            out = tuple(h.squeeze(0) for h in out) if lstm else out.squeeze(0)
        return out

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class RNNCell(RNNCellBase):
    """One step of ``RNN``: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, bias,
                         device, dtype)


class LSTMCell(RNNCellBase):
    """One step of ``LSTM``: returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)


class GRUCell(RNNCellBase):
    """One step of ``GRU``: returns h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)
