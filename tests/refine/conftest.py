"""In-memory asymmetric instances for the refiner tests: CVRP, ATSP and CVRP with windows."""

from __future__ import annotations

import numpy as np
import pytest

from nco.instance import Instance


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
