"""Sub-instances of the city pools as stacked integer arrays: :func:`sample_instances`.

Each instance takes ``n + 1`` distinct points of one city pool (the first is the depot) and
slices the pool's OSRM matrices, so every instance lives on the real road network. Points
are drawn uniformly or clustered around a few random centres, as in RRNCO. Numpy only:
:class:`~nco.envs.generator.CityGenerator` wraps this for rl4co, and ``scripts/gpu_train.py``
calls it directly on machines without rl4co.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from nco.errors import InputError

# (customers, capacity) anchors; capacities in between are interpolated linearly.
CAPACITY_BY_SIZE = ((20, 30), (50, 40), (100, 50), (200, 70), (500, 100))
DEMAND_RANGE = (1, 9)
MODES = ("uniform", "clustered", "mixed")

# Time windows (seconds): an 8-hour day (longer where the city needs it), 5-15 minutes of
# service and windows of 1-3 hours, each placed where a vehicle can reach it and get back.
DAY = 8 * 3600
SERVICE_RANGE = (300, 900)
WINDOW_RANGE = (3600, 3 * 3600)

# Clustered mode: 3-8 centres, spread 3-8 % of the city's extent around each.
CENTRES_RANGE = (3, 8)
SPREAD_RANGE = (0.03, 0.08)
# Weight floor relative to a cluster centre, so that large instances still fill up
# (with points anywhere in the city) once the clusters' neighbourhoods run out.
FLOOR = 1e-4


class Pool(Protocol):
    """What sampling needs from a city pool (``nco.pools.CityPool``)."""

    name: str
    coords: np.ndarray
    distances: np.ndarray
    durations: np.ndarray


@dataclass
class Sample:
    """Instances cut from city pools, stacked.

    Attributes
    ----------
    arrays
        The keyword arguments of :func:`~nco.envs.convert.arrays_to_tensors`: ``distances``,
        ``durations``, ``demands``, ``capacity`` and ``coords``, plus ``service_times`` and
        ``time_windows`` for ACVRPTW.
    cities
        The pool each instance was cut from.
    modes
        ``"uniform"`` or ``"clustered"`` per instance.
    nodes
        ``(B, n + 1)`` the pool points of each instance, depot first.
    """

    arrays: dict[str, np.ndarray]
    cities: list[str]
    modes: list[str]
    nodes: np.ndarray


def capacity_for(num_customers: int) -> int:
    """Vehicle capacity for ``num_customers`` (30/40/50/70/100 at 20/50/100/200/500)."""
    sizes, capacities = zip(*CAPACITY_BY_SIZE)
    return int(round(float(np.interp(num_customers, sizes, capacities))))


def vehicle_capacity(problem: str, num_customers: int) -> int:
    """:func:`capacity_for`, or 1 for ATSP: one vehicle with nothing to carry."""
    return 1 if problem == "atsp" else capacity_for(num_customers)


def load_pools(pools: Sequence[str | Pool] | None = None) -> list[Pool]:
    """Load the pools named in ``pools`` (loaded ones pass through); by default the training
    cities of ``nco.pools.split()``, never the held-out ones."""
    from nco import pools as city_pools  # the pools package loads data; import it on use

    if pools is None:
        pools = city_pools.split()["train"]
    loaded = [city_pools.load_pool(p) if isinstance(p, str) else p for p in pools]
    if not loaded:
        raise InputError("pools", "no city pools given")
    return loaded


def sample_instances(
    pools: Sequence[Pool], num_loc: int, count: int, problem: str, mode: str, rng: np.random.Generator
) -> Sample:
    """Draw ``count`` instances of ``num_loc`` customers, each from one random pool.

    Parameters
    ----------
    pools
        Loaded city pools (:func:`load_pools`).
    num_loc
        Customers per instance; each has ``num_loc + 1`` nodes.
    count
        Number of instances.
    problem
        ``"acvrp"``, ``"atsp"`` (no demands) or ``"acvrptw"`` (adds feasible time windows).
    mode
        One of :data:`MODES`; ``"mixed"`` picks uniform or clustered per instance.
    rng
        The random stream; the same stream state gives the same instances.

    Raises
    ------
    InputError
        When a pool has fewer than ``num_loc + 1`` points.
    """
    size = num_loc + 1
    small = [pool.name for pool in pools if len(pool.coords) < size]
    if small:
        raise InputError("num_loc", f"{size} nodes do not fit in the pool(s) {small}")
    city = rng.integers(len(pools), size=count)
    if mode == "mixed":
        clustered = rng.random(count) < 0.5
    else:
        clustered = np.full(count, mode == "clustered")
    nodes = np.zeros((count, size), np.int64)
    distances = np.zeros((count, size, size), np.int64)
    durations = np.zeros((count, size, size), np.int64)
    coords = np.zeros((count, size, 2))
    for c, pool in enumerate(pools):  # a handful of cities; the batch work is numpy
        rows = np.flatnonzero(city == c)
        if not rows.size:
            continue
        picked = _sample_nodes(pool.coords, size, clustered[rows], rng)
        nodes[rows] = picked
        distances[rows] = pool.distances[picked[:, :, None], picked[:, None, :]]
        durations[rows] = pool.durations[picked[:, :, None], picked[:, None, :]]
        coords[rows] = pool.coords[picked]
    demands = np.zeros((count, size), np.int64)
    if problem != "atsp":
        demands[:, 1:] = rng.integers(DEMAND_RANGE[0], DEMAND_RANGE[1] + 1, (count, size - 1))
    arrays = {
        "distances": distances,
        "durations": durations,
        "demands": demands,
        "capacity": np.full(count, vehicle_capacity(problem, num_loc)),
        "coords": coords,
    }
    if problem == "acvrptw":
        arrays["service_times"], arrays["time_windows"] = _time_windows(durations, rng)
    return Sample(
        arrays=arrays,
        cities=[pools[c].name for c in city],
        modes=["clustered" if flag else "uniform" for flag in clustered],
        nodes=nodes,
    )


def _sample_nodes(coords: np.ndarray, size: int, clustered: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pick ``size`` distinct pool points per instance: a random one of them as the depot,
    then the customers in pool order.

    Weighted sampling without replacement by Gumbel top-k: uniform weights for uniform
    instances, a Gaussian mixture around random pool points for clustered ones. Customer
    order carries no meaning; pool order (which is spatial) makes saved matrices compress.
    """
    count, points = len(clustered), len(coords)
    log_weight = np.zeros((count, points))
    if clustered.any():
        log_weight[clustered] = _cluster_log_weights(coords, int(clustered.sum()), rng)
    keys = log_weight + rng.gumbel(size=(count, points))
    top = rng.permuted(np.argpartition(-keys, size - 1, axis=1)[:, :size], axis=1)
    return np.c_[top[:, :1], np.sort(top[:, 1:], axis=1)]


