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
from nco.refine.genetic import Callback, GeneticAlgorithm, GeneticParams, Routes
from nco.refine.result import Result
from nco.refine.seeds import SeedSource, policy_seeds
from nco.solution import Solution
from nco.stop import MaxRuntime, StoppingCriterion


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
    result = GeneticAlgorithm(instance, params, seed).run(stop, seeds, callback)
    result.timings["seeding"] = seeding
    return result


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
