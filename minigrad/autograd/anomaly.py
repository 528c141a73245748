"""Anomaly mode: name the op whose backward first produced NaN, and where it was created.

As in PyTorch the mode is one setting for the whole process, not per thread: turned on in one
thread, every thread's new nodes record their creation traceback.
"""

from .node import _anomaly


def is_anomaly_enabled():
    """Whether new nodes record the traceback of the call that created them."""
    return _anomaly.enabled


def is_anomaly_check_nan_enabled():
    """Whether anomaly mode, when on, checks every gradient the backward pass produces for NaN
    (PyTorch's flag: True by default, whether or not the mode is on)."""
    return _anomaly.check_nan


class set_detect_anomaly:
    """``set_detect_anomaly(mode, check_nan=True)`` turns anomaly mode on or off, at once when
    called, and back to what it was on leaving ``with set_detect_anomaly(...):``."""

    def __init__(self, mode, check_nan=True):
        self._previous = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = bool(mode), bool(check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _anomaly.enabled, _anomaly.check_nan = self._previous


class detect_anomaly:
    """``with detect_anomaly():`` records where each op was created and (``check_nan``) checks
    every gradient the backward pass produces for NaN, raising with the op's name and that
    traceback: ``set_detect_anomaly(True, check_nan)`` for the block."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        self._setting = set_detect_anomaly(True, self.check_nan)

    def __exit__(self, *exc):
        self._setting.__exit__(*exc)
