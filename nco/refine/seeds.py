"""Where the initial population comes from: a seed function ``(instance, k, seed) -> routes``.

The genetic algorithm takes any :data:`SeedFn`, so the policy, a construction heuristic or
random tours plug in the same way, and the benchmark can compare them on equal terms.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from nco.instance import DEPOT, Instance
from nco.refine.split import split

Routes = list[list[int]]
SeedFn = Callable[[Instance, int, int], list[Routes]]
"""``seed_fn(instance, k, seed)`` returns up to ``k`` route sets, best guess first."""


def random_seeds(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
    """``k`` uniformly random giant tours, each split into capacity-respecting routes."""
    rng = np.random.default_rng(seed)
    customers = np.arange(1, instance.num_customers + 1)
    return [split(instance, rng.permutation(customers), 0.0, max_overload=1.0) for _ in range(k)]


def nearest_neighbour_seeds(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
    """``k`` nearest-neighbour giant tours split into routes: the first starts at the depot,
    the others at random customers (the tour wraps around), which makes them distinct."""
    rng = np.random.default_rng(seed)
    n = instance.num_customers
    starts = [DEPOT, *rng.choice(np.arange(1, n + 1), size=min(k, n + 1) - 1, replace=False)]
    return [split(instance, _nearest_neighbour_tour(instance, int(s)), 0.0, max_overload=1.0) for s in starts[:k]]


def _nearest_neighbour_tour(instance: Instance, start: int) -> np.ndarray:
    dist = instance.distances.astype(np.float64)
    visited = np.zeros(instance.num_customers + 1, bool)
    visited[DEPOT] = True
    tour = []
    node = start
    if start != DEPOT:
        visited[start] = True
        tour.append(start)
    for _ in range(instance.num_customers - len(tour)):
        row = np.where(visited, np.inf, dist[node])
        node = int(np.argmin(row))
        visited[node] = True
        tour.append(node)
    return np.array(tour, np.int64)


def construction_seeds(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
    """Seeds without a policy: one nearest-neighbour solution, the rest random tours."""
    return nearest_neighbour_seeds(instance, 1, seed) + random_seeds(instance, k - 1, seed)


def policy_seeds(path: str | Path | None = None) -> SeedFn:
    """Seeds from the trained policy: its ``k`` best distinct solutions (greedy first).

    The policy is loaded on the first call, then kept.
    """
    policy = None

    def seed_fn(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
        nonlocal policy
        if policy is None:
            from nco import load_policy  # torch is heavy: load it only when asked for

            policy = load_policy(path)
        return policy.best_k(instance, k, seed=seed)

    return seed_fn


def default_seeds() -> SeedFn:
    """The seed function the refiner uses unless told otherwise."""
    return construction_seeds
