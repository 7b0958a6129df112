"""Ray as nco's engine for many independent solves: :func:`ray_session` and :func:`map_unordered`.

The same code runs on a laptop (a local Ray started here) and on a multi-node cluster
(``address``). Each task takes one CPU; Ray re-runs a task whose worker process died
(``max_retries``), and results come back to the driver only, so whoever writes them
(the batch's JSONL, the harness's table) sees every task exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nco.errors import NcoError

K = TypeVar("K")
R = TypeVar("R")

# Ray's default: a task whose worker died (killed, out of memory, node lost) runs again up
# to this many times. Exceptions raised by the task itself are not retried: they would
# only fail again.
MAX_RETRIES = 3


@dataclass(frozen=True)
class Finished(Generic[K, R]):
    """One task's outcome, as :func:`map_unordered` hands it back.

    Attributes
    ----------
    key
        The key the task was submitted with.
    value
        What the task returned; ``None`` when it failed.
    error
        Why the task failed: its own exception (re-raised by Ray with the remote
        traceback), or a Ray error such as a worker that died more than ``max_retries``
        times.
    """

    key: K
    value: R | None
    error: Exception | None = None

    def result(self) -> R:
        """The task's return value; raises its error if it failed."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


@contextmanager
def ray_session(workers: int | None = None, address: str | None = None) -> Iterator[int]:
    """Connect to Ray for the duration of the block; yields how many tasks to run at once.

    Parameters
    ----------
    workers
        Tasks to run at once: the CPUs of the local Ray started here (default: all of
        this machine's), or a cap on an existing cluster (default: all its CPUs).
    address
        An existing Ray cluster (``"auto"``, ``"ray://head:10001"``, ``"head:6379"``).
        Without one a local Ray is started and shut down again at the end.

    Notes
    -----
    A Ray this process already connected to (``ray.init`` by the caller) is used as it is
    and left running.

    Raises
    ------
    NcoError
        When ``workers`` is not positive.
    """
    import ray

    if workers is not None and workers < 1:
        raise NcoError(f"workers must be at least 1, got {workers}")
    owned = not ray.is_initialized()
    if owned and address is None:
        # Light start-up: no dashboard, workers' logs stay in Ray's session folder (the
        # answers carry the errors), and only loopback.
        ray.init(
            num_cpus=workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
            _node_ip_address="127.0.0.1",
        )
    elif owned:
        ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        yield min(workers, cpus) if workers else cpus
    finally:
        if owned:
            ray.shutdown()


def map_unordered(
    fn: Callable[..., R],
    tasks: Iterable[tuple[K, tuple[Any, ...]]],
    concurrency: int,
    max_retries: int = MAX_RETRIES,
) -> Iterator[Finished[K, R]]:
    """Run ``fn(*args)`` for each ``(key, args)`` as a 1-CPU Ray task; yield in completion order.

    Needs a connected Ray (see :func:`ray_session`). ``tasks`` is consumed lazily, keeping
    at most ``concurrency`` tasks submitted at a time, so a batch of thousands of problems
    is never all in memory or in Ray's object store at once.

    Parameters
    ----------
    fn
        A module-level function that every worker can import (it is sent by reference).
    tasks
        ``(key, args)`` pairs; keys identify the results and must be unique.
    concurrency
        Tasks submitted at once.
    max_retries
        How often a task runs again when its worker process dies.

    Yields
    ------
    Finished
        One per task, as tasks complete; a failed task does not stop the others.
    """
    import ray

    remote = ray.remote(num_cpus=1, max_retries=max_retries)(fn)
    pending: dict[Any, K] = {}
    queue = iter(tasks)
    exhausted = False
    while pending or not exhausted:
        while not exhausted and len(pending) < concurrency:
            try:
                key, args = next(queue)
            except StopIteration:
                exhausted = True
                break
            pending[remote.remote(*args)] = key
        if not pending:
            break
        [ref], _ = ray.wait(list(pending), num_returns=1)
        key = pending.pop(ref)
        try:
            done = Finished(key, ray.get(ref))
        except Exception as exc:  # the task's own error or Ray's: handed on, not raised here
            done = Finished(key, None, exc)
        yield done
