"""Entry points of the refiner: :func:`refine` (rich result) and :func:`solve` (registry "ga").

The clock starts when the caller builds the stopping criterion; seeding (policy inference
included) runs on that same clock, so a time limit covers everything after the matrix exists.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from nco.baselines.common import no_solution
from nco.errors import NcoError
from nco.instance import Instance
from nco.refine.genetic import Callback, GeneticAlgorithm, GeneticParams
from nco.refine.result import Result
from nco.refine.seeds import SeedSource, policy_seeds
from nco.solution import Routes, Solution
from nco.stop import MaxRuntime, StoppingCriterion
from nco.validate import validate, validated_solution

# Seconds per (n + 1)**2 before the genetic search can start; below that much time left, the
# best seed is the answer (the C++ set-up cannot be interrupted).
GA_STARTUP_SECONDS = 4e-7


def refine(
    instance: Instance,
    stop: StoppingCriterion,
    seed: int = 0,
    seeds: SeedSource | Sequence[Routes] | None = None,
    params: GeneticParams = GeneticParams(),
    callback: Callback | None = None,
) -> Result:
    """Improve seed solutions of ``instance`` with hybrid genetic search until ``stop``.

    Parameters
    ----------
    instance
        ACVRP, ATSP (one vehicle, zero demands) or ACVRPTW.
    stop
        :class:`nco.stop.MaxRuntime` (wall clock from its ``start``, seeding included) or
        :class:`nco.stop.MaxIterations` (educations; seeded and deterministic).
    seed
        Seeds the seed source and the search.
    seeds
        A seed source (:class:`nco.refine.seeds.SeedSource`) asked for ``params.num_seeds``
        solutions within ``params.seed_share`` of the time left, or ready-made route sets.
        Defaults to :func:`nco.refine.seeds.policy_seeds` (savings, then the shipped policy).
    params
        Algorithm settings; see :class:`GeneticParams` for the defaults.
    callback
        Called with ``(seconds, best cost)`` at every improvement (anytime use).

    Returns
    -------
    Result
        The best solution (never worse than the best feasible seed), the anytime curve and
        statistics. A budget of 0 returns the best seed as given.

    Raises
    ------
    NcoError
        When no seed was feasible and the search found nothing feasible in time.
    """
    seeds = policy_seeds() if seeds is None else seeds
    if callable(seeds):
        left = stop.remaining()
        seeds = seeds(instance, params.num_seeds, seed, None if math.isinf(left) else params.seed_share * left)
    seeding = time.perf_counter() - stop.start
    result = _best_seed(instance, seeds, stop) if stop.remaining() < startup_seconds(instance) else None
    if result is None:  # time for a search, or no feasible seed to fall back on
        result = GeneticAlgorithm(instance, params, seed).run(stop, seeds, callback)
    result.timings["seeding"] = seeding
    return result


def startup_seconds(instance: Instance) -> float:
    """Expected seconds before the search's first iteration: PyVRP's data and granular
    neighbourhoods, O(n**2) (measured 0.4 s at n = 1000 on a loaded 2-core VM)."""
    return GA_STARTUP_SECONDS * (instance.num_customers + 1) ** 2


def _best_seed(instance: Instance, seeds: Sequence[Routes], stop: StoppingCriterion) -> Result | None:
    """The best feasible seed as a result without search, or ``None`` when none is feasible."""
    costs = [report.cost if (report := validate(instance, routes)).feasible else None for routes in seeds]
    if all(cost is None for cost in costs):
        return None
    best = min((c, k) for k, c in enumerate(costs) if c is not None)[1]
    elapsed = time.perf_counter() - stop.start
    curve = [(elapsed, costs[best])]
    solution = validated_solution(instance, seeds[best], "ga", elapsed, {"iterations": 0, "curve": curve})
    return Result(solution, curve, 0, 0, elapsed, costs, {})


def solve(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    initial: list[list[int]] | None = None,
    seeds: SeedSource | None = None,
    callback: Callback | None = None,
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
        Optional routes (customers ``1..n``) to warm-start from, added to the seeds.
    seeds
        Where the initial population comes from; by default savings and the shipped policy
        (:func:`nco.refine.seeds.policy_seeds`), which is what ``nco.solve``'s method ``nco`` runs.
    callback
        Called with ``(seconds, best cost)`` at every improvement.

    Returns
    -------
    Solution
        Validated routes; ``cost=None`` with ``stats["reason"]`` when nothing feasible was found.
    """
    stop = MaxRuntime(time_limit)
    source = policy_seeds() if seeds is None else seeds

    def with_initial(inst: Instance, k: int, s: int, limit: float | None) -> list[Routes]:
        return ([initial] if initial else []) + source(inst, k, s, limit)

    try:
        result = refine(instance, stop, seed, with_initial, callback=callback)
    except NcoError as exc:  # nothing feasible: an answer, not a crash
        return no_solution("ga", stop.elapsed(), str(exc))
    solution = result.solution
    solution.stats.update(
        seed_costs=result.seed_costs, timings=result.timings, iterations=result.num_iterations, restarts=result.num_restarts
    )
    return solution
