"""Where the solve API's road matrices come from, in order of preference.

1. The caller's ``matrices`` (VROOM style), restricted to the depot and the jobs.
2. An OSRM server (``osrm_url``): its table service on the jobs' coordinates. OSRM moves each
   point onto the nearest road; where to and how far (metres) is reported per job under
   ``nco.matrix.snapping``, since a stop far from any road is a stop the driver cannot reach.
3. Only when asked for (``allow_haversine``): great-circle distances and a fixed speed. These
   ignore the road network, so the output says so under ``nco.matrix``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nco.api.schema import Problem, Translation, coordinates, given_matrices
from nco.errors import InputError

EARTH_RADIUS_M = 6_371_008.8
# A typical urban average including stops; only used for labelled great-circle estimates.
HAVERSINE_SPEED_MPS = 10.0


@dataclass(frozen=True)
class Matrices:
    """Depot + jobs matrices (integer metres and seconds) and where they came from."""

    distances: np.ndarray
    durations: np.ndarray
    translation: Translation
    info: dict[str, Any] = field(default_factory=dict)


def resolve_matrices(problem: Problem, osrm_url: str | None = None, allow_haversine: bool = False) -> Matrices:
    """The matrices to solve ``problem`` on.

    Parameters
    ----------
    problem
        A parsed problem (:func:`~nco.api.schema.parse_problem`).
    osrm_url
        Base URL of an osrm-routed, used when the problem gives no matrices.
    allow_haversine
        Without matrices and without OSRM, estimate them from great-circle distances.

    Raises
    ------
    InputError
        When the problem gives no matrices and neither OSRM nor haversine is allowed.
    OsrmError
        When the OSRM server fails.
    """
    distances, durations, translation = given_matrices(problem)
    if distances is not None or durations is not None:
        info: dict[str, Any] = {"source": "input", "profile": translation.profile}
        # Only one given: use it for both, and say so, since the objective is distance.
        if distances is None:
            info["distances"] = "copied from durations"
        if durations is None:
            info["durations"] = "copied from distances"
        distances = durations if distances is None else distances
        durations = distances if durations is None else durations
        return Matrices(distances, durations, translation, info)
    coords = coordinates(problem)
    assert coords is not None  # given_matrices checked every location is there
    if osrm_url:
        try:
            distances, durations, snapped = osrm_matrices(coords, osrm_url)
        except InputError as exc:  # the client names coordinates[i]; the caller wrote jobs/vehicles
            raise InputError(_location_field(exc.field), exc.message) from None
        info = {"source": "osrm", "osrm_url": osrm_url, "snapping": snapping(coords, snapped, translation)}
        return Matrices(distances, durations, translation, info)
    if allow_haversine:
        distances, durations = haversine_matrices(coords)
        info = {"source": "haversine", "speed_mps": HAVERSINE_SPEED_MPS, "note": "great-circle estimates, not roads"}
        return Matrices(distances, durations, translation, info)
    raise InputError(
        "matrices",
        "no matrices given: pass them in the input, give an OSRM server (osrm_url / --osrm-url), "
        "or allow great-circle estimates (allow_haversine / --allow-haversine)",
    )


def osrm_matrices(coords: np.ndarray, url: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Road distances (m) and durations (s) between ``coords`` (lon/lat) from OSRM's table service,
    and where OSRM snapped each point (lon/lat)."""
    from nco.osrm.table import OsrmClient

    table = OsrmClient(url).table(coords)
    return table.distances, table.durations, table.source_locations


def snapping(coords: np.ndarray, snapped: np.ndarray, translation: Translation) -> dict[str, Any]:
    """Per job (and for the depot): where the router moved the requested location, and how far.

    ``{"depot": {"location", "distance"}, "jobs": [{"id", "location", "distance"}, ...]}`` with
    lon/lat locations and great-circle distances in metres (0.1 m), jobs in input order.
    """
    metres = great_circle(coords, snapped)
    moved = [{"location": [round(float(x), 6) for x in point], "distance": round(float(d), 1)}
             for point, d in zip(snapped, metres)]
    return {"depot": moved[0], "jobs": [{"id": job, **where} for job, where in zip(translation.job_ids, moved[1:])]}


def great_circle(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Metres between lon/lat points ``a[..., :]`` and ``b[..., :]`` (broadcast), haversine formula."""
    lon_a, lat_a, lon_b, lat_b = (np.radians(x) for x in (a[..., 0], a[..., 1], b[..., 0], b[..., 1]))
    h = np.sin((lat_b - lat_a) / 2) ** 2 + np.cos(lat_a) * np.cos(lat_b) * np.sin((lon_b - lon_a) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def haversine_matrices(coords: np.ndarray, speed: float = HAVERSINE_SPEED_MPS) -> tuple[np.ndarray, np.ndarray]:
    """Great-circle distances (m) and their durations at ``speed`` (s), rounded to integers."""
    metres = great_circle(coords[:, None, :], coords[None, :, :])
    return np.rint(metres).astype(np.int64), np.rint(metres / speed).astype(np.int64)


def _location_field(field: str) -> str:
    """``coordinates[i]`` (node i of depot + jobs) -> the field the caller wrote."""
    index = field.removeprefix("coordinates[").removesuffix("]")
    if not index.isdigit():
        return field
    node = int(index)
    return "vehicles[0].start" if node == 0 else f"jobs[{node - 1}].location"
