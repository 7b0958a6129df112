"""Where the initial population comes from: a seed function ``(instance, k, seed) -> routes``.

The genetic algorithm takes any :data:`SeedFn`, so the policy, a construction heuristic or
random tours plug in the same way, and the benchmark can compare them on equal terms.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from nco.errors import InputError
from nco.instance import Instance
from nco.refine.split import split

Routes = list[list[int]]
SeedFn = Callable[[Instance, int, int], list[Routes]]
"""``seed_fn(instance, k, seed)`` returns up to ``k`` route sets, best guess first."""


def random_seeds(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
    """``k`` uniformly random giant tours, each split into capacity-respecting routes."""
    rng = np.random.default_rng(seed)
    customers = np.arange(1, instance.num_customers + 1)
    return [split(instance, rng.permutation(customers), 0.0, max_overload=1.0) for _ in range(k)]


def construction_seeds(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
    """Seeds without a policy: Clarke-Wright savings, nearest neighbour, then random tours.

    The two heuristics are :mod:`nco.baselines`'; one that finds nothing feasible (too many
    routes for the fleet) is skipped.
    """
    from nco.baselines.heuristics import nearest_neighbour, savings

    built = [heuristic(instance).routes for heuristic in (savings, nearest_neighbour)][:k]
    built = [routes for routes in built if routes]
    return built + random_seeds(instance, k - len(built), seed)


def policy_seeds(path: str | Path | None = None, fallback: SeedFn | None = construction_seeds) -> SeedFn:
    """Seeds from the trained policy: its ``k`` best distinct solutions, best first.

    Parameters
    ----------
    path
        A policy checkpoint; ``None`` for the shipped one. Loaded on the first call, then kept.
    fallback
        Used when the policy cannot help (no checkpoint, or time windows, which it does not
        model); ``None`` lets the policy's :class:`~nco.errors.InputError` through.
    """
    policy = None

    def seed_fn(instance: Instance, k: int, seed: int = 0) -> list[Routes]:
        nonlocal policy
        try:
            if policy is None:
                from nco import load_policy  # torch is heavy: load it only when asked for

                policy = load_policy(path)
            return policy.best_k(instance, k, seed=seed)
        except InputError:
            if fallback is None:
                raise
            return fallback(instance, k, seed)

    return seed_fn


def default_seeds() -> SeedFn:
    """The refiner's seeds unless told otherwise: the policy's, else construction seeds."""
    return policy_seeds()
