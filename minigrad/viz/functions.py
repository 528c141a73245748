"""Two-dimensional test functions for optimizer races, each with where to look and where to start.

Each is a callable on a Tensor ``p`` whose first axis holds ``(x, y)`` (shape ``(2,)`` for one
point, ``(2, H, W)`` for a grid), written with Tensor ops so it is differentiable, and carries
the plotting window (``bounds``), its minima, a default ``start`` and whether its contours look
best on a log scale.

>>> import minigrad as mg
>>> from minigrad.viz import rosenbrock, saddle
>>> rosenbrock(mg.tensor([1.0, 1.0])).item(), saddle(mg.tensor([1.0, 2.0])).item()
(0.0, -3.0)
>>> rosenbrock.bounds, rosenbrock.minima
(((-2.0, 2.0), (-1.0, 3.0)), [(1.0, 1.0)])
"""

import math

__all__ = ["TestFunction", "rosenbrock", "beale", "saddle", "ravine", "get"]


class TestFunction:
    """A named 2-D function with its plotting window, minima and a default start."""

    __test__ = False  # not a pytest class

    def __init__(self, name, fn, bounds, minima, start, log_levels, formula):
        self.name, self._fn, self.bounds = name, fn, bounds
        self.minima, self.start, self.log_levels, self.formula = minima, start, log_levels, formula
        self.__doc__ = f"{name}: {formula}"

    def __call__(self, p):
        return self._fn(p[0], p[1])

    def __repr__(self):
        return f"<test function {self.name}: {self.formula}>"


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y * y * y) ** 2


def _saddle(x, y):
    return x * x - y * y


_C, _S = math.cos(math.pi / 6), math.sin(math.pi / 6)


def _ravine(x, y):
    # an ill-conditioned quadratic (curvatures 0.1 and 10) turned 30° off the axes, so that no
    # per-coordinate rescaling straightens it out
    u = _C * x + _S * y
    v = -_S * x + _C * y
    return 0.05 * u * u + 5 * v * v


rosenbrock = TestFunction("rosenbrock", _rosenbrock, ((-2.0, 2.0), (-1.0, 3.0)), [(1.0, 1.0)],
                          (-1.2, 1.0), True, "(1 − x)² + 100 (y − x²)²")
beale = TestFunction("beale", _beale, ((-4.5, 4.5), (-4.5, 4.5)), [(3.0, 0.5)], (1.0, 1.5), True,
                     "(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²")
saddle = TestFunction("saddle", _saddle, ((-2.0, 2.0), (-2.0, 2.0)), [], (-1.8, 1e-3), False, "x² − y²")
ravine = TestFunction("ravine", _ravine, ((-4.0, 4.0), (-3.0, 3.0)), [(0.0, 0.0)], (-3.5, -1.5),
                      True, "0.05 u² + 5 v², (u, v) = (x, y) turned by 30°")

_BY_NAME = {f.name: f for f in (rosenbrock, beale, saddle, ravine)}


def get(fn):
    """The built-in function named ``fn``, or ``fn`` itself when it is a callable."""
    if isinstance(fn, str):
        try:
            return _BY_NAME[fn.lower()]
        except KeyError:
            raise ValueError(f"unknown test function {fn!r}; choose one of {sorted(_BY_NAME)} "
                             "or pass a callable") from None
    if not callable(fn):
        raise TypeError("fn must be a callable on a shape-(2,) Tensor or the name of a test function")
    return fn
