"""``nco.solve``: a VROOM-shaped problem in, validated VROOM-shaped routes out.

The one pipeline behind the Python API, ``nco solve`` and ``POST /solve``:
parse -> matrices -> :class:`Instance` -> method -> :class:`Solution` -> validate -> JSON.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nco.api import METHODS
from nco.api.matrices import resolve_matrices
from nco.api.output import to_vroom
from nco.api.schema import Options, Problem, Translation, build_instance, parse_problem, validation_error
from nco.errors import InputError, NcoError
from nco.instance import Instance
from nco.solution import Solution
from nco.stop import MaxRuntime

# API method -> name in the solver registry (nco.baselines.get_solver); "nco" (the
# policy-seeded refiner) is assembled here, see run_method.
_REGISTRY = {"policy": "policy", "ortools": "ortools", "pyvrp": "pyvrp"}

# ``progress(elapsed_seconds, best_cost)`` is called while a method searches (when it can).
Progress = Callable[[float, float | None], None]


class SolveFailed(NcoError):
    """The method found no feasible routes within the time limit."""


def solve(
    problem: dict[str, Any] | Problem | Instance,
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
        A VROOM-shaped dict (``jobs``, ``vehicles``, optional ``matrices``) or an
        :class:`Instance`.
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

    ``nco`` is the genetic refiner seeded by the policy's best sampled solutions; the other
    methods come from the solver registry (:func:`nco.baselines.get_solver`). When a learned
    method cannot run (no checkpoint, not installed), the answer comes from the next best
    thing and ``stats["fallback"]`` says what happened.

    Raises
    ------
    SolveFailed
        When the method finds no feasible routes in time.
    """
    from nco.baselines import get_solver

    if options.method == "nco":
        solution = _policy_seeded_refiner(instance, options, policy, progress)
    else:
        try:
            solver, fallback = get_solver(_REGISTRY[options.method]), None
        except NcoError as exc:
            if options.method != "policy":
                raise
            solver, fallback = get_solver("pyvrp"), f"{exc}; solved with pyvrp instead"
        solution = solver(instance, options.time_limit, seed=options.seed)
        if fallback:
            solution.stats["fallback"] = fallback
    if not solution.feasible:
        reason = solution.stats.get("reason", "no feasible routes found")
        raise SolveFailed(f"{options.method}: {reason} (try a longer time limit or more vehicles)")
    return solution


def _policy_seeded_refiner(
    instance: Instance, options: Options, policy: Any, progress: Progress | None
) -> Solution:
    """The ``nco`` method: policy samples seed the genetic refiner, all on one clock."""
    from nco.refine import refine

    stop = MaxRuntime(options.time_limit)  # built first: policy inference counts against it
    policy, checkpoint, why_not = (policy, checkpoint_id(policy), None) if policy is not None else default_policy()
    seeds = None if policy is None else (lambda inst, k, seed: policy.best_k(inst, k, seed=seed))
    result = refine(instance, stop, options.seed, seeds, callback=progress)
    solution = result.solution
    solution.stats.update(iterations=result.num_iterations, restarts=result.num_restarts)
    if policy is None:
        solution.stats["fallback"] = f"no policy ({why_not}); refiner seeded by construction heuristics"
    else:
        solution.solver = "nco"
        solution.stats.update(
            policy_cost=result.best_seed_cost, inference_time=result.timings.get("seeding", 0.0), checkpoint=checkpoint
        )
    solution.runtime = result.runtime
    return solution


@functools.cache
def default_policy() -> tuple[Any, str | None, str | None]:
    """The shipped policy, loaded once per process: ``(policy, checkpoint id, None)``.

    Returns ``(None, None, reason)`` when it cannot be loaded, so callers can fall back and
    say why. The policy is only read afterwards, so threads may share it.
    """
    try:
        from nco import load_policy

        policy = load_policy()
    except (ImportError, AttributeError, NcoError) as exc:
        return None, None, str(exc) or type(exc).__name__
    return policy, checkpoint_id(policy), None


def checkpoint_id(policy: Any) -> str | None:
    """A short name for the checkpoint a policy was loaded from (reported under ``nco``)."""
    meta = getattr(policy, "meta", None) or {}
    return getattr(policy, "checkpoint_id", None) or meta.get("id") or meta.get("name")


def read_problem(path: str | Path) -> dict[str, Any] | Instance:
    """Read a problem file: VROOM-shaped JSON, nco instance JSON, or VRPLIB (``-`` = stdin JSON).

    Raises
    ------
    InputError
        When the file is missing or is not one of these formats.
    """
    from nco.io import instance_from_dict, read_vrplib

    if str(path) == "-":
        text, name = sys.stdin.read(), "stdin"
    else:
        path = Path(path)
        if not path.is_file():
            raise InputError(str(path), "no such file")
        if path.suffix.lower() in (".vrp", ".txt"):
            return read_vrplib(path)
        text, name = path.read_text(), str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(name, f"not valid JSON ({exc})") from None
    # nco's own instance format has top-level matrices and no jobs.
    if isinstance(data, dict) and "jobs" not in data and "distances" in data:
        return instance_from_dict(data)
    return data
