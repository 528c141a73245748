"""``AdaptiveLogSoftmaxWithLoss``: the adaptive softmax of Grave et al. (2017) for large vocabularies."""

from ...ops.movement import cat
from .. import functional as F
from ..module import Module
from .container import ModuleList, Sequential
from .linear import Linear


class _ASMoutput(tuple):
    """``(output, loss)`` with those names."""

    output = property(lambda self: self[0])
    loss = property(lambda self: self[1])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Frequent classes (below ``cutoffs[0]``) get their log-probability from a head softmax; each
    rarer band [cutoffs[i], cutoffs[i+1]) is one head entry (its cluster) plus a log-softmax over
    the band from a smaller projection (in_features / div_value^(i+1) wide):
    log p(y) = log p_head(cluster(y)) + log p_cluster(y). ``forward(input, target)`` returns
    ``(output, loss)``: each target's log-probability and their negated mean.
    """

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, device=None,
                 dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in an "
                             "increasing order, where each value is between 1 and n_classes-1")
        self.in_features, self.n_classes = in_features, n_classes
        self.div_value, self.head_bias = div_value, head_bias
        self.cutoffs = cutoffs + [n_classes]
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, device=device, dtype=dtype)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, device=device, dtype=dtype),
                                        Linear(hsz, osz, bias=False, device=device, dtype=dtype)))

    def reset_parameters(self):
        self.head.reset_parameters()
        for projection in self.tail:
            for layer in projection:
                layer.reset_parameters()

    def forward(self, input, target):
        unbatched = input.ndim == 1
        if unbatched:
            input, target = input.unsqueeze(0), target.unsqueeze(0)
        if input.ndim != 2 or target.ndim != 1 or input.shape[0] != target.shape[0]:
            raise RuntimeError(f"AdaptiveLogSoftmaxWithLoss: expected input (N, {self.in_features}) and "
                               f"target (N,), got {tuple(input.shape)} and {tuple(target.shape)}")
        if target.numel() and (int(target.min()) < 0 or int(target.max()) >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                               f"[{int(target.min())}, {int(target.max())}] were found. ")
        head_logprob = F.log_softmax(self.head(input), dim=1)
        # the head entry each target is read from: itself in the shortlist, else its cluster's
        cluster_of = sum((target >= c).long() for c in self.cutoffs[:-1])
        head_index = target.where(cluster_of == 0, self.shortlist_size + cluster_of - 1)
        output = head_logprob.gather(1, head_index.unsqueeze(1)).squeeze(1)
        for i in range(self.n_clusters):
            rows = (cluster_of == i + 1).nonzero(as_tuple=True)[0]
            if rows.numel():
                local = F.log_softmax(self.tail[i](input.index_select(0, rows)), dim=1)
                relative = (target.index_select(0, rows) - self.cutoffs[i]).unsqueeze(1)
                output = output.index_add(0, rows, local.gather(1, relative).squeeze(1))
        loss = (-output).mean()
        return _ASMoutput((output.squeeze(0) if unbatched else output, loss))

    def log_prob(self, input):
        """The log-probability of every class: (N, n_classes)."""
        head_logprob = F.log_softmax(self.head(input), dim=-1)
        parts = [head_logprob[..., :self.shortlist_size]]
        for i, projection in enumerate(self.tail):
            cluster = F.log_softmax(projection(input), dim=-1)
            parts.append(cluster + head_logprob[..., self.shortlist_size + i:self.shortlist_size + i + 1])
        return cat(parts, -1)

    def predict(self, input):
        """The most probable class of each input."""
        return self.log_prob(input).argmax(-1)
