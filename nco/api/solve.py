"""``nco.solve``: a VROOM-shaped problem in, validated VROOM-shaped routes out.

The one pipeline behind the Python API, ``nco solve`` and ``POST /solve``:
parse -> matrices -> :class:`Instance` -> method -> :class:`Solution` -> validate -> JSON.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from nco.api import METHODS
from nco.api.matrices import resolve_matrices
from nco.api.output import to_vroom
from nco.api.reading import read_problem
from nco.api.schema import Options, Problem, Translation, build_instance, parse_problem, validation_error
from nco.errors import InputError, NcoError
from nco.instance import Instance
from nco.solution import Solution
from nco.stop import MaxRuntime
from nco.validate import InfeasibleSolution

if TYPE_CHECKING:
    from nco.policies.inference import PolicySolver


# ``progress(elapsed_seconds, best_cost)`` is called while a method searches (when it can).
Progress = Callable[[float, float | None], None]


LEARNED = ("nco", "policy")  # methods that use the policy (and so torch)


def output_reserve(instance: Instance) -> float:
    """Seconds kept back from a method for validating its routes and writing the answer
    (measured: about 10 ms at n = 2000; the margin absorbs a loaded machine)."""
    return 0.005 + 1e-5 * instance.num_customers


class SolveFailed(NcoError):
    """The method found no feasible routes within the time limit."""


def solve(
    problem: dict[str, Any] | Problem | Instance | str | Path,
    time_limit: float = 1.0,
    method: str = "nco",
    seed: int = 0,
    osrm_url: str | None = None,
    allow_haversine: bool = False,
    policy: PolicySolver | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Solve a routing problem and return VROOM-shaped JSON.

    Parameters
    ----------
    problem
        A VROOM-shaped dict (``jobs``, ``vehicles``, optional ``matrices``), an
        :class:`Instance`, or the path of a file :func:`read_problem` reads.
    time_limit
        Seconds the method may search.
    method
        ``"nco"`` (policy + genetic refiner), ``"policy"``, ``"ortools"`` or ``"pyvrp"``.
    seed
        Seed of the method's random choices.
    osrm_url
        Base URL of an osrm-routed for road matrices when the problem gives none.
    allow_haversine
        Without matrices or OSRM, use great-circle estimates (labelled in the output).
    policy
        An already loaded policy (the HTTP server loads one at start-up); by default the
        shipped checkpoint is loaded when a method needs it.
    progress
        Called with (elapsed seconds, best cost) while the method searches.

    Returns
    -------
    dict
        ``code``, ``summary`` (with ``computing_times`` in ms), ``unassigned``, ``routes``
        (with ``steps``) and nco's extras under ``nco``. The routes have passed
        :func:`nco.validate`.

    Raises
    ------
    InputError
        When the problem or an option is malformed; the error names the field.
    OsrmError
        When the OSRM server fails.
    """
    options = _options(method=method, time_limit=time_limit, seed=seed)
    start = time.perf_counter()
    if isinstance(problem, (str, Path)):
        problem = read_problem(problem)
    parsed = None if isinstance(problem, Instance) else parse_problem(problem)
    parsing = time.perf_counter() - start
    customers = problem.num_customers if parsed is None else len(parsed.jobs)
    _import_method(options.method, policy is not None or _policy_may_fit(options, customers))
    clock = MaxRuntime(options.time_limit)  # everything after parsing runs on this clock
    if parsed is None:
        instance = problem
        translation = Translation(
            job_ids=list(range(1, instance.num_customers + 1)),
            vehicle_ids=list(range(instance.num_vehicles or instance.num_customers)),
        )
        matrix_info: dict[str, Any] = {"source": "instance"}
        matrix_seconds = 0.0
    else:
        matrices = resolve_matrices(parsed, osrm_url=osrm_url, allow_haversine=allow_haversine)
        matrix_seconds = clock.elapsed()
        instance = build_instance(parsed, matrices.distances, matrices.durations, source=matrices.info)
        translation, matrix_info = matrices.translation, matrices.info
    solution = run_method(instance, options, clock, policy=policy, progress=progress)
    inference = solution.stats.timings.get("starts", 0.0)
    computing_times = {
        "loading": parsing,
        "matrix": matrix_seconds,
        "inference": inference,
        "refine": max(0.0, solution.runtime - inference),
    }
    extras = {
        "method": options.method,
        "solver": solution.solver,
        "seed": options.seed,
        "time_limit": options.time_limit,
        "runtime": clock.elapsed(),
        "objective": "distance (m)",
        "capacity": instance.capacity,
        "policy_cost": solution.stats.policy_cost,
        "refiner_iterations": solution.stats.iterations,
        "curve": [[round(t, 4), c] for t, c in solution.stats.curve],  # (seconds, best cost)
        "checkpoint": solution.stats.checkpoint,
        "fallback": solution.stats.fallback,
        "matrix": matrix_info,
        "validated": True,
    }
    return to_vroom(instance, solution, translation, computing_times, extras)


