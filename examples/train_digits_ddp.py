"""The digits CNN of train_digits.py, data-parallel over N processes (DistributedDataParallel).

    mpirun -n 2 python examples/train_digits_ddp.py              # 2 ranks on this machine
    mpirun -n 4 --hostfile hosts python examples/train_digits_ddp.py   # 4 ranks over several hosts
    python examples/train_digits_ddp.py                          # 1 rank (no mpirun needed)

(As root in a container add ``--allow-run-as-root``; with more ranks than cores ``--oversubscribe``.)

Every rank builds the same model (DDP copies rank 0's weights to the others), takes its own
shard of the training digits each epoch (DistributedSampler), and averages gradients with the
others during backward, so the N ranks together train on a global batch of ``--batch-size``
digits per step, as one process would. BatchNorm becomes SyncBatchNorm (statistics over the
global batch) unless ``--no-sync-bn``. Rank 0 alone writes the checkpoint (atomically); then
every rank reloads it and checks it evaluates to the same accuracy.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread per rank: ranks share the cores

import minigrad as mg  # noqa: E402
import minigrad.distributed as dist  # noqa: E402
import minigrad.nn as nn  # noqa: E402
import minigrad.optim as optim  # noqa: E402
from minigrad.data import DataLoader, DistributedSampler, datasets, random_split  # noqa: E402
from minigrad.nn.parallel import DistributedDataParallel as DDP  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_digits import DigitsCNN, evaluate  # noqa: E402


def train_epoch(ddp, loader, loss_fn, optimizer, scheduler):
    """One pass over this rank's shard: loss and accuracy over ALL ranks, and the median step time."""
    total = mg.zeros(3, dtype=mg.float64)  # loss·n, correct, n: summed over ranks at the end
    step_times = []
    for x, y in loader:
        start = time.perf_counter()
        logits = ddp(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()  # gradients are averaged across ranks in here
        optimizer.step()
        scheduler.step()
        step_times.append(time.perf_counter() - start)
        total += mg.tensor([loss.item() * len(y), (logits.argmax(dim=1) == y).sum().item(), len(y)],
                           dtype=mg.float64)
    dist.all_reduce(total)
    loss_sum, correct, count = total.tolist()
    return loss_sum / count, correct / count, sorted(step_times)[len(step_times) // 2]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Data-parallel training of the digits CNN over MPI ranks.")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32, help="the GLOBAL batch: split over the ranks")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sync-bn", action="store_true", help="per-rank BatchNorm statistics")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds a collective may wait")
    parser.add_argument("--out", default="runs/digits_ddp")
    parser.add_argument("--limit", type=int, default=None, help="use only this many digits (quick runs)")
    args = parser.parse_args(argv)

    dist.init_process_group("mpi", timeout=args.timeout)
    rank, world = dist.get_rank(), dist.get_world_size()
    say = print if rank == 0 else (lambda *a, **k: None)
    if args.batch_size % world:
        parser.error(f"--batch-size {args.batch_size} is not divisible by the {world} ranks")
    mg.manual_seed(args.seed + rank)  # different on purpose: DDP must make the weights rank 0's

    data = datasets.digits()
    if args.limit:
        data = random_split(data, [args.limit, len(data) - args.limit],
                            generator=mg.Generator().manual_seed(args.seed))[0]
    train_set, test_set = random_split(data, [0.8, 0.2], generator=mg.Generator().manual_seed(args.seed))
    sampler = DistributedSampler(train_set, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size // world, sampler=sampler)
    test_loader = DataLoader(test_set, batch_size=256)

    model = DigitsCNN()
    if not args.no_sync_bn:
        model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    ddp = DDP(model)
    optimizer = optim.Adam(ddp.parameters(), lr=args.lr)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(loader))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    say(f"minigrad {mg.__version__}: {world} rank(s), global batch {args.batch_size} = {world} x "
        f"{args.batch_size // world}, {len(sampler)} of {len(train_set)} training digits per rank, "
        f"{'SyncBatchNorm' if not args.no_sync_bn else 'per-rank BatchNorm'}, {len(ddp.reducer.buckets)} "
        "gradient bucket(s)")

    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        sampler.set_epoch(epoch)  # a new shuffle each epoch, the same on every rank
        train_loss, train_acc, step = train_epoch(ddp, loader, loss_fn, optimizer, scheduler)
        test_loss, test_acc = evaluate(model, test_loader, loss_fn)  # every rank: same weights, same result
        say(f"epoch {epoch:2d}: train loss {train_loss:.4f} acc {train_acc:.4f} | test loss {test_loss:.4f} "
            f"acc {test_acc:.4f} | median step {step * 1e3:.1f} ms")
    train_time = time.perf_counter() - start

    os.makedirs(args.out, exist_ok=True) if rank == 0 else None
    state = {"model": model.state_dict(), "epoch": args.epochs, "world_size": world,
             "test_accuracy": test_acc}
    checkpoint = dist.save_on_main(state, os.path.join(args.out, "digits_cnn_ddp.safetensors"))
    reloaded = DigitsCNN()
    reloaded.load_state_dict(dist.load(checkpoint)["model"])
    _, reloaded_acc = evaluate(reloaded, test_loader, loss_fn)
    agree = mg.tensor([reloaded_acc])
    dist.all_reduce(agree, op="min")
    say(f"\ntest accuracy: {test_acc:.4f} ({round(test_acc * len(test_set))}/{len(test_set)} digits), "
        f"training took {train_time:.1f} s on {world} rank(s)")
    say(f"checkpoint {checkpoint} (written by rank 0 only; reloaded on every rank: test accuracy "
        f"{agree.item():.4f} on the worst rank)")
    dist.destroy_process_group()
    return test_acc


if __name__ == "__main__":
    main()
