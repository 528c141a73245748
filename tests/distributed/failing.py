"""A job in which rank 1 fails: ``mpirun -n N python failing.py MODE TIMEOUT``.

``raise``: rank 1 raises while the others wait in an all-reduce; the excepthook that
``init_process_group`` installed must abort the job at once, naming rank 1.
``exit`` / ``return``: rank 1 calls ``sys.exit(1)`` / returns from main early; its exit handler
tells the others, which must end the job at once, naming rank 1 (not wait for the timeout).
``hang``: rank 1 sleeps (a deadlock, a stuck file system); the others must give up after
TIMEOUT seconds with an error naming themselves, the op, and rank 1 as the one that did not arrive.
``die``: rank 1 is killed (SIGKILL, as by the out-of-memory killer); mpirun must end the job.
``fewer``: DDP training where rank 1 runs one batch fewer, then every rank all-reduces its loss:
the ranks must be told they disagree (DDP gradients on rank 0, the loss on rank 1), not hit
MPI_ERR_TRUNCATE.
``shapes``: rank 0 all-reduces 3 values, rank 1 four: the same, naming both.
"""

import os
import signal
import sys
import time

import minigrad as mg
import minigrad.distributed as dist
import minigrad.nn as nn
from minigrad.nn.parallel import DistributedDataParallel


def train_with_one_batch_fewer_on_rank_1():
    mg.manual_seed(0)
    model = DistributedDataParallel(nn.Linear(8, 4))
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    total = mg.zeros(1)
    for _ in range(3 if dist.get_rank() == 1 else 4):
        loss = model(mg.randn(2, 8)).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.detach()
    dist.all_reduce(total)


def main():
    mode, timeout = sys.argv[1], float(sys.argv[2])
    dist.init_process_group("mpi", timeout=timeout)
    t = mg.ones(3)
    dist.all_reduce(t)  # everyone arrives once: the job itself works
    if mode == "fewer":
        train_with_one_batch_fewer_on_rank_1()
    elif mode == "shapes":
        dist.all_reduce(mg.ones(3 + dist.get_rank()))
    elif dist.get_rank() == 1:
        if mode == "raise":
            raise ValueError("boom on purpose")
        if mode == "die":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "exit":
            sys.exit(1)
        if mode == "return":
            return
        time.sleep(600)
    dist.all_reduce(t)
    print("unreachable: the job should have been aborted", flush=True)


if __name__ == "__main__":
    main()
