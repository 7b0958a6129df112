"""The solve API's input: VROOM's JSON schema as pydantic models, and its translation to an Instance.

nco follows VROOM's problem format (https://github.com/VROOM-Project/vroom/blob/master/docs/API.md)
where it fits, so that existing clients work: ``jobs`` with a ``location`` [lon, lat] or a
``location_index`` into the given ``matrices``, a ``delivery`` amount, ``service`` seconds and
``time_windows``; ``vehicles`` with a ``start``/``end``, a ``capacity`` and a ``time_window``.

nco solves one depot with one vehicle type, so every vehicle must share its start, end,
capacity, time window, skills and profile; anything nco cannot honour (pickups, shipments,
breaks, several windows per job, several capacity dimensions, a job needing a skill the
fleet lacks, open routes) is refused with one
:class:`~nco.errors.InputError` that lists every such field, never silently dropped. Fields
VROOM uses only to choose what to leave unassigned (``priority``) or to describe
(``description``) are accepted and have no effect: nco serves every job.

Types are VROOM's, strictly: ids, amounts, seconds and matrix entries are JSON integers
(``1``, not ``"1"``, ``1.0`` or ``true``); coordinates are numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from nco.api import METHODS
from nco.errors import InputError
from nco.instance import Instance

# The range of every amount, time and matrix entry: 2**31 - 1 m is 2.1 million km and
# 2**31 - 1 s is 68 years, so no real problem comes near it, and sums over a route of
# thousands of such values (times penalty weights) stay inside the solvers' 64-bit
# integers, which values near 2**53 did not.
MAX_VALUE = 2**31 - 1
# Ids only travel back to the caller; 2**53 is the largest integer every JSON client keeps exact.
MAX_ID = 2**53


def _whole(value: Any) -> Any:
    """``7.0`` as the integer 7; anything else unchanged (``7.5``, ``"7"``, ``true`` are then refused).

    JSON has one number type, and JSON Schema counts 7.0 as an integer too.
    """
    return int(value) if type(value) is float and value.is_integer() else value


def _whole_rows(matrix: Any) -> Any:
    """:func:`_whole` on every entry, in one pass (a per-entry validator costs 4M calls on big matrices)."""
    if not isinstance(matrix, list):
        return matrix
    # Only rows holding a float are rebuilt; finding them by type set is 4x faster than per entry.
    return [
        [_whole(v) for v in row] if isinstance(row, list) and float in set(map(type, row)) else row
        for row in matrix
    ]


# Integers are strict: JSON numbers only, never strings or booleans.
Amount = Annotated[int, Field(ge=0, le=MAX_VALUE, strict=True), BeforeValidator(_whole)]
Index = Amount
Id = Annotated[int, Field(ge=0, le=MAX_ID, strict=True), BeforeValidator(_whole)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
Coordinate = tuple[Longitude, Latitude]
TimeWindow = tuple[Amount, Amount]
Entry = Annotated[int, Field(ge=0, le=MAX_VALUE, strict=True)]  # whole floats converted row by row
Matrix = Annotated[list[list[Entry]], BeforeValidator(_whole_rows)]


# What the published schema states for lists nco limits; validation refuses more with a
# message saying why (see _unsupported), so the limits are schema annotations only.
ONE = {"maxItems": 1}
NONE = {"maxItems": 0}


class _Model(BaseModel):
    # A misspelt field ("deliveries") must not silently change the problem.
    model_config = ConfigDict(extra="forbid")


class Job(_Model):
    """A stop to serve (VROOM's ``jobs[]``)."""

    id: Id
    description: Annotated[str, Field(strict=True)] | None = None
    location: Coordinate | None = Field(None, description="[lon, lat] in degrees")
    location_index: Index | None = Field(None, description="row/column in the given matrices")
    setup: Amount = Field(0, description="not supported: must be 0", json_schema_extra={"maximum": 0})
    service: Amount = Field(0, description="seconds spent at the stop")
    delivery: list[Amount] = Field(default_factory=list, description="one amount", json_schema_extra=ONE)
    pickup: list[Amount] = Field(
        default_factory=list, description="not supported: must be zero", json_schema_extra={"items": {"const": 0}}
    )
    skills: list[Amount] = Field(default_factory=list, description="must be among the vehicles' skills")
    priority: Annotated[int, Field(ge=0, le=100, strict=True), BeforeValidator(_whole)] = Field(
        0, description="accepted, no effect"
    )
    time_windows: list[TimeWindow] = Field(
        default_factory=list, description="at most one [start, end]", json_schema_extra=ONE
    )


class Vehicle(_Model):
    """A vehicle (VROOM's ``vehicles[]``); all vehicles of one problem must be alike."""

    id: Id
    profile: Annotated[str, Field(strict=True)] = "car"
    description: Annotated[str, Field(strict=True)] | None = None
    start: Coordinate | None = Field(None, description="the depot, [lon, lat]")
    start_index: Index | None = None
    end: Coordinate | None = Field(None, description="must equal start: routes return to the depot (no open routes)")
    end_index: Index | None = Field(None, description="must equal start_index")
    capacity: list[Amount] = Field(
        default_factory=list, description="one amount; empty = unlimited", json_schema_extra=ONE
    )
    skills: list[Amount] = Field(default_factory=list, description="the same for every vehicle")
    time_window: TimeWindow | None = Field(None, description="the depot's opening hours [start, end]")
    breaks: list[Any] = Field(default_factory=list, description="not supported: must be empty", json_schema_extra=NONE)


class ProfileMatrices(_Model):
    """Custom matrices for one routing profile (VROOM's ``matrices.<profile>``)."""

    durations: Matrix | None = Field(None, description="seconds")
    distances: Matrix | None = Field(None, description="metres; the objective")

    @field_validator("durations", "distances")
    @classmethod
    def _square(cls, matrix: Matrix | None) -> Matrix | None:
        for i, row in enumerate(matrix or []):
            if len(row) != len(matrix):
                raise ValueError(f"must be square: row {i} has {len(row)} values, expected {len(matrix)}")
        return matrix


class Problem(_Model):
    """A VROOM-shaped routing problem."""

    jobs: list[Job] = Field(min_length=1)
    vehicles: list[Vehicle] = Field(min_length=1)
    shipments: list[Any] = Field(
        default_factory=list, description="not supported: must be empty", json_schema_extra=NONE
    )
    matrices: dict[str, ProfileMatrices] | None = Field(None, description="{profile: {durations, distances}}")


class Options(_Model):
    """How to solve (an nco extension to VROOM's body, under ``options``)."""

    method: Literal[METHODS] = "nco"  # type: ignore[valid-type]
    time_limit: Annotated[float, Field(gt=0, allow_inf_nan=False, strict=True)] = 1.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1, strict=True), BeforeValidator(_whole)] = 0


