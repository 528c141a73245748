"""A job in which rank 1 fails: ``mpirun -n N python failing.py raise|hang|die TIMEOUT``.

``raise``: rank 1 raises while the others wait in an all-reduce; the excepthook that
``init_process_group`` installed must abort the job at once, naming rank 1.
``hang``: rank 1 sleeps (a deadlock, a stuck file system); the others must give up after
TIMEOUT seconds with an error naming themselves, the op, and rank 1 as the one that did not arrive.
``die``: rank 1 is killed (SIGKILL, as by the out-of-memory killer); mpirun must end the job.
"""

import os
import signal
import sys
import time

import minigrad as mg
import minigrad.distributed as dist


def main():
    mode, timeout = sys.argv[1], float(sys.argv[2])
    dist.init_process_group("mpi", timeout=timeout)
    t = mg.ones(3)
    dist.all_reduce(t)  # everyone arrives once: the job itself works
    if dist.get_rank() == 1:
        if mode == "raise":
            raise ValueError("boom on purpose")
        if mode == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(600)
    dist.all_reduce(t)
    print("unreachable: the job should have been aborted", flush=True)


if __name__ == "__main__":
    main()
