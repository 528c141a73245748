"""Dropout layers: active in training mode, the identity in evaluation mode."""

from .. import functional as F
from ..module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Inverted dropout: zero each element with probability p and scale the rest by 1/(1 - p).

    Uses ``mg.random``'s generator (reproducible under ``mg.manual_seed``); ``eval()`` turns it off.

    >>> import minigrad as mg
    >>> drop = mg.nn.Dropout(0.5).eval()
    >>> drop(mg.ones(4)).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of (N, C, L) or (C, L) with probability p (other ranks are an error)."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of (N, C, H, W) with probability p.

    Any other rank of two or more warns and is read as (N, C, *), as PyTorch: a 3-D input as
    (N, C, L), a 2-D (N, C) input element by element (never whole samples).
    """

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: keeps a zero-mean, unit-variance input so (``F.alpha_dropout``)."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels of (N, C, *)."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
