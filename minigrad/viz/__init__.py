"""Pictures of minigrad: the recorded graph (forward and backward) and the plots people learn from.

Graphs (graphviz): :func:`draw_graph`, :func:`draw_backward`, :func:`backprop_steps`.
Plots (matplotlib, Agg): :func:`plot_history`, :func:`optimizer_race`, :func:`plot_grad_flow`,
:func:`loss_landscape`, and the 2-D test functions :data:`rosenbrock`, :data:`beale`,
:data:`saddle`, :data:`ravine`. Everything here only reads the graph.
"""

from ._render import GraphvizNotFoundError, dot_available
from ._walk import GraphFreedError
from .graph import draw_backward, draw_graph

__all__ = ["draw_graph", "draw_backward", "GraphvizNotFoundError", "GraphFreedError", "dot_available"]
