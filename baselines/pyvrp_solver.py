"""PyVRP baseline: its iterated local search on the instance's integer matrices."""

from __future__ import annotations

import pyvrp

from nco.baselines.common import checked_initial, no_solution
from nco.instance import Instance
from nco.pyvrp_bridge import from_pyvrp_solution, to_problem_data, to_pyvrp_solution
from nco.solution import Solution, SolveStats
from nco.stop import MaxRuntime
from nco.validate import validated_solution


def solve(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    initial: list[list[int]] | None = None,
) -> Solution:
    """Solve with ``pyvrp.solve`` (iterated local search) within ``time_limit`` seconds.

    Parameters
    ----------
    instance
        The instance to solve (asymmetric matrices and time windows carry over).
    time_limit
        Wall-clock budget in seconds. The clock starts here, so building PyVRP's data and
        its initial local search count against it (``pyvrp.stop.MaxRuntime`` would start
        only at the first iteration).
    seed
        Seed of PyVRP's random number stream: equal seeds and iteration counts give equal
        results.
    initial
        Optional routes (customers ``1..n``) to warm-start from instead of a random start.

    Returns
    -------
    Solution
        The best validated routes, or ``cost=None`` when the best found is infeasible.
        ``stats.iterations`` counts PyVRP's iterations; ``stats.warm_start`` is
        ``"cold"`` or ``"used"``.
    """
    stop = MaxRuntime(time_limit)
    data = to_problem_data(instance)
    initial = checked_initial(instance, initial)
    start = to_pyvrp_solution(data, initial) if initial else None
    # PyVRP caps its penalties at 1e5 by default: with matrices in the millions of metres an
    # overload then costs less than a detour, and feasible problems came back infeasible.
    penalty = pyvrp.PenaltyParams(max_penalty=max(1e5, 10.0 * float(instance.distances.max())))
    params = pyvrp.SolveParams(penalty=penalty)
    result = pyvrp.solve(data, stop, seed=seed, collect_stats=False, initial_solution=start, params=params)
    stats = SolveStats(iterations=result.num_iterations, warm_start="cold" if start is None else "used")
    if not result.is_feasible():
        return no_solution("pyvrp", stop.elapsed(), f"best solution after {time_limit:g} s is infeasible")
    routes = from_pyvrp_solution(result.best)
    return validated_solution(instance, routes, "pyvrp", stop.elapsed(), stats)