def _cluster_log_weights(coords: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    # Equirectangular projection to kilometres: plenty accurate within one city.
    lat0 = np.deg2rad(coords[:, 1].mean())
    xy = np.c_[coords[:, 0] * 111.32 * np.cos(lat0), coords[:, 1] * 110.57]
    extent = max(float(np.ptp(xy, axis=0).max()), 1e-6)
    num_centres = rng.integers(CENTRES_RANGE[0], CENTRES_RANGE[1] + 1, count)
    centres = rng.integers(len(coords), size=(count, CENTRES_RANGE[1]))
    spread = rng.uniform(*SPREAD_RANGE, (count, 1, 1)) * extent
    sq = ((xy[centres][:, :, None, :] - xy[None, None, :, :]) ** 2).sum(-1)  # (count, K, P)
    log_kernel = -sq / (2 * spread**2)
    log_kernel[np.arange(CENTRES_RANGE[1])[None, :] >= num_centres[:, None]] = -np.inf
    peak = np.logaddexp.reduce(log_kernel, axis=1)
    return np.logaddexp(peak, np.log(FLOOR))


def _time_windows(durations: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Service times and windows such that every customer has a feasible depot round trip.

    With unlimited vehicles that makes the instance feasible (one route per customer); the
    windows sit anywhere between the earliest arrival and the latest start that still
    returns before the depot closes.
    """
    count, size = durations.shape[:2]
    service = rng.integers(SERVICE_RANGE[0], SERVICE_RANGE[1] + 1, (count, size))
    service[:, 0] = 0
    out, back = durations[:, 0, :], durations[:, :, 0]
    horizon = np.maximum(DAY, (out + service + back).max(1))
    earliest = out
    latest = horizon[:, None] - service - back
    centre = rng.integers(earliest, latest + 1)
    width = rng.integers(WINDOW_RANGE[0], WINDOW_RANGE[1] + 1, (count, size))
    windows = np.stack(
        [np.maximum(0, centre - width // 2), np.minimum(latest, centre + width - width // 2)], -1
    )
    windows[:, 0] = np.stack([np.zeros(count, np.int64), horizon], -1)
    return service, windows
