"""Many problems through :func:`nco.solve` on Ray: :func:`solve_batch`.

Each problem is one 1-CPU Ray task that calls the public :func:`nco.solve`, so an answer
is exactly what ``nco solve`` gives. A worker process serves many tasks in turn and
:func:`nco.solve` loads the policy once per process, so the checkpoint is read once per
worker, not once per problem. Only the driver writes answers, in completion order and
keyed by problem id; a task whose worker died is run again by Ray, so every problem is
answered exactly once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from nco.batch.answers import answered_ids, write_record
from nco.batch.engine import MAX_RETRIES, map_unordered, ray_session
from nco.batch.source import ProblemId, ProblemRef, list_problems
from nco.errors import INTERNAL_ERROR, NcoError, failure
from nco.instance import Instance

log = logging.getLogger(__name__)

# Solved once per method by each worker process, untimed, before its first problem:
# nco.solve's clock includes importing a method's solver and loading the policy, which a
# worker does only once, so without this its first problem would lose its time limit to them.
_WARM_UP_PROBLEM = {
    "jobs": [{"id": 1, "location_index": 1, "delivery": [1]}, {"id": 2, "location_index": 2, "delivery": [1]}],
    "vehicles": [{"id": 0, "start_index": 0, "end_index": 0, "capacity": [2]}],
    "matrices": {"car": {"distances": [[0, 10, 10], [10, 0, 10], [10, 10, 0]]}},
}
_WARM: set[str] = set()


@dataclass(frozen=True)
class Outcome:
    """One problem's answer, as the driver writes it.

    Attributes
    ----------
    id
        The problem's id.
    answer
        What :func:`nco.solve` returned, or an error body ``{"code", "error", "field"}``.
    wall
        Seconds :func:`nco.solve` took on the worker (including a first call's policy
        loading); ``None`` when no worker answered (unreadable problem, lost task).
    worker
        ``host:pid`` of the worker process that solved it, if any.
    """

    id: ProblemId
    answer: dict[str, Any]
    wall: float | None = None
    worker: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the problem was solved (the answer is routes, not an error)."""
        return "error" not in self.answer


class Progress(Protocol):
    """What :func:`solve_batch` reports to while it runs (see :class:`~nco.batch.progress.ProgressBar`)."""

    def start(self, total: int, skipped: int) -> None:
        """``total`` problems in the source, ``skipped`` of them already answered."""

    def update(self, outcome: Outcome) -> None:
        """One more problem answered (written to the output already)."""


@dataclass(frozen=True)
class BatchSummary:
    """What :func:`solve_batch` did.

    Attributes
    ----------
    total
        Problems in the source.
    skipped
        Problems the output already answered before this run.
    solved, failed
        Problems this run answered with routes, and with an error record.
    wall
        Seconds from the first task to the last answer (Ray's start-up not included).
    """

    total: int
    skipped: int
    solved: int
    failed: int
    wall: float


