"""Entry points of the refiner: :func:`refine` (rich result) and :func:`solve` (registry "ga").

The clock starts when the caller builds the stopping criterion; seeding (policy inference
included) runs on that same clock, so a time limit covers everything after the matrix exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from nco.instance import Instance
from nco.refine.genetic import Callback, GeneticAlgorithm, GeneticParams, Routes
from nco.refine.result import Result
from nco.refine.seeds import SeedFn, default_seeds
from nco.solution import Solution
from nco.stop import MaxRuntime


def refine(
    instance: Instance,
    stop: Callable[[float], bool],
    seed: int = 0,
    seeds: SeedFn | Sequence[Routes] | None = None,
    params: GeneticParams = GeneticParams(),
    callback: Callback | None = None,
) -> Result:
    """Improve seed solutions of ``instance`` with hybrid genetic search until ``stop``.

    Parameters
    ----------
    instance
        ACVRP, ATSP (one vehicle, zero demands) or ACVRPTW.
    stop
        :class:`nco.stop.MaxRuntime` (wall clock from its construction, seeding included) or
        :class:`nco.stop.MaxIterations` (educations; seeded and deterministic).
    seed
        Seeds the seed function and the search.
    seeds
        A seed function (:data:`nco.refine.seeds.SeedFn`) asked for ``params.num_seeds``
        solutions within ``params.seed_share`` of the time limit, or ready-made route sets.
        Defaults to :func:`nco.refine.seeds.default_seeds` (the policy when one ships).
    params
        Algorithm settings; see :class:`GeneticParams` for the defaults.
    callback
        Called with ``(seconds, best cost)`` at every improvement (anytime use).

    Returns
    -------
    Result
        The best solution (never worse than the best feasible seed), the anytime curve and
        statistics. A budget of 0 returns the best seed as given.
    """
    start = getattr(stop, "start", None) or time.perf_counter()
    seeds = default_seeds() if seeds is None else seeds
    if callable(seeds):
        remaining = getattr(stop, "remaining", None)  # time-based criteria only
        limit = None if remaining is None else params.seed_share * remaining()
        seeds = seeds(instance, params.num_seeds, seed, limit)
    seeding = time.perf_counter() - start
    result = GeneticAlgorithm(instance, params, seed).run(stop, seeds, start, callback)
    result.timings["seeding"] = seeding
    return result


def solve(
    instance: Instance, time_limit: float, seed: int = 0, initial: list[list[int]] | None = None
) -> Solution:
    """The refiner behind the common solver signature (registry name ``"ga"``).

    Parameters
    ----------
    instance
        The instance to solve.
    time_limit
        Wall-clock seconds, seeding included.
    seed
        Random seed.
    initial
        Optional routes (customers ``1..n``) to warm-start from, added to the default seeds.
    """
    stop = MaxRuntime(time_limit)
    seed_fn = default_seeds()

    def with_initial(inst: Instance, k: int, s: int, limit: float | None) -> list[Routes]:
        extra = [initial] if initial else []
        return extra + seed_fn(inst, k, s, limit)

    result = refine(instance, stop, seed, with_initial)
    solution = result.solution
    solution.stats.update(seed_costs=result.seed_costs, timings=result.timings)
    return solution
