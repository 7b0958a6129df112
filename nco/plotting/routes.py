"""Route maps: one colour per vehicle, the depot marked, stops numbered in visiting order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # maps are written to files by servers and CI: never need a display

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from nco.errors import InputError  # noqa: E402
from nco.instance import Instance  # noqa: E402
from nco.solution import Solution  # noqa: E402

# Beyond this many stops the order numbers cover the map; only the lines are drawn.
MAX_NUMBERED_STOPS = 300


def plot_routes(
    result: dict[str, Any] | Solution | str | Path,
    instance: Instance | None = None,
    ax: Axes | None = None,
    geometry: str | None = None,
    title: str | None = None,
) -> Axes:
    """Draw routes on a lon/lat map.

    Parameters
    ----------
    result
        What :func:`nco.solve` returned (VROOM-shaped dict), the path of such a JSON file,
        or a :class:`~nco.solution.Solution` (then ``instance`` is required).
    instance
        The solved instance: needed with a :class:`Solution`, for its coordinates, demands
        and capacity.
    ax
        Axes to draw on; a new figure when None.
    geometry
        None draws straight chords between stops. An OSRM base URL, or ``"osrm"`` for the
        server the result's matrices came from, draws each route's real road geometry
        from OSRM's route service. The title says which.
    title
        Replaces the generated title's first line.

    Returns
    -------
    Axes
        The axes drawn on.

    Raises
    ------
    InputError
        When the routes have no coordinates to draw, or ``geometry="osrm"`` names no server.
    OsrmError
        When the OSRM server fails.
    """
    result = _as_result(result, instance)
    capacity = result.get("nco", {}).get("capacity")
    url = _geometry_url(geometry, result)
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 9))
    colours = plt.get_cmap("tab20" if len(result["routes"]) > 10 else "tab10")
    depot = None
    numbered = sum(len(route["steps"]) - 2 for route in result["routes"]) <= MAX_NUMBERED_STOPS
    for r, route in enumerate(result["routes"]):
        points = _locations(route, r)
        depot = points[0]
        colour = colours(r % colours.N)
        line = _road_geometry(url, points) if url else points
        load = route["steps"][0]["load"][0] if route["steps"][0].get("load") else None
        label = f"vehicle {route['vehicle']}: load {load}" + (f"/{capacity}" if capacity else "")
        label += f", {route['distance'] / 1000:.1f} km"
        ax.plot(line[:, 0], line[:, 1], "-", color=colour, lw=1.6, alpha=0.85, label=label)
        ax.scatter(points[1:-1, 0], points[1:-1, 1], s=18, color=colour, edgecolor="black", lw=0.3, zorder=3)
        if numbered:
            for k, (x, y) in enumerate(points[1:-1], start=1):
                ax.annotate(str(k), (x, y), xytext=(2, 2), textcoords="offset points", fontsize=6, color=colour)
    if depot is not None:
        ax.scatter(*depot, marker="s", s=110, color="black", zorder=4, label="depot")
        # Degrees of longitude shrink with cos(latitude): this keeps the map's shape true.
        ax.set_aspect(1.0 / np.cos(np.radians(depot[1])))
    summary = result.get("summary", {})
    how = "road geometry from OSRM" if url else "straight chords between stops, not roads"
    head = title or f"{summary.get('routes', len(result['routes']))} routes, {summary.get('distance', 0) / 1000:.1f} km"
    ax.set_title(f"{head}\n{how}", fontsize=10)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    # Outside the map, so that it never hides stops (save with bbox_inches="tight").
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return ax


def save_route_map(result: dict[str, Any] | str | Path, path: str | Path, geometry: str | None = None) -> Path:
    """Draw ``result`` with :func:`plot_routes` and write it as an image (PNG by suffix)."""
    fig, ax = plt.subplots(figsize=(9, 9))
    try:
        plot_routes(result, ax=ax, geometry=geometry)
        fig.savefig(path, dpi=120, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)


def _as_result(result: dict[str, Any] | Solution | str | Path, instance: Instance | None) -> dict[str, Any]:
    if isinstance(result, (str, Path)):
        try:
            return json.loads(Path(result).read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(str(result), f"not a readable JSON result ({exc})") from None
    if isinstance(result, Solution):
        if instance is None:
            raise InputError("instance", "needed to draw a Solution")
        from nco.api.output import to_vroom
        from nco.api.schema import Translation

        n = instance.num_customers
        translation = Translation(job_ids=list(range(1, n + 1)), vehicle_ids=list(range(len(result.routes))))
        return to_vroom(instance, result, translation, {}, {"capacity": instance.capacity})
    if not isinstance(result, dict) or "routes" not in result:
        raise InputError("result", "expected nco.solve's output (a dict with routes), a JSON file or a Solution")
    return result


def _locations(route: dict[str, Any], r: int) -> np.ndarray:
    for s, step in enumerate(route["steps"]):
        if step.get("location") is None:
            raise InputError(
                f"routes[{r}].steps[{s}].location", "no coordinates to draw (the problem gave only matrix indices)"
            )
    return np.asarray([step["location"] for step in route["steps"]], dtype=np.float64)


def _geometry_url(geometry: str | None, result: dict[str, Any]) -> str | None:
    if geometry != "osrm":
        return geometry
    url = result.get("nco", {}).get("matrix", {}).get("osrm_url")
    if not url:
        raise InputError("geometry", "'osrm' needs a result whose matrices came from OSRM; pass the server's URL")
    return url


def _road_geometry(url: str, points: np.ndarray) -> np.ndarray:
    """The road polyline OSRM drives through ``points`` in order, as (k, 2) lon/lat."""
    import osrm

    from nco.osrm.table import OsrmClient

    answer = OsrmClient(url).route(
        coordinates=points.tolist(), overview=osrm.overview.full, geometries=osrm.geometries.geojson
    )
    return np.asarray(answer["routes"][0]["geometry"]["coordinates"], dtype=np.float64)
