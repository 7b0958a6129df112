"""Stopping criteria: small objects a caller passes to a search (PyVRP's design).

A criterion is called with the best cost so far and answers whether to stop. This is how a
time budget travels through nco: the API builds one, the refiner and baselines obey it.
"""

from __future__ import annotations

import time


class MaxRuntime:
    """Stop once ``seconds`` of wall-clock time have passed since construction.

    Parameters
    ----------
    seconds
        The budget; 0 stops at the first check.
    """

    def __init__(self, seconds: float):
        if seconds < 0:
            raise ValueError(f"time limit must be >= 0, got {seconds}")
        self.seconds = float(seconds)
        self.start = time.perf_counter()

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

    def __call__(self, best_cost: float | None = None) -> bool:
        self.count += 1
        return self.count > self.iterations
