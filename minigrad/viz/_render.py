"""Turning DOT into pictures: a ``graphviz.Digraph`` that explains a missing ``dot`` binary.

Everything that draws a graph returns a :class:`Graph`, a ``graphviz.Digraph`` (so ``.source``,
``.render``, ``.pipe`` and Jupyter's inline SVG work as usual) whose rendering methods turn
graphviz's terse ``ExecutableNotFound`` into :class:`GraphvizNotFoundError`, an error that says
which package provides ``dot`` on each common platform. Building the graph never needs ``dot``.
"""

import os
import re
import shutil

try:
    import graphviz
except ImportError as err:  # pragma: no cover - depends on the installation
    raise ImportError(
        "minigrad.viz needs the graphviz and matplotlib Python packages: pip install 'minigrad[viz]' "
        "(rendering also needs graphviz's `dot` program: apt-get install graphviz, brew install "
        "graphviz or conda install -c conda-forge graphviz)") from err

INSTALL_HINT = (
    "graphviz's `dot` program is needed to render minigrad's graph pictures and was not found on "
    "PATH. Install it with one of:\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "(the `graphviz` Python package alone is not enough). The DOT source is still available as "
    "the graph's `.source`.")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Raised when rendering needs graphviz's ``dot`` binary and it is not on ``PATH``."""

    def __init__(self, message=INSTALL_HINT):
        RuntimeError.__init__(self, message)


def dot_available():
    """True when graphviz's ``dot`` binary is on ``PATH`` (rendering will work)."""
    return shutil.which("dot") is not None


def require_dot():
    """Raise :class:`GraphvizNotFoundError` unless ``dot`` can be run."""
    if not dot_available():
        raise GraphvizNotFoundError()


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors name the package that provides ``dot``.

    ``write(path)`` writes exactly ``path`` in the format its suffix names (``.svg``, ``.png``,
    ``.pdf``, ``.dot``/``.gv`` for the source), without graphviz's side files. (graphviz's own
    ``save`` still writes the DOT source and ``render`` the source plus the picture.)
    """

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            if isinstance(err, GraphvizNotFoundError):
                raise
            raise GraphvizNotFoundError() from None

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as err:
            if isinstance(err, GraphvizNotFoundError):
                raise
            raise GraphvizNotFoundError() from None

    def _repr_image_svg_xml(self):
        """Jupyter's SVG, scaled down to the column when wider than it (text stays in scale)."""
        return fit_to_column(hide_pending(super()._repr_image_svg_xml()))

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """Jupyter: the SVG; without ``dot``, the install hint and the DOT source as text."""
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except GraphvizNotFoundError as err:
            return {"text/plain": f"{err}\n\n{self.source}"}

    def write(self, path):
        """Write the picture to ``path``; the format is the suffix (svg, png, pdf, dot, gv)."""
        path = os.fspath(path)
        fmt = os.path.splitext(path)[1].lstrip(".").lower()
        if fmt in ("dot", "gv"):
            data = self.source.encode("utf-8")
        elif fmt in ("svg", "png", "pdf", "jpg", "jpeg"):
            data = self.pipe(format=fmt)
        else:
            raise ValueError(f"write: unknown picture format {fmt!r}; use .svg, .png, .pdf or .dot")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return path


def new_graph(name, direction, **graph_attr):
    """A :class:`Graph` with minigrad's house style."""
    if direction not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"direction must be one of 'LR', 'RL', 'TB', 'BT', got {direction!r}")
    attrs = dict(rankdir=direction, fontname="Helvetica", fontsize="11", nodesep="0.25",
                 ranksep="0.35", newrank="true", labelloc="t", labeljust="l")
    attrs.update(graph_attr)
    return Graph(name=name, graph_attr=attrs,
                 node_attr=dict(fontname="Helvetica", fontsize="10", shape="box", margin="0.08,0.04",
                                height="0.3", style="filled", fillcolor="white", color="#555555"),
                 edge_attr=dict(fontname="Helvetica", fontsize="9", color="#555555",
                                arrowsize="0.6"))


_XML_HEAD = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_SVG_OPEN = re.compile(r"<svg\b")


def fit_to_column(svg):
    """An SVG that never overflows its container: graphviz sets a fixed size in points; with
    ``max-width: 100%`` and ``height: auto`` a browser or notebook shrinks a wide picture to the
    column (keeping its proportions, thanks to the ``viewBox``) and leaves a narrow one as it is."""
    return _SVG_OPEN.sub('<svg style="max-width:100%;height:auto"', svg, count=1)


def hide_pending(svg):
    """Text drawn in ``HIDDEN`` ink made invisible: graphviz's SVG drops the alpha of a text
    colour (its PNG keeps it), so a value not yet computed would show white on a coloured box."""
    return svg.replace('fill="#fffffe"', 'fill="none"')


def svg_text(graph):
    """The graph as an SVG document without the XML prolog (ready to inline in HTML)."""
    return hide_pending(_XML_HEAD.sub("", graph.pipe(format="svg").decode("utf-8"), count=1))


def png_image(graph, dpi=96):
    """The graph rendered by ``dot`` as a Pillow image (RGB)."""
    import io

    from PIL import Image
    g = graph.copy()
    g.graph_attr["dpi"] = str(dpi)
    g.graph_attr.setdefault("bgcolor", "white")
    return Image.open(io.BytesIO(g.pipe(format="png"))).convert("RGB")
