"""Stopping criteria: small objects a caller passes to a search (PyVRP's design).

A criterion is called with the best cost so far and answers whether to stop. This is how a
time budget travels through nco: the API builds one, the refiner and baselines obey it.
:class:`StoppingCriterion` declares everything a search may ask of one.
"""

from __future__ import annotations

import math
import time
from typing import Protocol


class StoppingCriterion(Protocol):
    """What nco's searches ask of a stopping criterion.

    Attributes
    ----------
    start
        ``time.perf_counter()`` when the budget began: work done before the search (seeding,
        building its data) is on the same clock.
    """

    start: float

    def __call__(self, best_cost: float | None = None) -> bool:
        """Whether to stop now (PyVRP's protocol: it may count calls)."""
        ...

    def remaining(self) -> float:
        """Seconds left; ``math.inf`` for criteria that are not about time."""
        ...


class MaxRuntime:
    """Stop once ``seconds`` of wall-clock time have passed since ``start``.

    Parameters
    ----------
    seconds
        The budget; 0 stops at the first check.
    start
        ``time.perf_counter()`` at which the clock began; now by default.
    """

    def __init__(self, seconds: float, start: float | None = None):
        if seconds < 0:
            raise ValueError(f"time limit must be >= 0, got {seconds}")
        self.seconds = float(seconds)
        self.start = time.perf_counter() if start is None else start

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def remaining(self) -> float:
        return max(0.0, self.seconds - self.elapsed())

    def __call__(self, best_cost: float | None = None) -> bool:
        return self.elapsed() >= self.seconds


class MaxIterations:
    """Stop after ``iterations`` calls: deterministic, for tests and reproducible runs."""

    def __init__(self, iterations: int):
        if iterations < 0:
            raise ValueError(f"iterations must be >= 0, got {iterations}")
        self.iterations = iterations
        self.count = 0
        self.start = time.perf_counter()

    def remaining(self) -> float:
        return math.inf

    def __call__(self, best_cost: float | None = None) -> bool:
        self.count += 1
        return self.count > self.iterations
