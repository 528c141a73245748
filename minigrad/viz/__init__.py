"""Pictures of minigrad: the recorded graph (forward and backward) and the plots people learn from.

Graphs (graphviz): :func:`draw_graph`, :func:`draw_backward`, :func:`backprop_steps`, and the
interactive page :func:`explore`.
Plots (matplotlib, Agg): :func:`plot_history`, :func:`optimizer_race`, :func:`plot_grad_flow`,
:func:`loss_landscape`, :func:`plot_decision_boundary`, and the 2-D test functions
:data:`rosenbrock`, :data:`beale`, :data:`saddle`, :data:`ravine`. Everything here only reads the
graph; the engine knows nothing about it.
"""

from ._render import GraphvizNotFoundError, dot_available
from .backward import draw_backward
from .explore import Explorer, explore
from .functions import beale, ravine, rosenbrock, saddle
from .graph import draw_graph
from .plots import loss_landscape, loss_surface, plot_decision_boundary, plot_grad_flow, plot_history
from .race import optimizer_race
from .steps import BackpropSteps, backprop_steps

__all__ = ["draw_graph", "draw_backward", "backprop_steps", "BackpropSteps", "explore", "Explorer",
           "plot_history", "optimizer_race", "plot_grad_flow", "plot_decision_boundary",
           "loss_landscape", "loss_surface", "rosenbrock", "beale", "saddle", "ravine",
           "GraphvizNotFoundError", "dot_available"]
