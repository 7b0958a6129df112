"""Small random asymmetric instances (in memory) for the baseline tests."""

from __future__ import annotations

import numpy as np
import pytest

from nco.instance import Instance


def random_instance(
    n: int, seed: int = 0, time_windows: bool = False, num_vehicles: int | None = None, capacity: int = 40
) -> Instance:
    """Points in a 10 km square, road distances 0-40 % longer than straight lines, per direction."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (n + 1, 2))
    straight = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    distances = np.rint(straight * rng.uniform(1.0, 1.4, straight.shape)).astype(np.int64)
    np.fill_diagonal(distances, 0)
    durations = distances // 10  # 36 km/h
    demands = rng.integers(1, 10, n + 1)
    demands[0] = 0
    windows = service = None
    if time_windows:
        service = np.full(n + 1, 300)
        service[0] = 0
        early = rng.integers(0, 4 * 3600, n + 1)
        late = np.maximum(early + 3600, durations[0])
        horizon = int(late.max() + service.max() + durations[:, 0].max())
        early[0], late[0] = 0, horizon
        windows = np.stack([early, late], axis=1)
    return Instance(
        distances=distances,
        durations=durations,
        demands=demands,
        capacity=capacity,
        num_vehicles=num_vehicles,
        time_windows=windows,
        service_times=service,
        name=f"random-n{n}-s{seed}{'-tw' if time_windows else ''}",
    )


@pytest.fixture
def make_instance():
    return random_instance
