"""Where the initial population comes from: a seed function ``(instance, k, seed, time_limit)``.

The genetic algorithm takes any :data:`SeedFn`, so the policy, a construction heuristic or
random tours plug in the same way, and the benchmark can compare them on equal terms.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from nco.errors import InputError
from nco.instance import Instance
from nco.refine.split import split

Routes = list[list[int]]
SeedFn = Callable[[Instance, int, int, float | None], list[Routes]]
"""``seed_fn(instance, k, seed, time_limit)`` returns up to ``k`` route sets, best guess
first. ``time_limit`` is the seconds seeding may take (``None``: no limit); a seed function
always returns at least one solution, however small the limit."""

# Rollouts per sampling round of the policy under a time limit; each round adds its best.
SAMPLES_PER_ROUND = 16
# Torch threads for seeding. Decoding is a long chain of small steps: on a busy 2-core machine
# a second thread made a greedy rollout at n = 100 take 5 s instead of 0.05 s.
INFERENCE_THREADS = 1


def random_seeds(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Routes]:
    """``k`` uniformly random giant tours, each split into capacity-respecting routes."""
    rng = np.random.default_rng(seed)
    customers = np.arange(1, instance.num_customers + 1)
    return [split(instance, rng.permutation(customers), 0.0, max_overload=1.0) for _ in range(k)]


def construction_seeds(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Routes]:
    """Seeds without a policy: Clarke-Wright savings, nearest neighbour, then random tours.

    The two heuristics are :mod:`nco.baselines`'; one that finds nothing feasible (too many
    routes for the fleet) is skipped. All are fast enough to ignore ``time_limit``.
    """
    from nco.baselines.heuristics import nearest_neighbour, savings

    built = [heuristic(instance).routes for heuristic in (savings, nearest_neighbour)][:k]
    built = [routes for routes in built if routes]
    return built + random_seeds(instance, k - len(built), seed)


def policy_seeds(path: str | Path | None = None, fallback: SeedFn | None = construction_seeds) -> SeedFn:
    """Seeds from the trained policy, best first.

    Without a time limit: the policy's ``k`` best distinct solutions (greedy, multistart and
    sampling). With one: the greedy rollout, then rounds of :data:`SAMPLES_PER_ROUND` samples
    (each adding its best, when new) while another round fits, up to ``k`` seeds; on a CPU a
    full ``best_k`` takes seconds at n = 500, more than a whole budget.

    Parameters
    ----------
    path
        A policy checkpoint; ``None`` for the shipped one. Loaded on the first call, then kept.
    fallback
        Used when the policy cannot help (no checkpoint, or time windows, which it does not
        model); ``None`` lets the policy's :class:`~nco.errors.InputError` through.
    """
    policy = None

    def seed_fn(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Routes]:
        nonlocal policy
        try:
            if policy is None:
                from nco import load_policy  # torch is heavy: load it only when asked for

                policy = load_policy(path)
            with _torch_threads(INFERENCE_THREADS):
                if time_limit is None:
                    return policy.best_k(instance, k, seed=seed)
                return sampled_seeds(policy, instance, k, seed, time_limit)
        except InputError:
            if fallback is None:
                raise
            return fallback(instance, k, seed, time_limit)

    return seed_fn


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def sampled_seeds(policy, instance: Instance, k: int, seed: int, time_limit: float) -> list[Routes]:
    """Up to ``k`` distinct policy solutions within ``time_limit`` seconds, best first.

    The greedy rollout always runs; rounds of :data:`SAMPLES_PER_ROUND` samples follow while
    another round is expected to fit. ``policy`` is a loaded policy (``nco.load_policy()``).
    """
    start = time.perf_counter()
    found = {}  # the same routes in another order are the same solution
    decode = "greedy"
    for r in range(4 * k):  # distinct samples run out on tiny instances
        solution = policy.solve(instance, decode, seed + r)[0]
        found.setdefault(tuple(sorted(map(tuple, solution.routes))), (solution.cost, solution.routes))
        elapsed = time.perf_counter() - start
        # Stop when another round like the average one would not fit.
        if len(found) >= k or elapsed * (r + 2) / (r + 1) > time_limit:
            break
        decode = f"sample:{SAMPLES_PER_ROUND}"
    return [routes for _, routes in sorted(found.values(), key=lambda item: item[0])]


def default_seeds() -> SeedFn:
    """The refiner's seeds unless told otherwise: the policy's, else construction seeds."""
    return policy_seeds()
