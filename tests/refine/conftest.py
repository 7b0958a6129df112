"""In-memory instances for the refiner tests (CVRP, ATSP, CVRP with windows, a hand-checkable
line, an unsolvable one) and the helpers several test files share."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from nco.instance import Instance
from nco.pyvrp_bridge import to_problem_data, to_pyvrp_solution
from nco.refine.education import Education
from nco.refine.genetic import GeneticParams
from nco.refine.individual import Individual
from nco.refine.penalties import PenaltyManager
from nco.refine.starts import random_starts


def road_matrix(n: int, rng: np.random.Generator) -> np.ndarray:
    """Metres between points in a 5 km square, each direction its own detour factor."""
    xy = rng.uniform(0, 5_000, (n + 1, 2))
    detour = rng.uniform(1.0, 1.5, (n + 1, n + 1))
    matrix = np.rint(np.linalg.norm(xy[:, None] - xy[None], axis=-1) * detour).astype(np.int64)
    np.fill_diagonal(matrix, 0)
    return matrix


@pytest.fixture
def cvrp() -> Instance:
    rng = np.random.default_rng(1)
    demands = rng.integers(1, 8, 41)
    demands[0] = 0
    return Instance(distances=road_matrix(40, rng), demands=demands, capacity=30, name="cvrp40")


@pytest.fixture
def atsp() -> Instance:
    return Instance(distances=road_matrix(25, np.random.default_rng(2)), num_vehicles=1, name="atsp25")


@pytest.fixture
def cvrptw() -> Instance:
    """Windows cut around a known feasible schedule, so the instance has a solution."""
    rng = np.random.default_rng(3)
    n = 30
    distances = road_matrix(n, rng)
    durations = distances // 8  # about 30 km/h
    service = np.full(n + 1, 120)
    service[0] = 0
    early = np.zeros(n + 1, np.int64)
    late = np.zeros(n + 1, np.int64)
    for route in np.array_split(rng.permutation(np.arange(1, n + 1)), 6):
        clock, prev = 0, 0
        for c in route:
            clock += service[prev] + durations[prev, c]
            early[c], late[c] = max(0, clock - 900), clock + 900
            prev = c
    late[0] = int((late + service + durations[:, 0]).max())
    return Instance(
        distances=distances,
        durations=durations,
        demands=np.r_[0, np.ones(n, np.int64)],
        capacity=6,
        time_windows=np.stack([early, late], axis=1),
        service_times=service,
        name="cvrptw30",
    )


@pytest.fixture
def line() -> Instance:
    """Four customers at 10, 20, 30 and 40 m along one road from the depot; demand 1 each,
    capacity 2. Small enough to check costs by hand: route [1, 2] costs 40, [3, 4] costs 80."""
    x = np.array([0, 10, 20, 30, 40])
    return Instance(distances=np.abs(x[:, None] - x[None]), demands=[0, 1, 1, 1, 1], capacity=2, name="line4")


@pytest.fixture
def impossible() -> Instance:
    """Each customer can only be reached in time on its own route, and there is one vehicle."""
    return Instance(
        distances=[[0, 50, 50], [50, 0, 100], [50, 100, 0]],
        demands=[0, 1, 1],
        capacity=4,
        num_vehicles=1,
        time_windows=[[0, 1000], [50, 60], [50, 60]],
    )


@pytest.fixture
def fast() -> GeneticParams:
    """Short mutation bursts keep iteration-limited runs fast; defaults are covered by solve()."""
    return GeneticParams(mutation_steps=10)


def as_individual(instance: Instance, routes: Sequence[Sequence[int]]) -> Individual:
    """``routes`` as an :class:`Individual`, exactly as given (not educated)."""
    return Individual.from_pyvrp(to_pyvrp_solution(to_problem_data(instance), routes), instance.num_customers)


@pytest.fixture
def individual() -> Callable[[Instance, Sequence[Sequence[int]]], Individual]:
    """``individual(instance, routes)``: the routes as an :class:`Individual`, not educated."""
    return as_individual


@pytest.fixture
def educated(cvrp: Instance) -> Callable[..., list[Individual]]:
    """``educated(count, seed=0)``: random starts of ``cvrp`` educated under its initial penalties."""
    education = Education(to_problem_data(cvrp))
    evaluator = PenaltyManager.for_instance(cvrp).cost_evaluator()

    def make(count: int, seed: int = 0) -> list[Individual]:
        return [education(routes, evaluator) for routes, _ in random_starts(cvrp, count, seed=seed)]

    return make
