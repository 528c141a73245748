"""Variable-length sequences for the recurrent layers: padding and PyTorch's packed layout.

A ``PackedSequence`` stores B sequences sorted longest first, time step by time step: its
``data`` holds the ``batch_sizes[0]`` first elements, then the ``batch_sizes[1]`` second ones,
and so on, where ``batch_sizes[t]`` counts the sequences longer than t. Every row of ``data`` is
a real element (no padding), and at each step the live sequences are a prefix of the batch,
which is what lets ``RNN``/``LSTM``/``GRU`` run the shorter ones for fewer steps.

For lengths (3, 2, 1) of a padded (T=3, B=3) input the packed rows are
``x[0,0] x[0,1] x[0,2] | x[1,0] x[1,1] | x[2,0]`` and ``batch_sizes = (3, 2, 1)``.
Packing and unpacking are each one gather (``index_select``), so gradients flow through both.
"""

from typing import NamedTuple

import numpy as np

from ... import creation, dtypes
from ...ops.movement import cat, pad, stack
from ...tensor import Tensor


class PackedSequence(NamedTuple):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)`` as PyTorch has them.

    ``data`` (Σ batch_sizes, *), ``batch_sizes`` an int64 CPU tensor; ``sorted_indices[k]`` is
    the input position of the k-th longest sequence (None when the input was sorted) and
    ``unsorted_indices`` its inverse.
    """

    data: Tensor
    batch_sizes: Tensor = None
    sorted_indices: Tensor = None
    unsorted_indices: Tensor = None

    def to(self, *args, **kwargs):
        """The same sequence with ``data`` moved/cast by ``Tensor.to`` (indices follow a device move)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = lambda t: None if t is None else t.to(data.device)  # noqa: E731
        return self._replace(data=data, sorted_indices=move(self.sorted_indices),
                             unsorted_indices=move(self.unsorted_indices))

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    @property
    def is_cuda(self):
        return self.data.device.type == "cuda"


def _lengths_list(lengths):
    values = lengths.tolist() if isinstance(lengths, Tensor) else list(np.asarray(lengths).tolist())
    if any(int(v) != v for v in values):
        raise TypeError(f"lengths must be integers, got {values}")
    return [int(v) for v in values]


def _index(values, device):
    return creation.tensor(np.asarray(values, dtype=np.int64), device=device)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (``batch_first``: (B, T, *)) of sequences of ``lengths``.

    With ``enforce_sorted`` the lengths must be decreasing; otherwise the batch is sorted here
    and the permutation kept in the result, so that ``pad_packed_sequence`` and the final
    states of a recurrent layer come back in the input's order.

    >>> import minigrad as mg
    >>> x = mg.tensor([[1.0, 4.0], [2.0, 5.0], [3.0, 0.0]])       # (T=3, B=2), lengths 3 and 2
    >>> p = pack_padded_sequence(x, [3, 2])
    >>> p.data.tolist(), p.batch_sizes.tolist()
    ([1.0, 4.0, 2.0, 5.0, 3.0], [2, 2, 1])
    """
    lengths = _lengths_list(lengths)
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if len(lengths) != batch:
        raise ValueError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                         f"(batch_size={batch})")
    if min(lengths) <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in "
                           "'lengths' that is <= 0")
    if max(lengths) > steps:
        raise RuntimeError(f"pack_padded_sequence: a length of {max(lengths)} exceeds the {steps} time "
                           "steps of the input")
    sorted_indices = unsorted_indices = None
    if enforce_sorted:
        if any(a < b for a, b in zip(lengths, lengths[1:])):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                               "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                               "pack_sequence to sidestep this requirement if you do not need ONNX "
                               "exportability.")
        order = list(range(batch))
    else:
        order = sorted(range(batch), key=lambda j: -lengths[j])  # stable: ties keep input order
        sorted_indices = _index(order, input.device)
        unsorted_indices = _index(np.argsort(order), input.device)
    sorted_lengths = [lengths[j] for j in order]
    batch_sizes = [sum(1 for n in sorted_lengths if n > t) for t in range(sorted_lengths[0])]
    rows = [t * batch + order[k] for t, b in enumerate(batch_sizes) for k in range(b)]
    flat = input.reshape(steps * batch, *input.shape[2:])
    data = flat.index_select(0, _index(rows, input.device))
    return PackedSequence(data, creation.tensor(batch_sizes, dtype=dtypes.int64), sorted_indices,
                          unsorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of ``pack_padded_sequence``: ``(padded, lengths)``, padded (T, B, *) (or (B, T, *)).

    T is the longest length, or ``total_length`` when given (at least the longest length);
    positions past a sequence's end hold ``padding_value``. ``lengths`` is an int64 tensor in the
    original batch order.

    >>> import minigrad as mg
    >>> p = pack_padded_sequence(mg.tensor([[1.0, 4.0], [2.0, 5.0], [3.0, 0.0]]), [3, 2])
    >>> padded, lengths = pad_packed_sequence(p, padding_value=-1.0)
    >>> padded.tolist(), lengths.tolist()
    ([[1.0, 4.0], [2.0, 5.0], [3.0, -1.0]], [3, 2])
    """
    data, batch_sizes = sequence.data, [int(b) for b in sequence.batch_sizes.tolist()]
    batch, longest = batch_sizes[0], len(batch_sizes)
    steps = longest if total_length is None else total_length
    if steps < longest:
        raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                         f"but got total_length={total_length} and max sequence length being {longest}")
    position = {}
    start = 0
    for t, b in enumerate(batch_sizes):
        for k in range(b):
            position[t, k] = start + k
        start += b
    blank = start  # the index of the padding row appended below
    rows = [position.get((t, k), blank) for t in range(steps) for k in range(batch)]
    fill = creation.full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    padded = cat([data, fill], 0).index_select(0, _index(rows, data.device))
    padded = padded.reshape(steps, batch, *data.shape[1:])
    lengths = np.array([sum(1 for b in batch_sizes if b > k) for k in range(batch)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu().numpy()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, creation.tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences (L_i, *) of different lengths into (max L, B, *) (or (B, max L, *)).

    >>> import minigrad as mg
    >>> pad_sequence([mg.tensor([1.0, 2.0, 3.0]), mg.tensor([4.0])], batch_first=True).tolist()
    [[1.0, 2.0, 3.0], [4.0, 0.0, 0.0]]
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        extra = longest - s.shape[0]
        sides = (extra, 0) if padding_side == "left" else (0, extra)
        padded.append(pad(s, (0, 0) * (s.ndim - 1) + sides, value=padding_value) if extra else s)
    return stack(padded, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *): ``pack_padded_sequence(pad_sequence(sequences), lengths)``.

    >>> import minigrad as mg
    >>> pack_sequence([mg.tensor([1.0, 2.0]), mg.tensor([3.0])]).data.tolist()
    [1.0, 3.0, 2.0]
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences (L_i, *) inside a padded batch: the inverse of ``pad_sequence``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[k, :n] for k, n in enumerate(_lengths_list(lengths))]


def unpack_sequence(packed_sequences):
    """The list of sequences inside a ``PackedSequence``: the inverse of ``pack_sequence``."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