class ErrorBody(BaseModel):
    """Every error answer: VROOM's code, one line for a person, and the field to blame."""

    code: int = Field(description="1: no feasible routes found, or internal; 2: bad input; 3: routing (OSRM)")
    error: str = Field(description="what went wrong, one line")
    field: str | None = Field(description="the input field to blame, e.g. jobs[3].delivery; null if none")


@dataclass(frozen=True)
class Translation:
    """How nodes of the :class:`Instance` map back to the caller's ids and locations.

    Node 0 is the depot (the vehicles' start); node ``i >= 1`` is ``job_ids[i - 1]``.
    """

    job_ids: list[int]
    vehicle_ids: list[int]
    location_indices: list[int] | None = None
    profile: str = "car"


def parse_problem(data: Any) -> Problem:
    """Validate a VROOM-shaped dict (or check a :class:`Problem`); errors name the field.

    Field names follow VROOM's JSON: ``jobs[3].delivery[0]``, ``matrices.car.distances[2][5]``.

    Raises
    ------
    InputError
        On schema violations, or listing every field nco does not support.
    """
    if isinstance(data, Problem):
        problem = data  # validated already, e.g. by the HTTP layer
    elif not isinstance(data, dict):
        raise InputError("body", f"the problem must be a JSON object, got {type(data).__name__}")
    else:
        try:
            problem = Problem.model_validate(data)
        except ValidationError as exc:
            raise validation_error(exc) from None
    _raise_all(_unsupported(problem))
    return problem


# Listed in one error, at most this many; a long list would bury the first.
_MAX_LISTED = 8


def validation_error(exc: ValidationError) -> InputError:
    """Pydantic's errors as one :class:`InputError` with VROOM-style field paths."""
    return _one_error([(field_path(error["loc"]), error["msg"]) for error in exc.errors()], exc.error_count())


