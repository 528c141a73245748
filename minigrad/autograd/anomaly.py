"""Anomaly mode: name the op whose backward first produced NaN, and where it was created."""

from .node import _anomaly


class detect_anomaly:
    """``with detect_anomaly():`` records where each op was created and checks every gradient
    the backward pass produces for NaN, raising with the op's name and that traceback."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._token = _anomaly.set(self.check_nan)

    def __exit__(self, *exc):
        _anomaly.reset(self._token)


class set_detect_anomaly(detect_anomaly):
    """``with set_detect_anomaly(flag):`` turns anomaly mode on or off."""

    def __init__(self, mode):
        super().__init__(bool(mode))
