"""A job in which rank 1 fails: ``mpirun -n N python failing.py raise|hang TIMEOUT``.

``raise``: rank 1 raises while the others wait in an all-reduce; the excepthook that
``init_process_group`` installed must abort the job at once, naming rank 1.
``hang``: rank 1 sleeps (a deadlock, a stuck file system); the others must give up after
TIMEOUT seconds with an error naming themselves, the op, and rank 1 as the one that did not arrive.
"""

import sys
import time

import minigrad as mg
import minigrad.distributed as dist

mode, timeout = sys.argv[1], float(sys.argv[2])
dist.init_process_group("mpi", timeout=timeout)
t = mg.ones(3)
dist.all_reduce(t)  # everyone arrives once: the job itself works
if dist.get_rank() == 1:
    if mode == "raise":
        raise ValueError("boom on purpose")
    time.sleep(600)
dist.all_reduce(t)
print("unreachable: the job should have been aborted", flush=True)
