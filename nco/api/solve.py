"""``nco.solve``: a VROOM-shaped problem in, validated VROOM-shaped routes out.

The one pipeline behind the Python API, ``nco solve`` and ``POST /solve``:
parse -> matrices -> :class:`Instance` -> method -> :class:`Solution` -> validate -> JSON.
"""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
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


# ``progress(elapsed_seconds, best_cost)`` is called while a method searches (when it can).
Progress = Callable[[float, float | None], None]


class SolveFailed(NcoError):
    """The method found no feasible routes within the time limit."""


def solve(
    problem: dict[str, Any] | Problem | Instance | str | Path,
    time_limit: float = 1.0,
    method: str = "nco",
    seed: int = 0,
    osrm_url: str | None = None,
    allow_haversine: bool = False,
    policy: Any = None,
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
    if isinstance(problem, Instance):
        instance = problem
        translation = Translation(
            job_ids=list(range(1, instance.num_customers + 1)),
            vehicle_ids=list(range(instance.num_vehicles or instance.num_customers)),
        )
        matrix_info: dict[str, Any] = {"source": "instance"}
        loaded = matrix_done = time.perf_counter()
    else:
        parsed = parse_problem(problem)
        loaded = time.perf_counter()
        matrices = resolve_matrices(parsed, osrm_url=osrm_url, allow_haversine=allow_haversine)
        matrix_done = time.perf_counter()
        instance = build_instance(parsed, matrices.distances, matrices.durations, source=matrices.info)
        translation, matrix_info = matrices.translation, matrices.info
    built = time.perf_counter()
    solution = run_method(instance, options, policy=policy, progress=progress)
    inference = float(solution.stats.get("inference_time", 0.0))
    computing_times = {
        "loading": (loaded - start) + (built - matrix_done),
        "matrix": matrix_done - loaded,
        "inference": inference,
        "refine": max(0.0, solution.runtime - inference),
    }
    extras = {
        "method": options.method,
        "solver": solution.solver,
        "seed": options.seed,
        "time_limit": options.time_limit,
        "runtime": solution.runtime,
        "objective": "distance (m)",
        "capacity": instance.capacity,
        "policy_cost": solution.stats.get("policy_cost"),
        "refiner_iterations": solution.stats.get("iterations"),
        "checkpoint": solution.stats.get("checkpoint"),
        "fallback": solution.stats.get("fallback"),
        "matrix": matrix_info,
        "validated": True,
    }
    return to_vroom(instance, solution, translation, computing_times, extras)


def _options(**values: Any) -> Options:
    try:
        return Options(**values)
    except ValidationError as exc:
        raise validation_error(exc) from None


def run_method(
    instance: Instance, options: Options, policy: Any = None, progress: Progress | None = None
) -> Solution:
    """Run ``options.method`` on ``instance`` within ``options.time_limit``; validated.

    ``nco`` is the genetic refiner seeded by the policy's best sampled solutions, ``policy``
    the policy alone; the baselines come from the solver registry
    (:func:`nco.baselines.get_solver`). When no policy can be loaded, the learned methods
    answer with the next best thing and ``stats["fallback"]`` says so.

    Raises
    ------
    SolveFailed
        When the method finds no feasible routes in time.
    """
    from nco.baselines import get_solver

    checkpoint = why_not = None
    if options.method in ("nco", "policy"):  # the baselines never load torch
        policy, checkpoint, why_not = (policy, checkpoint_id(policy), None) if policy is not None else default_policy()
    try:
        if options.method == "nco":
            solution = _policy_seeded_refiner(instance, options, policy, why_not, progress)
        elif options.method == "policy" and policy is not None:
            solution = get_solver("policy")(instance, options.time_limit, seed=options.seed, policy=policy)
            solution.stats.update(policy_cost=solution.cost, inference_time=solution.runtime)
        elif options.method == "policy":
            solution = get_solver("pyvrp")(instance, options.time_limit, seed=options.seed)
            solution.stats["fallback"] = f"no policy ({why_not}); solved with pyvrp instead"
        else:
            solution = get_solver(options.method)(instance, options.time_limit, seed=options.seed)
    except InfeasibleSolution as exc:  # e.g. more routes than the problem has vehicles
        raise SolveFailed(f"{options.method}: its routes break the problem: {exc}") from None
    if not solution.feasible:
        reason = solution.stats.get("reason") or "no feasible routes found (try a longer time limit or more vehicles)"
        raise SolveFailed(f"{options.method}: {reason}")
    if options.method in ("nco", "policy") and policy is not None:
        solution.stats["checkpoint"] = checkpoint
    return solution


def _policy_seeded_refiner(
    instance: Instance, options: Options, policy: Any, why_not: str | None, progress: Progress | None
) -> Solution:
    """The ``nco`` method: policy samples seed the genetic refiner, all on one clock.

    Without a policy the refiner starts from construction heuristics (labelled).
    """
    from nco.refine import refine
    from nco.refine import seeds as seeding

    stop = MaxRuntime(options.time_limit)  # built first: policy inference counts against it
    notes: list[str] = []
    seeds = seeding.construction_seeds if policy is None else _fleet_policy_seeds(policy, notes)
    result = refine(instance, stop, options.seed, seeds, callback=progress)
    solution = result.solution
    solution.runtime = result.runtime
    solution.stats.update(iterations=result.num_iterations, restarts=result.num_restarts)
    if policy is None:
        solution.stats["fallback"] = f"no policy ({why_not}); refiner seeded by construction heuristics"
    elif notes:
        solution.stats["fallback"] = notes[0]
    else:
        solution.solver = "nco"
        solution.stats.update(policy_cost=result.best_seed_cost, inference_time=result.timings.get("seeding", 0.0))
    return solution


def _fleet_policy_seeds(policy: Any, notes: list[str]) -> Callable[..., list[list[list[int]]]]:
    """The refiner's seed function on an already loaded ``policy``, within the caller's fleet.

    The policy was trained without a fleet limit: it is sampled unlimited, then each
    answer's giant tour is re-cut into at most the problem's vehicles (merged routes may be
    overloaded; the refiner's penalties repair them). When the policy cannot model the
    problem (time windows) the seeds come from construction heuristics and ``notes`` says so.
    """
    from nco.refine import seeds as seeding
    from nco.refine.split import split

    def seed_fn(inst: Instance, k: int, seed: int, time_limit: float | None = None) -> list[list[list[int]]]:
        unlimited = inst.replace(num_vehicles=None) if inst.demands.any() else inst
        try:
            if time_limit is None:
                found = policy.best_k(unlimited, k, seed=seed)
            else:  # the refiner's own time-boxed sampling, on the policy loaded once
                found = seeding.sampled_seeds(policy, unlimited, k, seed, time_limit)
        except InputError as exc:
            notes.append(f"policy cannot seed this problem ({exc.message}); refiner seeded by construction heuristics")
            return seeding.construction_seeds(inst, k, seed, time_limit)
        fleet = inst.num_vehicles or len(inst.demands)
        return [
            routes if len(routes) <= fleet else split(inst, np.concatenate(routes), 0.0, max_overload=1.0)
            for routes in found
        ]

    return seed_fn


@functools.cache
def default_policy() -> tuple[Any, str | None, str | None]:
    """The shipped policy, loaded once per process: ``(policy, checkpoint id, None)``.

    Returns ``(None, None, reason)`` when it cannot be loaded, so callers can fall back and
    say why. The policy is only read afterwards, so threads may share it.
    """
    try:
        import nco
        from nco.policies.checkpoint import DEFAULT_CHECKPOINT

        policy = nco.load_policy()
    except (ImportError, AttributeError, NcoError) as exc:
        return None, None, str(exc) or type(exc).__name__
    digest = hashlib.sha256(DEFAULT_CHECKPOINT.read_bytes()).hexdigest()[:12]
    # Kept on the policy (before anyone shares it) so that whoever is handed it can report it.
    policy.meta.setdefault("id", f"{DEFAULT_CHECKPOINT.name}@sha256:{digest}")
    return policy, checkpoint_id(policy), None


def limit_torch_threads() -> None:
    """Run torch on one thread, for processes that serve solves (``nco solve``, ``nco serve``).

    One instance's decoding is too small to gain from intra-op threads, and the HTTP server
    already runs requests in parallel threads. On a busy 2-core machine torch's default
    threads spun against each other: the policy's seeding of a 50-stop problem took 11 s
    instead of 0.2 s. Library callers keep torch's default unless they call this.
    """
    import torch

    torch.set_num_threads(1)


def checkpoint_id(policy: Any) -> str | None:
    """The id a policy's checkpoint gives itself (``meta["id"]``), if any."""
    meta = getattr(policy, "meta", None) or {}
    return meta.get("id")
