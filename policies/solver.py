"""The policy behind the baseline registry's interface: ``solve(instance, time_limit, seed, initial)``."""

from __future__ import annotations

from functools import lru_cache

from nco.errors import InputError
from nco.instance import Instance
from nco.policies.checkpoint import DEFAULT_CHECKPOINT, load_policy
from nco.policies.inference import PolicySolver, problem_of
from nco.solution import Solution
from nco.stop import MaxRuntime
from nco.validate import validate, validated_solution

SAMPLES_PER_ROUND = 32


@lru_cache(maxsize=2)
def _shipped(problem: str) -> PolicySolver:
    """The shipped checkpoint for ``problem`` (ACVRP's when there is none), loaded once per
    process: loading costs far more than a greedy rollout."""
    path = DEFAULT_CHECKPOINT.with_name(f"{problem}.pt")
    return load_policy(path if path.is_file() else None)


def solve(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    initial: list[list[int]] | None = None,
    policy: PolicySolver | None = None,
) -> Solution:
    """Best of greedy, POMO multistart and rounds of sampling within ``time_limit`` seconds.

    Parameters
    ----------
    instance
        An ACVRP or ATSP instance (time windows are not modelled: the result is then
        infeasible, ``cost=None``).
    time_limit
        Seconds; the greedy rollout always runs, further rounds only while time remains.
    seed
        Seed of the sampling.
    initial
        Routes to beat (kept when better than everything the policy finds).
    policy
        A loaded policy; by default the shipped checkpoint of the instance's problem.
    """
    stop = MaxRuntime(time_limit)
    try:
        problem = problem_of(instance)
    except InputError as exc:
        return Solution([], None, "policy", stop.elapsed(), {"reason": str(exc)})
    policy = policy or _shipped(problem)
    best = policy.solve(instance, "greedy", seed)[0]
    rounds = 1
    if initial is not None and validate(instance, initial).feasible:
        candidate = validated_solution(instance, initial, "policy", 0.0)
        best = candidate if candidate.cost < best.cost else best
    for decode in ("multistart", *[f"sample:{SAMPLES_PER_ROUND}"] * 10_000):
        # Round time grows with n; stop when a round like the last would not fit.
        if stop.remaining() <= stop.elapsed() / rounds:
            break
        found = policy.solve(instance, decode, seed + rounds)[0]
        rounds += 1
        best = found if found.cost < best.cost else best
    stats = {"rounds": rounds, "time_limit": time_limit}
    return validated_solution(instance, best.routes, "policy", stop.elapsed(), stats)
