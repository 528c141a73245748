"""``Work``: a collective in flight, and waiting for it with a deadline.

Every collective is started non-blocking (``MPI_Iallreduce``, an NCCL call on a stream) and
returns a ``Work``; the blocking form is ``start(...).wait()``. Waiting polls the request
(``MPI_Test``; for NCCL a CUDA event) in a loop that also drives MPI's progress engine, which
Open MPI runs only inside MPI calls, and yields the core between polls when ranks outnumber cores.

A collective is done when its data has arrived *and* every rank's fingerprint of it agrees
(``agreement.py``); a disagreement, or a rank that left the program before making it, raises
``DistError`` naming the ranks at once. Past the process group's timeout the waiting rank asks
every other rank, on a side communicator, what it is doing: a rank that is itself waiting in a
collective answers with the collective's name and number; a rank that is dead, hung or busy
outside ``minigrad.distributed`` does not answer. The ``DistTimeoutError`` then names this rank,
the op, and who did not arrive.
"""

import os
import time

from .agreement import Fingerprint, check_departures, collect_departures
from .process_group import DistError, DistTimeoutError

_ASK, _ANSWER = 1, 2  # tags on the side communicator
_CHECK_EVERY = 64  # polls between clock readings (a poll is ~1 µs; the clock costs about as much)


class Work:
    """A started collective: ``wait()`` blocks until it is done (or the timeout), ``is_completed()``
    asks without blocking. ``finish`` runs once, after completion (averaging, copying back)."""

    __slots__ = ("op", "seq", "_test", "_check", "_arrived", "_agreed", "_finish", "_pg", "_done", "_keep",
                 "result")

    def __init__(self, pg, op, test, finish=None, keep=None, detail=0, array=None):
        self.op = op
        self._pg = pg
        pg.seq += 1
        self.seq = pg.seq
        self._check = Fingerprint(pg, op, detail, array)  # ``detail``: the reduction or the source rank
        self._test = test
        self._arrived = self._agreed = False
        self._finish = finish
        self._done = False
        self._keep = keep  # buffers the transfer reads or writes, alive until it completes
        self.result = None

    def is_completed(self):
        if not self._done and self._progress():
            self._complete()
        return self._done

    def wait(self, timeout=None):
        """Block until the collective is done; raise ``DistTimeoutError`` past ``timeout`` seconds
        (default: the process group's), ``DistError`` when the ranks disagree on it or one left."""
        if self._done:
            return True
        if not self._progress():
            wait_until_done(self._pg, self._progress, self.op, self.seq,
                            self._pg.timeout if timeout is None else timeout)
        self._complete()
        return True

    def _progress(self):
        """Advance both halves once: True when the data has arrived and the fingerprints agree."""
        if not self._agreed and self._check.test():
            problem = self._check.disagreement(self._pg, self.seq)
            if problem is not None:
                raise DistError(problem)
            self._agreed = True
        if not self._arrived:
            try:
                self._arrived = self._test()
            except _mpi_error() as e:  # e.g. MPI_ERR_TRUNCATE: say why, when the fingerprints can
                raise DistError(_failed(self._pg, self._check, self.op, self.seq, e)) from None
        return self._arrived and self._agreed

    def _complete(self):
        self._done = True
        if self._finish is not None:
            self.result = self._finish()
        self._keep = None
        self._test = self._finish = self._check = None


def _mpi_error():
    from mpi4py import MPI  # MPI is initialised by now: a process group exists
    return MPI.Exception


def wait_until_done(pg, progress, op, seq, timeout):
    """Call ``progress()`` until it is true; past ``timeout`` s raise ``DistTimeoutError`` with a
    diagnosis, and ``DistError`` as soon as a rank this one waits for has left the program."""
    start = time.monotonic()
    deadline = start + timeout
    polls = 0
    yield_core = os.sched_yield if hasattr(os, "sched_yield") else (lambda: None)
    pg.waiting = (op, seq)
    try:
        check_departures(pg, op, seq)
        while not progress():
            polls += 1
            if polls % _CHECK_EVERY == 0:
                now = time.monotonic()
                if now > deadline:
                    raise DistTimeoutError(_diagnose(pg, op, seq, now - start))
                if polls % (_CHECK_EVERY * 16) == 0:
                    answer_questions(pg)
                    check_departures(pg, op, seq)
            yield_core()
    finally:
        pg.waiting = None


def _failed(pg, fingerprint, op, seq, error):
    """The sentence for a collective MPI reported as failed: the disagreement behind it if known."""
    me = f"rank {pg.rank} of {pg.size}"
    until = time.monotonic() + 2.0
    while time.monotonic() < until and not fingerprint.test():
        time.sleep(0.001)
    problem = fingerprint.disagreement(pg, seq) if fingerprint.test() else None
    return problem or f"minigrad.distributed: {me}: {op} (collective #{seq}) failed: {error}"


def answer_questions(pg):
    """Tell every rank that asked (after its own timeout) which collective this rank waits in, and
    note the ranks that announced they left the program."""
    side = pg.side
    status = _status()
    while side.iprobe(tag=_ASK):
        side.recv(source=_any_source(), tag=_ASK, status=status)
        pg.pending_sends.append(side.isend(pg.waiting, dest=status.Get_source(), tag=_ANSWER))
    collect_departures(pg, status)


def _diagnose(pg, op, seq, waited):
    """Ask the other ranks what they are doing; a sentence naming this rank and the missing ones."""
    others = [r for r in range(pg.size) if r != pg.rank]
    for r in others:
        pg.pending_sends.append(pg.side.isend(pg.rank, dest=r, tag=_ASK))
    answers = {}
    grace = min(2.0, max(0.5, 0.1 * pg.timeout))  # long enough for a loaded machine to answer
    until = time.monotonic() + grace
    while len(answers) < len(others) and time.monotonic() < until:
        answer_questions(pg)
        for r in others:
            if r not in answers and pg.side.iprobe(source=r, tag=_ANSWER):
                answers[r] = pg.side.recv(source=r, tag=_ANSWER)
        time.sleep(0.001)
    silent = [r for r in others if r not in answers]
    same = [r for r, a in answers.items() if a == (op, seq)]
    elsewhere = {r: a for r, a in answers.items() if a != (op, seq)}
    parts = [f"minigrad.distributed: rank {pg.rank} of {pg.size} timed out after {waited:.1f} s "
             f"waiting in {op} (collective #{seq})"]
    if silent:
        parts.append(f"rank(s) {_ranks(silent)} did not arrive and did not answer within {grace:.1f} s "
                     "(dead, hung, or busy outside minigrad.distributed)")
    if same:
        parts.append(f"rank(s) {_ranks(same)} are waiting in the same collective")
    for r, answer in sorted(elsewhere.items()):
        where = "no collective" if answer is None else f"{answer[0]} (collective #{answer[1]})"
        parts.append(f"rank {r} is waiting in {where}: the ranks called collectives in different orders")
    return "; ".join(parts)


def _ranks(ranks):
    return ", ".join(map(str, sorted(ranks)))


def _status():
    from mpi4py import MPI
    return MPI.Status()


def _any_source():
    from mpi4py import MPI
    return MPI.ANY_SOURCE
