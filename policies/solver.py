"""The policy behind the baseline registry's interface: ``solve(instance, time_limit, seed, initial)``."""

from __future__ import annotations

from nco.baselines.common import no_solution
from nco.errors import InputError, NcoError
from nco.instance import Instance
from nco.policies.checkpoint import shipped_policy
from nco.policies.inference import PolicySolver, problem_of
from nco.refine import refine
from nco.solution import Solution, SolveStats
from nco.stop import MaxRuntime
from nco.validate import validate, validated_solution

# Solutions asked of the policy: greedy, multistart and sampling rounds while time lasts.
NUM_SOLUTIONS = 64


def solve(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    initial: list[list[int]] | None = None,
    policy: PolicySolver | None = None,
) -> Solution:
    """The best policy solution found within ``time_limit`` seconds.

    Greedy, POMO multistart and sampling rounds (:meth:`PolicySolver.solutions`); the greedy
    rollout always runs (it is the method's answer: 0.05 s at n = 100, 1.5 s at n = 1000),
    every further round only when it is expected to fit in the time left. With a fleet limit, a solution the policy cut
    into too many routes is re-cut to the fleet; when no re-cut one fits the capacity, the best
    is repaired by the refiner's local search (``stats.repaired``), within what is left of
    the time, or at least one education (:func:`nco.refine.refine`).

    Parameters
    ----------
    instance
        An ACVRP or ATSP instance (time windows are not modelled: the result is then
        infeasible, ``cost=None``).
    time_limit
        Seconds, loading the shipped policy included.
    seed
        Seed of the sampling.
    initial
        Routes to beat (kept when better than everything the policy finds).
    policy
        A loaded policy; by default the shipped checkpoint of the instance's problem.

    Returns
    -------
    Solution
        Validated; ``stats.checkpoint`` names the policy, ``stats.candidates`` counts the
        distinct solutions it found. Infeasible (``cost=None``, ``stats.reason``) only when
        even the repair finds nothing that fits the fleet.
    """
    stop = MaxRuntime(time_limit)
    try:
        problem = problem_of(instance)  # refuses time windows
        policy = policy or shipped_policy(problem)
    except InputError as exc:
        return no_solution("policy", stop.elapsed(), str(exc))
    found = policy.solutions(instance, NUM_SOLUTIONS, seed, stop.remaining(), always_answer=True)
    if initial:
        found.append(initial)
    feasible = [(report.cost, routes) for routes in found if (report := validate(instance, routes)).feasible]
    stats = SolveStats(candidates=len(found), checkpoint=policy.checkpoint_id)
    if not feasible:  # re-cut to a small fleet, every candidate is overloaded: repair the best
        try:
            repaired = refine(instance, MaxRuntime(stop.remaining()), seed, found[:1])
        except NcoError as exc:
            stats.reason = f"policy solutions exceed the fleet ({exc})"
            return Solution([], None, "policy", stop.elapsed(), stats)
        feasible, stats.repaired = [(repaired.cost, repaired.solution.routes)], True
    stats.policy_cost, best = min(feasible, key=lambda item: item[0])
    return validated_solution(instance, best, "policy", stop.elapsed(), stats)
