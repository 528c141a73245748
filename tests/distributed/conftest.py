"""These scripts run under mpirun (launched by tests/test_distributed.py), never inside pytest:
keep ``--doctest-modules`` from importing them."""

collect_ignore_glob = ["*.py"]
