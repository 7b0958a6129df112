"""Where the initial population comes from: a start source ``(instance, k, seed, time_limit)``.

The genetic algorithm takes any :class:`StartSource`, so the policy, a construction heuristic
or random tours plug in the same way, and the benchmark can compare them on equal terms.
Every starting solution says where it came from (:class:`Start`), so that a report can give
the policy's own cost without knowing how a source orders its starts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from nco.errors import InputError
from nco.instance import Instance
from nco.refine.split import split
from nco.solution import Routes

if TYPE_CHECKING:
    from nco.policies.inference import PolicySolver



class Start(NamedTuple):
    """One starting solution and its origin: ``"savings"``, ``"nearest_neighbour"``,
    ``"policy"``, ``"random"``, or ``"given"`` for routes handed to the refiner as they are."""

    routes: Routes
    origin: str


class StartSource(Protocol):
    """``source(instance, k, seed, time_limit)``: up to ``k`` starts, best guess first.

    ``time_limit`` is the seconds computing them may take (``None``: no limit). A source returns
    at least one start for ``k >= 1`` unless even that would not fit the limit (the policy on a
    large instance); the refiner then starts from random tours. :func:`policy_starts` with
    ``construction=True`` puts savings in front of the policy's ``k``.
    """

    def __call__(self, instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Start]: ...


def random_starts(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Start]:
    """``k`` uniformly random giant tours, each split into capacity-respecting routes."""
    rng = np.random.default_rng(seed)
    customers = np.arange(1, instance.num_customers + 1)
    return [Start(split(instance, rng.permutation(customers), 0.0, max_overload=1.0), "random") for _ in range(k)]


def construction_starts(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Start]:
    """Starts without a policy: Clarke-Wright savings, nearest neighbour, then random tours.

    The two heuristics are :mod:`nco.baselines`'; one that finds nothing feasible (too many
    routes for the fleet) is skipped. Savings always runs (it is what nco promises never to
    lose to); nearest neighbour only when ``time_limit`` allows twice what savings took; random
    tours (split only, milliseconds) fill up to ``k``.
    """
    from nco.baselines.heuristics import nearest_neighbour, savings

    if k < 1:
        return []
    start = time.perf_counter()
    built = [Start(savings(instance).routes, "savings")]
    if k > 1 and (time_limit is None or 2 * (time.perf_counter() - start) < time_limit):
        built.append(Start(nearest_neighbour(instance).routes, "nearest_neighbour"))
    built = [start for start in built if start.routes]
    return built + random_starts(instance, k - len(built), seed)


def savings_start(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Start]:
    """Clarke-Wright savings alone (for ``k >= 1``): what ``nco`` starts from when the policy
    cannot fit, as fast to build as any start and what nco promises never to lose to."""
    return construction_starts(instance, min(k, 1), seed, time_limit)


def policy_starts(
    policy: PolicySolver | None = None, construction: bool = True, fallback: StartSource | None = construction_starts
) -> StartSource:
    """Starts from the trained policy, best first, within the time limit.

    Parameters
    ----------
    policy
        A loaded policy; by default the shipped checkpoint for the instance's problem
        (:func:`nco.policies.checkpoint.shipped_policy`, loaded once per process).
    construction
        Put Clarke-Wright savings first (what ``nco`` promises never to lose to) and give the
        policy what is left of the time; False for the policy alone (benchmark arms).
    fallback
        Used when the policy cannot help (time windows, which it does not model); ``None``
        lets the policy's :class:`~nco.errors.InputError` through.
    """

    def source(instance: Instance, k: int, seed: int = 0, time_limit: float | None = None) -> list[Start]:
        from nco.policies.checkpoint import shipped_policy  # torch: loaded only when asked for
        from nco.policies.inference import problem_of

        start = time.perf_counter()
        try:
            problem = problem_of(instance)  # refuses time windows
            solver = policy or shipped_policy(problem)
        except InputError:
            if fallback is None:
                raise
            return fallback(instance, k, seed, time_limit)
        built = savings_start(instance, 1, seed, time_limit) if construction else []
        left = None if time_limit is None else max(0.0, time_limit - (time.perf_counter() - start))
        return built + [Start(routes, "policy") for routes in solver.solutions(instance, k, seed, left)]

    return source
