"""minigrad.distributed on real ranks: jobs launched with ``mpirun`` on this machine (loopback).

``tests/distributed/checks.py`` runs every collective, DDP, SyncBatchNorm, sampler and
checkpoint check in one job per world size (2 and 3 ranks, oversubscribed on CI's 2 cores);
each check becomes a test here. ``failing.py`` shows that a rank that raises, exits, returns
early, hangs, is killed, runs a batch fewer or reduces a tensor of another shape ends the job
promptly (within the timeout for a hang) with a message naming it. The rest runs in-process, no MPI.

Open MPI as root in a container needs: ``--allow-run-as-root`` (and the two
``OMPI_ALLOW_RUN_AS_ROOT*`` variables), ``--oversubscribe`` (more ranks than cores); nothing
else was needed on these machines (shared memory between ranks works).
"""

import datetime
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import minigrad as mg
import minigrad.distributed as dist
import minigrad.nn as nn
from minigrad.data import DistributedSampler
from minigrad.nn.parallel import DistributedDataParallel
from minigrad.nn.parallel.reducer import assign_buckets

ROOT = Path(__file__).resolve().parents[1]
HELPERS = ROOT / "tests" / "distributed"
MPIRUN = shutil.which("mpirun")
HAVE_MPI = MPIRUN is not None and dist.is_available()
INSTALL = ("Open MPI and mpi4py are missing: apt-get install openmpi-bin libopenmpi-dev && "
           "pip install 'minigrad[distributed]' (make test installs both)")
needs_mpi = pytest.mark.skipif(not HAVE_MPI, reason=INSTALL)


