"""The independent validator: numpy only, shared by every solver, env and the API.

It deliberately re-derives everything from the instance and the raw routes, so that no
solver, environment or policy can pass off its own (possibly buggy) cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from nco.errors import NcoError
from nco.instance import DEPOT, Instance
from nco.solution import Solution, SolveStats


@dataclass
class Report:
    """What :func:`validate` found.

    Attributes
    ----------
    distance
        Total driven distance in metres (the objective, ``cost``).
    duration
        Total route time in seconds: driving, waiting and service, depot to depot.
    violations
        Human-readable reasons the routes are infeasible; empty when feasible.
    """

    distance: int = 0
    duration: int = 0
    violations: list[str] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def cost(self) -> int:
        """The objective nco minimises: total distance in metres."""
        return self.distance


class InfeasibleSolution(NcoError):
    """A solver returned routes that break the instance's constraints."""

    def __init__(self, report: Report):
        super().__init__("; ".join(report.violations))
        self.report = report


def validate(instance: Instance, routes: Sequence[Sequence[int]]) -> Report:
    """Check ``routes`` against ``instance`` and compute their cost.

    Parameters
    ----------
    instance
        The instance the routes claim to solve.
    routes
        Customer indices (``1..n``) per vehicle; empty routes are ignored.

    Returns
    -------
    Report
        Distance and duration, and every violation found: customers missing, repeated or
        out of range, a depot inside a route, capacity exceeded, a late arrival, a return
        after the depot closes, or more routes than vehicles.
    """
    report = Report()
    n = instance.num_customers
    used = [list(route) for route in routes if len(route)]
    seen = np.zeros(n + 1, np.int64)
    for r, given in enumerate(used):
        route = [_customer(c, n) for c in given]
        if None in route:
            report.violations.append(f"route {r}: node {given[route.index(None)]} is not a customer (1..{n})")
            continue
        np.add.at(seen, route, 1)
        path = np.array([DEPOT, *route, DEPOT])
        report.distance += int(instance.distances[path[:-1], path[1:]].sum())
        load = int(instance.demands[route].sum())
        if load > instance.capacity:
            report.violations.append(f"route {r}: load {load} exceeds capacity {instance.capacity}")
        report.duration += _route_duration(instance, path, r, report.violations)
    repeated = np.flatnonzero(seen[1:] > 1) + 1
    missing = np.flatnonzero(seen[1:] == 0) + 1
    if repeated.size:
        report.violations.append(f"customers visited more than once: {repeated[:10].tolist()}")
    if missing.size:
        report.violations.append(f"customers not visited: {missing[:10].tolist()}")
    if instance.num_vehicles is not None and len(used) > instance.num_vehicles:
        report.violations.append(f"{len(used)} routes exceed the {instance.num_vehicles} vehicles")
    return report


def check(instance: Instance, routes: Sequence[Sequence[int]]) -> Report:
    """Like :func:`validate` but raise :class:`InfeasibleSolution` on any violation."""
    report = validate(instance, routes)
    if not report.feasible:
        raise InfeasibleSolution(report)
    return report


def _customer(node: object, n: int) -> int | None:
    """``node`` as a customer index, or None when it is not an integer in ``1..n``.

    Checked rather than cast with ``int()``, which would silently read 1.7 as customer 1.
    """
    try:
        value = float(node)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() and 1 <= value <= n else None


def _route_duration(instance: Instance, path: np.ndarray, r: int, violations: list[str]) -> int:
    """Simulate one route in time (waiting allowed) and return depot-to-depot seconds."""
    service = instance.service
    if instance.time_windows is None:
        driving = instance.durations[path[:-1], path[1:]].sum()
        return int(driving + service[path[1:-1]].sum())
    early, late = instance.time_windows[:, 0], instance.time_windows[:, 1]
    start = time = int(early[DEPOT])
    for prev, node in zip(path[:-1], path[1:]):
        time = max(time + int(service[prev]) + int(instance.durations[prev, node]), int(early[node]))
        if time > late[node]:
            where = "returns to the depot" if node == DEPOT else f"reaches customer {node}"
            violations.append(f"route {r}: {where} at {time}, after its late time {late[node]}")
            break
    return time - start


def validated_solution(
    instance: Instance,
    routes: Sequence[Sequence[int]],
    solver: str,
    runtime: float,
    stats: SolveStats | None = None,
) -> Solution:
    """Build the :class:`Solution` a solver returns, with the validator's cost.

    Every solver ends with this call, so nothing leaves nco unchecked.

    Raises
    ------
    InfeasibleSolution
        When the routes violate the instance.
    """
    report = check(instance, routes)
    clean = [[int(c) for c in route] for route in routes if len(route)]
    return Solution(clean, float(report.cost), solver, float(runtime), stats or SolveStats())
