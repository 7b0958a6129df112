"""Tiny synthetic city pools, so env tests need neither OSRM nor the shipped pools."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest


@dataclass
class TinyPool:
    """Shaped like ``nco.pools.CityPool``: lon/lat points and asymmetric integer matrices."""

    name: str
    coords: np.ndarray
    distances: np.ndarray
    durations: np.ndarray
    card: dict = field(default_factory=dict)


def make_pool(name: str, points: int, seed: int) -> TinyPool:
    """Random points in a ~5 km box; road metres = straight line x a random asymmetric detour
    (so the triangle inequality may fail, as it can on snapped OSRM matrices)."""
    rng = np.random.default_rng(seed)
    coords = np.c_[rng.uniform(-8.65, -8.60, points), rng.uniform(41.14, 41.18, points)]
    xy = coords * [111_320 * np.cos(np.deg2rad(41.16)), 110_570]
    straight = np.linalg.norm(xy[:, None] - xy[None], axis=-1)
    distances = np.rint(straight * rng.uniform(1.1, 1.8, (points, points))).astype(np.int64)
    durations = np.rint(distances / rng.uniform(4, 14, (points, points))).astype(np.int64)
    np.fill_diagonal(distances, 0)
    np.fill_diagonal(durations, 0)
    return TinyPool(name, coords, distances, durations)


@pytest.fixture(scope="session")
def pools() -> list[TinyPool]:
    """Two small cities of different sizes."""
    return [make_pool("alpha", 60, 1), make_pool("beta", 45, 2)]


@pytest.fixture(scope="session")
def big_pool() -> TinyPool:
    """A city large enough for clusters to show."""
    return make_pool("gamma", 400, 3)
