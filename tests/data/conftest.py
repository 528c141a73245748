"""Test data and the scripts that made it (they import torch): never collected by pytest."""

collect_ignore_glob = ["*.py"]
