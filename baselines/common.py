"""Small helpers shared by the baseline solvers."""

from __future__ import annotations

from collections.abc import Sequence

from nco.errors import InputError
from nco.instance import Instance
from nco.solution import Solution, SolveStats


def no_solution(solver: str, runtime: float, reason: str) -> Solution:
    """The answer of a solver that found nothing feasible: no routes, ``cost=None``.

    ``reason`` lands in ``stats.reason`` so that reports can say why.
    """
    return Solution([], None, solver, float(runtime), SolveStats(reason=reason))


def checked_initial(instance: Instance, initial: Sequence[Sequence[int]] | None) -> list[list[int]]:
    """The non-empty routes of a warm start, refusing nodes that are not customers.

    Feasibility is not required (a search may repair it), but every node must be one of the
    customers ``1..n``, each at most once.

    Raises
    ------
    InputError
        Naming the offending route and node.
    """
    routes = [[int(c) for c in route] for route in initial or [] if len(route)]
    seen: set[int] = set()
    for r, route in enumerate(routes):
        for c in route:
            if not 1 <= c <= instance.num_customers or c in seen:
                problem = "repeated" if c in seen else f"not a customer (1..{instance.num_customers})"
                raise InputError(f"initial[{r}]", f"node {c} is {problem}")
            seen.add(c)
    return routes
