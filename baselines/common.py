"""Small helpers shared by the baseline solvers."""

from __future__ import annotations

from nco.solution import Solution


def no_solution(solver: str, runtime: float, reason: str) -> Solution:
    """The answer of a solver that found nothing feasible: no routes, ``cost=None``.

    ``reason`` lands in ``stats["reason"]`` so that reports can say why.
    """
    return Solution([], None, solver, float(runtime), {"reason": reason})
