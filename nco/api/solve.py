"""``nco.solve``: a VROOM-shaped problem in, validated VROOM-shaped routes out.

The one pipeline behind the Python API, ``nco solve`` and ``POST /solve``:
parse -> matrices -> :class:`Instance` -> method -> :class:`Solution` -> validate -> JSON.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nco.api.matrices import resolve_matrices
from nco.api.output import to_vroom
from nco.api.schema import Options, Problem, Translation, build_instance, parse_problem, validation_error
from nco.errors import InputError, NcoError
from nco.instance import Instance
from nco.solution import Solution

METHODS = ("nco", "policy", "ortools", "pyvrp")
# API method -> name in the solver registry (nco.baselines.get_solver); "nco" is the
# policy-seeded genetic refiner.
_REGISTRY = {"nco": "ga", "policy": "policy", "ortools": "ortools", "pyvrp": "pyvrp"}

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

    Raises
    ------
    SolveFailed
        When the method finds no feasible routes in time.
    """
    from nco.baselines import get_solver

    try:
        solver = get_solver(_REGISTRY[options.method])
        fallback = None
    except NcoError as exc:
        if options.method not in ("nco", "policy"):
            raise
        # The learned methods may be missing (no checkpoint, not installed): answer with
        # PyVRP rather than not at all, and say so in the output.
        solver, fallback = get_solver("pyvrp"), f"{exc}; solved with pyvrp instead"
    solution = solver(instance, options.time_limit, seed=options.seed)
    if not solution.feasible:
        reason = solution.stats.get("reason", "no feasible routes found")
        raise SolveFailed(f"{options.method}: {reason} (try a longer time limit or more vehicles)")
    if fallback:
        solution.stats["fallback"] = fallback
    return solution


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