def _import_method(method: str, with_policy: bool = True) -> None:
    """Import what ``method`` runs on (torch, PyVRP, OR-Tools): once per process, start-up
    rather than solving, so it stays off the clock (torch alone takes about 2-3 s here).
    ``nco`` leaves the policy, and torch, out when ``with_policy`` is false."""
    from nco.baselines import get_solver

    learned = ("ga", "policy") if with_policy else ("ga",)
    for name in {"nco": learned, "policy": ("policy",)}.get(method, (method,)):
        get_solver(name)


def _policy_may_fit(options: Options, customers: int) -> bool:
    """Whether method ``nco`` could use the policy: its first round must fit what the refiner
    gives its starts (never at 2000 stops within 5 s, where loading the policy and torch would
    only cost time).

    Priced as the whole instance's merge even where the policy would decode in sectors, whose
    merge is three times cheaper: on 8 oslo-east instances of 1000 stops (3 December) letting
    the sector merge in made nco worse, 4.88 -> 7.71 % above PyVRP's 30 s at 0.25 s and
    2.51 -> 3.02 % at 1 s, since savings is ready in 30 ms and the search's first educations,
    not a better start, are what such a budget buys.
    """
    from nco.policies.budget import first_round_fits
    from nco.refine.solver import start_seconds

    return options.method != "nco" or first_round_fits(customers, start_seconds(customers, options.time_limit))


def _options(**values: Any) -> Options:
    try:
        return Options(**values)
    except ValidationError as exc:
        raise validation_error(exc) from None


def run_method(
    instance: Instance,
    options: Options,
    clock: MaxRuntime | None = None,
    policy: PolicySolver | None = None,
    progress: Progress | None = None,
) -> Solution:
    """Run ``options.method`` on ``instance`` before ``clock`` runs out; validated.

    ``clock`` (by default one of ``options.time_limit`` starting now) is the caller's: what
    it already spent and the loading of the policy count against it, and the method gets
    what is left less :func:`output_reserve`.

    ``nco`` is the registry's genetic refiner (``ga``) seeded by Clarke-Wright savings and
    the policy's solutions, ``policy`` the policy alone; the baselines come from the solver
    registry (:func:`nco.baselines.get_solver`). When the policy cannot serve (no checkpoint,
    or time windows, which it does not model), the learned methods answer with the next best
    thing and ``stats.fallback`` says so.

    Raises
    ------
    SolveFailed
        When the method finds no feasible routes in time.
    """
    from nco.baselines import get_solver
    from nco.refine.starts import construction_starts, policy_starts, savings_start

    clock = clock or MaxRuntime(options.time_limit)
    seed, fallback = options.seed, None
    unfit = policy is None and not _policy_may_fit(options, instance.num_customers)
    if unfit:
        fallback = "a policy rollout would not fit the refiner's share of the limit for its starts"
    elif options.method in LEARNED:  # the baselines never load torch
        policy, fallback = _policy_for(instance, policy)
    limit = max(0.0, clock.remaining() - output_reserve(instance))
    try:
        if options.method == "nco":
            # Savings alone when the policy cannot fit: the starts policy_starts gives it then.
            starts = savings_start if unfit else construction_starts if policy is None else policy_starts(policy)
            solution = get_solver("ga")(instance, limit, seed, starts=starts, callback=progress)
            seeded = "Clarke-Wright savings" if unfit else "construction heuristics"
            fallback = fallback and f"{fallback}; refiner seeded by {seeded}"
        elif options.method == "policy" and policy is not None:
            solution = get_solver("policy")(instance, limit, seed, policy=policy)
        elif options.method == "policy":
            solution = get_solver("pyvrp")(instance, limit, seed)
            fallback = f"{fallback}; solved with pyvrp instead"
        else:
            solution = get_solver(options.method)(instance, limit, seed)
    except InfeasibleSolution as exc:  # e.g. more routes than the problem has vehicles
        raise SolveFailed(f"{options.method}: its routes break the problem: {exc}") from None
    if not solution.feasible:
        reason = solution.stats.reason or "no feasible routes found (try a longer time limit or more vehicles)"
        raise SolveFailed(f"{options.method}: {reason}")
    solution.stats.fallback = fallback
    if policy is not None and options.method in LEARNED:
        solution.stats.checkpoint = policy.checkpoint_id
        solution.solver = options.method
    return solution


def _policy_for(instance: Instance, policy: PolicySolver | None) -> tuple[PolicySolver | None, str | None]:
    """``policy`` (by default the shipped one for ``instance``'s problem), or ``None`` and why
    no policy can serve ``instance``."""
    from nco.policies.inference import problem_of

    try:
        problem = problem_of(instance)
    except InputError:
        return None, "the policy does not model time windows"
    if policy is not None:
        return policy, None
    policy, _, why_not = default_policy(problem)
    return policy, None if policy else f"no policy ({why_not})"


def default_policy(problem: str = "acvrp") -> tuple[PolicySolver | None, str | None, str | None]:
    """The shipped policy (:func:`nco.policies.checkpoint.shipped_policy`, cached per process):
    ``(policy, checkpoint id, None)``, or ``(None, None, reason)`` when it cannot be loaded."""
    try:
        from nco.policies.checkpoint import shipped_policy

        policy = shipped_policy(problem)
    except (ImportError, NcoError) as exc:
        return None, None, str(exc) or type(exc).__name__
    return policy, policy.checkpoint_id, None
