"""Entry points of the refiner: :func:`refine` (rich result) and :func:`solve` (registry "ga").

The clock starts when the caller builds the stopping criterion; computing the starting
solutions (policy inference included) runs on that same clock, so a time limit covers
everything after the matrix exists. ``seed`` always means a random seed; the solutions the
search starts from are ``starts``.
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
from nco.refine.starts import Start, StartSource, policy_starts
from nco.solution import Routes, Solution, SolveStats
from nco.stop import MaxRuntime, StoppingCriterion
from nco.validate import validate, validated_solution

# Seconds per (n + 1)**2 before the genetic search can start; below that much time left, the
# best start is the answer (the C++ set-up cannot be interrupted). Measured 3 December: 0.03-0.04 s
# at n = 500, 0.09-0.11 s at n = 1000, the other core busy; twice that, for a loaded machine.
GA_STARTUP_SECONDS = 2e-7


def refine(
    instance: Instance,
    stop: StoppingCriterion,
    seed: int = 0,
    starts: StartSource | Sequence[Start | Routes] | None = None,
    params: GeneticParams = GeneticParams(),
    callback: Callback | None = None,
) -> Result:
    """Improve starting solutions of ``instance`` with hybrid genetic search until ``stop``.

    Parameters
    ----------
    instance
        ACVRP, ATSP (one vehicle, zero demands) or ACVRPTW.
    stop
        :class:`nco.stop.MaxRuntime` (wall clock from its ``start``, starts included) or
        :class:`nco.stop.MaxIterations` (educations; seeded and deterministic).
    seed
        Random seed of the start source and of the search.
    starts
        A start source (:class:`nco.refine.starts.StartSource`) asked for ``params.num_starts``
        solutions within :func:`start_seconds` (``params.start_share`` of the time left, or all
        of it when no search could start after them), or ready-made starts (plain route sets
        count as origin ``"given"``).
        Defaults to :func:`nco.refine.starts.policy_starts` (savings, then the shipped policy).
    params
        Algorithm settings; see :class:`GeneticParams` for the defaults.
    callback
        Called with ``(seconds, best cost)`` at every improvement (anytime use).

    Returns
    -------
    Result
        The best solution (never worse than the best feasible start), the anytime curve and
        statistics. A budget of 0 returns the best start as given.

    Raises
    ------
    NcoError
        When no starting solution was feasible and the search found nothing feasible in time.
    """
    source = policy_starts() if starts is None else starts
    if callable(source):
        left = stop.remaining()
        given = source(instance, params.num_starts, seed, None if math.isinf(left) else start_seconds(instance.num_customers, left, params))
    else:
        given = [start if isinstance(start, Start) else Start(start, "given") for start in source]
    starting = time.perf_counter() - stop.start
    routes = [start.routes for start in given]
    result = _best_start(instance, routes, stop) if stop.remaining() < startup_seconds(instance.num_customers) else None
    if result is None:  # time for a search, or no feasible start to fall back on
        result = GeneticAlgorithm(instance, params, seed).run(stop, routes, callback)
    result.timings["starts"] = starting
    result.start_origins = [start.origin for start in given]
    return result


def start_seconds(num_customers: int, left: float, params: GeneticParams = GeneticParams()) -> float:
    """What the start source may spend of ``left`` seconds: ``params.start_share`` of them, or
    all of them when the rest could not start a search anyway (then the best start is the
    answer, and it may as well be the best the whole budget can build)."""
    share = params.start_share * left
    return left if left - share < startup_seconds(num_customers) else share


def startup_seconds(num_customers: int) -> float:
    """Expected seconds before the search's first iteration: PyVRP's data and granular
    neighbourhoods, O(n**2) (:data:`GA_STARTUP_SECONDS`: 0.2 s at n = 1000)."""
    return GA_STARTUP_SECONDS * (num_customers + 1) ** 2


def _best_start(instance: Instance, starts: Sequence[Routes], stop: StoppingCriterion) -> Result | None:
    """The best feasible start as a result without search, or ``None`` when none is feasible."""
    costs = [report.cost if (report := validate(instance, routes)).feasible else None for routes in starts]
    if all(cost is None for cost in costs):
        return None
    best = min((c, k) for k, c in enumerate(costs) if c is not None)[1]
    elapsed = time.perf_counter() - stop.start
    curve = [(elapsed, costs[best])]
    solution = validated_solution(instance, starts[best], "ga", elapsed, SolveStats(iterations=0, curve=curve))
    return Result(solution, curve, 0, 0, elapsed, costs, {})


def solve(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    initial: list[list[int]] | None = None,
    starts: StartSource | None = None,
    callback: Callback | None = None,
) -> Solution:
    """The refiner behind the common solver signature (registry name ``"ga"``).

    Parameters
    ----------
    instance
        The instance to solve.
    time_limit
        Wall-clock seconds, starts included.
    seed
        Random seed.
    initial
        Optional routes (customers ``1..n``) to warm-start from, added to the starts.
    starts
        Where the initial population comes from; by default savings and the shipped policy
        (:func:`nco.refine.starts.policy_starts`), which is what ``nco.solve``'s method ``nco`` runs.
    callback
        Called with ``(seconds, best cost)`` at every improvement.

    Returns
    -------
    Solution
        Validated routes; ``cost=None`` with ``stats.reason`` when nothing feasible was found.
    """
    stop = MaxRuntime(time_limit)
    source = policy_starts() if starts is None else starts

    def with_initial(inst: Instance, k: int, s: int, limit: float | None) -> list[Start]:
        return ([Start(initial, "given")] if initial else []) + source(inst, k, s, limit)

    try:
        result = refine(instance, stop, seed, with_initial, callback=callback)
    except NcoError as exc:  # nothing feasible: an answer, not a crash
        return no_solution("ga", stop.elapsed(), str(exc))
    solution = result.solution
    solution.stats.start_costs, solution.stats.timings = result.start_costs, result.timings
    solution.stats.policy_cost = result.best_start_cost_of("policy")
    return solution