def _raise_all(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise _one_error(problems, len(problems))


def _one_error(problems: list[tuple[str, str]], count: int) -> InputError:
    """The first problem names the field; the message lists the others too."""
    field, message = problems[0]
    others = [f"{f}: {m}" for f, m in problems[1:_MAX_LISTED]]
    if others:
        message += "; also " + "; ".join(others)
    if count > _MAX_LISTED:
        message += f"; and {count - _MAX_LISTED} more"
    return InputError(field, message)


def field_path(loc: tuple[Any, ...]) -> str:
    """``("jobs", 3, "delivery", 0)`` -> ``"jobs[3].delivery[0]"``."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


def _unsupported(problem: Problem) -> list[tuple[str, str]]:
    """Every (field, reason) nco cannot honour, so that a client fixes them in one round."""
    problems = []
    if problem.shipments:
        problems.append(("shipments", "pickup-and-delivery shipments are not supported"))
    problems += _duplicates("jobs", [job.id for job in problem.jobs])
    problems += _duplicates("vehicles", [vehicle.id for vehicle in problem.vehicles])
    first = problem.vehicles[0]
    for v, vehicle in enumerate(problem.vehicles):
        problems += _vehicle_problems(f"vehicles[{v}]", vehicle, first)
    for j, job in enumerate(problem.jobs):
        problems += _job_problems(f"jobs[{j}]", job, set(first.skills))
    return problems


def _job_problems(where: str, job: Job, fleet_skills: set[int]) -> list[tuple[str, str]]:
    problems = []
    if job.setup:
        problems.append((f"{where}.setup", "setup times are not supported; add them to service"))
    if any(job.pickup):
        problems.append((f"{where}.pickup", "pickups are not supported (deliveries only)"))
    # With one vehicle type, a skill either holds for every vehicle or for none.
    missing = set(job.skills) - fleet_skills
    if missing:
        problems.append((f"{where}.skills", f"no vehicle has skill {min(missing)}"))
    if len(job.delivery) > 1:
        problems.append((f"{where}.delivery", "only one capacity dimension is supported"))
    if len(job.time_windows) > 1:
        problems.append((f"{where}.time_windows", "at most one time window per job is supported"))
    elif job.time_windows and job.time_windows[0][0] > job.time_windows[0][1]:
        problems.append((f"{where}.time_windows[0]", "start is after end"))
    return problems


def _vehicle_problems(where: str, vehicle: Vehicle, first: Vehicle) -> list[tuple[str, str]]:
    problems = []
    if vehicle.breaks:
        problems.append((f"{where}.breaks", "breaks are not supported"))
    if len(vehicle.capacity) > 1:
        problems.append((f"{where}.capacity", "only one capacity dimension is supported"))
    if vehicle.time_window and vehicle.time_window[0] > vehicle.time_window[1]:
        problems.append((f"{where}.time_window", "start is after end"))
    if vehicle.start is None and vehicle.start_index is None:
        problems.append((f"{where}.start", "every vehicle needs a start (the depot)"))
    # nco's routes are closed tours. VROOM ends a vehicle without an end at its last job (an
    # open route); solving that as a round trip would answer a different question.
    if vehicle.end is None and vehicle.end_index is None:
        problems.append((f"{where}.end", "open routes are not supported: give an end equal to start"))
    if vehicle.end is not None and vehicle.end != vehicle.start:
        problems.append((f"{where}.end", "routes return to the depot: end must equal start"))
    if vehicle.end_index is not None and vehicle.end_index != vehicle.start_index:
        problems.append((f"{where}.end_index", "routes return to the depot: must equal start_index"))
    # One Instance has one depot and one vehicle type: a mixed fleet is refused, naming the
    # fields that differ from vehicles[0].
    for name in ("profile", "start", "start_index", "capacity", "time_window"):
        if getattr(vehicle, name) != getattr(first, name):
            problems.append((f"{where}.{name}", "differs from vehicles[0]; nco needs a homogeneous fleet"))
    if set(vehicle.skills) != set(first.skills):
        problems.append((f"{where}.skills", "differs from vehicles[0]; nco needs a homogeneous fleet"))
    return problems


def _duplicates(name: str, ids: list[int]) -> list[tuple[str, str]]:
    seen: set[int] = set()
    problems = []
    for i, value in enumerate(ids):
        if value in seen:
            problems.append((f"{name}[{i}].id", f"duplicate id {value}"))
        seen.add(value)
    return problems


def given_matrices(problem: Problem) -> tuple[np.ndarray | None, np.ndarray | None, Translation]:
    """The caller's matrices restricted to depot + jobs, and the node translation.

    Returns ``(distances, durations, translation)``; both matrices are ``None`` when the
    problem gives none (then every job and the depot need a ``location``). When only one of
    the two is given, the other is ``None`` and the caller decides what to use.
    """
    vehicle = problem.vehicles[0]
    translation = Translation(
        job_ids=[job.id for job in problem.jobs],
        vehicle_ids=[v.id for v in problem.vehicles],
        profile=vehicle.profile,
    )
    if problem.matrices is None:
        if vehicle.start is None:
            raise InputError("vehicles[0].start", "a [lon, lat] start is needed when no matrices are given")
        for j, job in enumerate(problem.jobs):
            if job.location is None:
                raise InputError(f"jobs[{j}].location", "a [lon, lat] location is needed when no matrices are given")
        return None, None, translation
    if vehicle.profile not in problem.matrices:
        raise InputError("matrices", f"no matrices for profile {vehicle.profile!r} of vehicles[0]")
    given = problem.matrices[vehicle.profile]
    where = f"matrices.{vehicle.profile}"
    if given.distances is None and given.durations is None:
        raise InputError(where, "give distances, durations or both")
    sizes = {len(m) for m in (given.distances, given.durations) if m is not None}
    if len(sizes) > 1:
        raise InputError(f"{where}.durations", "must have the same size as distances")
    size = sizes.pop()
    if vehicle.start_index is None:
        raise InputError("vehicles[0].start_index", "needed when matrices are given")
    indices = [vehicle.start_index]
    for j, job in enumerate(problem.jobs):
        if job.location_index is None:
            raise InputError(f"jobs[{j}].location_index", "needed when matrices are given")
        indices.append(job.location_index)
    for i, index in enumerate(indices):
        if index >= size:
            field = "vehicles[0].start_index" if i == 0 else f"jobs[{i - 1}].location_index"
            raise InputError(field, f"{index} is outside the {size}x{size} matrix")
    distances, durations = (
        _used(f"{where}.{name}", getattr(given, name), indices) for name in ("distances", "durations")
    )
    return distances, durations, Translation(**{**translation.__dict__, "location_indices": indices})


def _used(field: str, matrix: Matrix | None, indices: list[int]) -> np.ndarray | None:
    """The rows and columns of ``matrix`` at ``indices``; each used location is 0 from itself."""
    if matrix is None:
        return None
    full = np.asarray(matrix, dtype=np.int64)
    nonzero = [k for k in indices if full[k, k]]
    if nonzero:
        k = nonzero[0]
        raise InputError(f"{field}[{k}][{k}]", f"a location's entry to itself must be 0, got {full[k, k]}")
    return full[np.ix_(indices, indices)]


def coordinates(problem: Problem) -> np.ndarray | None:
    """Depot + job coordinates as ``(n + 1, 2)`` lon/lat, or ``None`` if any is missing."""
    points = [problem.vehicles[0].start, *(job.location for job in problem.jobs)]
    if any(point is None for point in points):
        return None
    return np.asarray(points, dtype=np.float64)


def build_instance(
    problem: Problem,
    distances: np.ndarray,
    durations: np.ndarray,
    name: str = "",
    source: dict[str, Any] | None = None,
) -> Instance:
    """The :class:`Instance` for ``problem`` on the given depot + jobs matrices.

    Raises
    ------
    InputError
        With the field named in the caller's terms (``jobs[4].delivery``, not ``demands[5]``).
    """
    vehicle = problem.vehicles[0]
    demands = [0, *(job.delivery[0] if job.delivery else 0 for job in problem.jobs)]
    capacity = vehicle.capacity[0] if vehicle.capacity else max(1, sum(demands))
    service = [0, *(job.service for job in problem.jobs)]
    time_windows = None
    if vehicle.time_window or any(job.time_windows for job in problem.jobs):
        # Without a window of their own, the depot is open and a job is servable from the
        # start of the horizon to its end.
        depot = list(vehicle.time_window or (0, MAX_VALUE))
        time_windows = [depot, *(list(job.time_windows[0]) if job.time_windows else depot for job in problem.jobs)]
    try:
        return Instance(
            distances=distances,
            durations=durations,
            demands=np.asarray(demands, dtype=np.int64),
            capacity=capacity,
            num_vehicles=len(problem.vehicles),
            coords=coordinates(problem),
            time_windows=time_windows,
            service_times=np.asarray(service, dtype=np.int64) if any(service) else None,
            name=name,
            source=dict(source or {}),
        )
    except InputError as exc:
        raise InputError(_vroom_field(exc.field, vehicle.profile), exc.message) from None


def _vroom_field(field: str, profile: str) -> str:
    """Instance field names (node-indexed) -> the VROOM field the caller wrote."""
    base, _, rest = field.partition("[")
    node = int(rest.split("]")[0]) if rest and rest.split("]")[0].isdigit() else None
    if base in ("distances", "durations"):
        return f"matrices.{profile}.{base}"
    if base == "num_vehicles":
        return "vehicles"
    if base == "capacity":  # the same for every vehicle
        return "vehicles[0].capacity"
    job = {"demands": "delivery", "time_windows": "time_windows", "service_times": "service"}.get(base)
    if job is None or node is None:
        return field
    if node == 0:
        return "vehicles[0].time_window" if base == "time_windows" else "vehicles[0]"
    return f"jobs[{node - 1}].{job}"
