"""The matplotlib Figure every plot of ``viz`` returns: it displays inline in Jupyter by itself.

A plain ``Figure`` made without pyplot shows as ``<Figure size 920x340 with 2 Axes>`` in a
notebook unless ``%matplotlib inline`` ran first; this one carries its own PNG representation.
Imported only when a plot is made (matplotlib is an optional dependency).
"""

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


class InlineFigure(Figure):
    """A ``matplotlib.figure.Figure`` on the Agg canvas that Jupyter displays as a PNG."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        FigureCanvasAgg(self)

    def _repr_png_(self):
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=self.dpi, bbox_inches="tight")
        return buf.getvalue()