def solve_batch(
    source: str | Path,
    output: str | Path,
    method: str = "nco",
    time_limit: float = 1.0,
    seed: int = 0,
    osrm_url: str | None = None,
    allow_haversine: bool = False,
    workers: int | None = None,
    address: str | None = None,
    progress: Progress | None = None,
) -> BatchSummary:
    """Solve every problem in ``source`` that ``output`` does not answer yet.

    Parameters
    ----------
    source
        A folder of problem files or a JSONL file (see :mod:`nco.batch.source`).
    output
        The JSONL file answers are appended to (see :mod:`nco.batch.answers`); problems
        it already answers are skipped, so an interrupted batch resumes.
    method, time_limit, seed, osrm_url, allow_haversine
        As for :func:`nco.solve`, the same for every problem; the time limit holds per
        problem.
    workers
        Problems solved at once (1 CPU each); see :func:`~nco.batch.engine.ray_session`.
    address
        An existing Ray cluster; by default a local Ray is started for the batch.
    progress
        Told the batch's size, then every answer.

    Returns
    -------
    BatchSummary
        Counts and wall time of this run.

    Raises
    ------
    InputError
        When an option is invalid, the source holds no problems or repeats an id, or the
        output is not a batch's JSONL. Errors of single problems never raise: they
        become error records.
    """
    _check_options(method, time_limit, seed)
    refs = list_problems(source)
    output = Path(output)
    done = answered_ids(output)
    todo = [ref for ref in refs if ref.id not in done]
    counts = {True: 0, False: 0}
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("a") as file:

        def finish(outcome: Outcome) -> None:
            write_record(file, outcome.id, outcome.answer)
            counts[outcome.ok] += 1
            if progress is not None:
                progress.update(outcome)

        def tasks() -> Iterator[tuple[ProblemId, tuple[Any, ...]]]:
            for ref in todo:
                problem = _read(ref, finish)
                if problem is not None:
                    yield ref.id, (ref.id, problem, method, time_limit, seed, osrm_url, allow_haversine)

        with ray_session(workers, address) if todo else nullcontext(0) as slots:
            # Started once Ray is up, so that the progress bar's rate and ETA are the solves'.
            if progress is not None:
                progress.start(len(refs), len(refs) - len(todo))
            start = time.perf_counter()
            for finished in map_unordered(solve_problem, tasks(), slots):
                finish(finished.value if finished.error is None else _lost(finished.key, finished.error))
    return BatchSummary(len(refs), len(refs) - len(todo), counts[True], counts[False], time.perf_counter() - start)


def solve_problem(
    problem_id: ProblemId,
    problem: dict[str, Any] | Instance,
    method: str,
    time_limit: float,
    seed: int,
    osrm_url: str | None,
    allow_haversine: bool,
) -> Outcome:
    """One problem on a worker: :func:`nco.solve`'s answer, or the error record it raised.

    The worker's first problem of a method is preceded by an untimed warm-up solve, so each
    answer is what a warm process (like ``nco serve``) gives. Ray starts its workers with
    ``OMP_NUM_THREADS=1`` for 1-CPU tasks, so torch decodes on one thread here, as
    ``nco solve`` does.
    """
    import nco

    if method not in _WARM:
        _WARM.add(method)
        try:
            nco.solve(_WARM_UP_PROBLEM, time_limit=0.1, method=method)
        except NcoError:
            pass  # only what it loaded matters
    start = time.perf_counter()
    try:
        answer = nco.solve(
            problem, time_limit=time_limit, method=method, seed=seed, osrm_url=osrm_url, allow_haversine=allow_haversine
        )
    except NcoError as exc:
        answer = failure(exc).body()
    return Outcome(problem_id, answer, time.perf_counter() - start, f"{socket.gethostname()}:{os.getpid()}")


def _read(ref: ProblemRef, finish: Callable[[Outcome], None]) -> dict[str, Any] | Instance | None:
    """The problem, or ``None`` after ``finish`` recorded why it cannot be read."""
    try:
        return ref.read()
    except NcoError as exc:
        finish(Outcome(ref.id, failure(exc).body()))
        return None


def _lost(problem_id: ProblemId, error: Exception) -> Outcome:
    """The record for a task Ray gave up on: a bug raised on the worker, or a worker that
    died on every try."""
    from ray.exceptions import RayTaskError

    log.error("problem %r: %s", problem_id, error)
    if isinstance(error, RayTaskError):
        return Outcome(problem_id, failure(error).body())
    why = f"no answer after {MAX_RETRIES + 1} tries: its worker died each time ({type(error).__name__}; out of memory?)"
    return Outcome(problem_id, {"code": INTERNAL_ERROR, "error": why, "field": None})


def _check_options(method: str, time_limit: float, seed: int) -> None:
    """Refuse bad options before the batch starts, not once per problem."""
    from nco.api.schema import Options, validation_error

    try:
        Options(method=method, time_limit=time_limit, seed=seed)
    except ValidationError as exc:
        raise validation_error(exc) from None