def _checks_module():
    spec = importlib.util.spec_from_file_location("distributed_checks", HELPERS / "checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK_NAMES = list(_checks_module().CHECKS)


def mpirun(n, script, *args, timeout=120, env=None):
    """Run ``script`` on ``n`` ranks; returns (CompletedProcess, seconds)."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1",
                       OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
                       OMPI_MCA_rmaps_base_oversubscribe="1")
    environment.pop("MINIGRAD_BACKEND", None)
    environment.update(env or {})
    command = [MPIRUN, "-n", str(n), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-run-as-root")
    command += [sys.executable, str(script), *map(str, args)]
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=timeout, cwd=ROOT)
    return proc, time.monotonic() - start


def test_mpi_is_installed_where_make_test_installs_it():
    """CI runs as root on Debian, where `make test` installs Open MPI: there the MPI tests must run."""
    if HAVE_MPI:
        return
    if os.environ.get("CI") and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        pytest.fail("CI as root on Debian but " + INSTALL)
    pytest.skip(INSTALL)


# --- the checks, one job per world size ---------------------------------------------------------------
@pytest.fixture(scope="module", params=[2, 3], ids=lambda n: f"{n}ranks")
def job(request, tmp_path_factory):
    if not HAVE_MPI:
        pytest.skip(INSTALL)
    n = request.param
    out = tmp_path_factory.mktemp(f"dist{n}")
    # a check that fails on one rank can leave the others waiting in a collective: 10 s each, not 30
    proc, _ = mpirun(n, HELPERS / "checks.py", out, timeout=300, env={"CHECK_TIMEOUT": "10"})
    assert proc.returncode == 0, f"the {n}-rank job failed:\n{proc.stdout}\n{proc.stderr}"
    results = [json.loads((out / f"rank{r}.json").read_text()) for r in range(n)]
    assert all(r["world"] == n for r in results)
    return results


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_on_every_rank(job, name):
    failures = {r: res["results"].get(name, "not run") for r, res in enumerate(job)}
    failures = {r: f for r, f in failures.items() if f is not None}
    assert not failures, "\n".join(f"rank {r}:\n{f}" for r, f in failures.items())


@pytest.mark.gpu
def test_nccl_collectives_and_ddp_on_gpus(tmp_path):
    if not HAVE_MPI:
        pytest.skip(INSTALL)
    if not mg.cuda.is_available():
        pytest.skip(f"no GPU: {mg.cuda.why_unavailable()}")
    n = min(2, mg.cuda.device_count())  # NCCL needs one GPU per rank
    proc, _ = mpirun(n, HELPERS / "gpu_checks.py", tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for r in range(n):
        results = json.loads((tmp_path / f"rank{r}.json").read_text())["results"]
        assert all(v is None for v in results.values()), results


# --- failure: a rank that raises, hangs or is killed -----------------------------------------------------
def failed_job(n, mode, timeout, within):
    """Run failing.py; the job must fail, skip the line after the failure, and end ``within`` seconds."""
    proc, seconds = mpirun(n, HELPERS / "failing.py", mode, timeout, timeout=60)
    assert proc.returncode != 0 and "unreachable" not in proc.stdout, proc.stdout + proc.stderr
    assert seconds < within, f"{mode}: the job took {seconds:.1f} s"
    return proc.stderr


@needs_mpi
def test_a_rank_that_raises_aborts_the_job_at_once_naming_it():
    stderr = failed_job(2, "raise", timeout=20, within=15)  # well before the 20 s timeout
    assert "minigrad.distributed: rank 1 of 2 raised ValueError: boom on purpose" in stderr, stderr


@needs_mpi
def test_a_rank_that_hangs_ends_the_job_after_the_timeout_naming_it():
    stderr = failed_job(3, "hang", timeout=2, within=20)
    pattern = (r"rank [02] of 3 timed out after \d+\.\d s waiting in all_reduce \(collective #\d+\); "
               r"rank\(s\) 1 did not arrive")
    assert re.search(pattern, stderr), stderr
    assert "are waiting in the same collective" in stderr


@needs_mpi
@pytest.mark.parametrize("mode", ["exit", "return"])
def test_a_rank_that_leaves_early_ends_the_job_at_once_naming_it(mode):
    stderr = failed_job(2, mode, timeout=30, within=15)  # well before the 30 s timeout
    assert re.search(r"rank 0 of 2 waits in all_reduce \(collective #2\), but rank 1 left the program after "
                     r"collective #1 \(returned, called sys.exit", stderr), stderr


@needs_mpi
def test_a_rank_that_runs_one_batch_fewer_is_named_not_a_raw_mpi_error():
    stderr = failed_job(2, "fewer", timeout=30, within=15)
    assert re.search(r"the ranks disagree on collective #\d+ \(rank 0: all_reduce \(DDP gradients\) \(sum\) "
                     r"of 36 float32 values; rank 1: all_reduce \(sum\) of 1 float32 value\)", stderr), stderr
    assert "did one rank run fewer batches" in stderr
    assert "MPI_ERR_TRUNCATE" not in stderr and "Segmentation fault" not in stderr, stderr


@needs_mpi
def test_mismatched_shapes_are_named_with_both_ranks():
    stderr = failed_job(2, "shapes", timeout=30, within=15)
    assert "the ranks disagree on collective #2 (rank 0: all_reduce (sum) of 3 float32 values; rank 1: " \
           "all_reduce (sum) of 4 float32 values)" in stderr, stderr
    assert "MPI_ERR_TRUNCATE" not in stderr and "Segmentation fault" not in stderr, stderr


@needs_mpi
def test_a_rank_that_is_killed_ends_the_job():
    stderr = failed_job(2, "die", timeout=20, within=15)
    assert re.search(r"process rank 1 with PID \d+ on node \S+ exited on signal 9", stderr), stderr


# --- without MPI ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda: dist.all_reduce(mg.ones(2)),
    lambda: dist.get_rank(),
    lambda: dist.barrier(),
    lambda: DistributedDataParallel(nn.Linear(2, 2)),
    lambda: DistributedSampler(range(4)),
    lambda: dist.save_on_main({}, "never.safetensors"),
])
def test_using_it_before_init_process_group_says_so(call):
    with pytest.raises(RuntimeError, match="init_process_group"):
        call()


def test_importing_does_not_start_mpi():
    code = "import minigrad, minigrad.distributed, minigrad.nn, sys; print('mpi4py.MPI' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert out.stdout.strip() == "False", out.stderr


def test_timeout_accepts_seconds_and_timedelta():
    from minigrad.distributed.process_group import _seconds
    assert _seconds(datetime.timedelta(minutes=2)) == 120.0
    assert _seconds(7) == 7.0
    with pytest.raises(ValueError, match="positive"):
        _seconds(0)


def test_sampler_pads_by_repeating_the_first_indices():
    shards = [list(DistributedSampler(range(7), num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
    assert shards == [[0, 3, 6], [1, 4, 0], [2, 5, 1]]


def test_sampler_drop_last_sees_no_index_twice():
    shards = [list(DistributedSampler(range(7), 3, r, shuffle=False, drop_last=True)) for r in range(3)]
    assert shards == [[0, 3], [1, 4], [2, 5]]
    assert len(DistributedSampler(range(7), 3, 0, drop_last=True)) == 2


def test_sampler_shuffles_the_same_way_on_every_rank_for_an_epoch():
    def shards(epoch):
        out = []
        for r in range(2):
            s = DistributedSampler(range(10), 2, r, seed=5)
            s.set_epoch(epoch)
            out.append(list(s))
        return out
    first, again, other = shards(0), shards(0), shards(1)
    assert first == again and first != other
    assert sorted(first[0] + first[1]) == list(range(10))


def test_sampler_rejects_a_rank_outside_the_world():
    with pytest.raises(ValueError, match="rank should be in the interval"):
        DistributedSampler(range(4), num_replicas=2, rank=2)


def test_buckets_run_last_parameter_first_and_split_by_dtype():
    a, b = mg.zeros(10, requires_grad=True), mg.zeros(10, requires_grad=True)
    c = mg.zeros(10, dtype=mg.float64, requires_grad=True)
    buckets = assign_buckets([a, b, c], bucket_bytes=1 << 20, first_bucket_bytes=1 << 20)
    assert [[p is q for q in (a, b, c)].index(True) for bucket in buckets for p in bucket.params] == [2, 1, 0]
    assert [len(bucket.params) for bucket in buckets] == [1, 2]


def test_sync_batchnorm_without_a_group_is_batchnorm():
    mg.manual_seed(0)
    x = mg.randn(6, 3, 2, 2)
    sync, plain = nn.SyncBatchNorm(3), nn.BatchNorm2d(3)
    assert sync(x).tolist() == plain(x).tolist()
    assert sync.running_var.tolist() == plain.running_var.tolist()


def test_convert_sync_batchnorm_shares_parameters_and_buffers():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Sequential(nn.BatchNorm1d(4)),
                        nn.InstanceNorm2d(2))
    bn = net[1]
    converted = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert type(converted[1]) is nn.SyncBatchNorm and type(converted[2][0]) is nn.SyncBatchNorm
    assert type(converted[3]) is nn.InstanceNorm2d
    assert converted[1].weight is bn.weight and converted[1].running_mean is bn.running_mean
    assert list(converted.state_dict()) == list(net.state_dict())


# --- the example -------------------------------------------------------------------------------------
@needs_mpi
def test_train_digits_ddp_example_trains_on_two_ranks_and_rank0_writes_the_checkpoint(tmp_path):
    proc, _ = mpirun(2, ROOT / "examples" / "train_digits_ddp.py", "--epochs", 2, "--limit", 500,
                     "--out", tmp_path, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 rank(s), global batch 32 = 2 x 16" in proc.stdout
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", proc.stdout).group(1))
    reloaded = float(re.search(r"test accuracy ([0-9.]+) on the worst rank", proc.stdout).group(1))
    assert accuracy > 0.8 and reloaded == accuracy, proc.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["digits_cnn_ddp.safetensors"]


@needs_mpi
def test_train_digits_ddp_example_runs_as_one_rank_without_mpirun(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    env.pop("MINIGRAD_BACKEND", None)
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "train_digits_ddp.py"), "--epochs", "1",
                           "--limit", "300", "--out", str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 rank(s), global batch 32 = 1 x 32" in proc.stdout
    assert (tmp_path / "digits_cnn_ddp.safetensors").exists()
