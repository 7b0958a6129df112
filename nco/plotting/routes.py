"""Route maps: one colour per vehicle on the city's roads, the depot marked, stops numbered in order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nco.errors import InputError
from nco.instance import Instance
from nco.plotting.roads import plot_roads
from nco.pools.roads import RoadLayer, load_roads, roads_for
from nco.solution import Solution

# Beyond this many stops the order numbers cover the map; only the lines are drawn.
MAX_NUMBERED_STOPS = 300
# Degrees (about a metre): a stop moved less than this by snapping gets no connector.
SAME_PLACE = 1e-5


def plot_routes(
    result: dict[str, Any] | Solution | str | Path,
    instance: Instance | None = None,
    ax: Axes | None = None,
    geometry: str | None = None,
    title: str | None = None,
    roads: RoadLayer | str | None = "auto",
) -> Axes:
    """Draw routes on a lon/lat map, over the city's roads when nco has them.

    Stops are drawn where the vehicle stops: where OSRM snapped them when the result says
    so (``nco.matrix.snapping``), with a thin dotted connector to the requested location.
    Every route's line runs through its stops.

    Parameters
    ----------
    result
        What :func:`nco.solve` returned (VROOM-shaped dict), the path of such a JSON file,
        or a :class:`~nco.solution.Solution` (then ``instance`` is required).
    instance
        The solved instance: needed with a :class:`Solution`, for its coordinates, demands
        and capacity.
    ax
        Axes to draw on; a new figure's when None.
    geometry
        None draws straight chords between stops. An OSRM base URL, or ``"osrm"`` for the
        server the result's matrices came from, draws each route's real road geometry
        from OSRM's route service. The title says which.
    title
        Replaces the generated title's first line.
    roads
        The road layer drawn in grey underneath: ``"auto"`` for the shipped city whose
        layer holds all stops (none if no city does), a city name, a
        :class:`~nco.pools.roads.RoadLayer`, or None for no roads.

    Returns
    -------
    Axes
        The axes drawn on.

    Raises
    ------
    InputError
        When the routes have no coordinates to draw, ``geometry="osrm"`` names no server,
        or ``roads`` names a city without a road layer.
    OsrmError
        When the OSRM server fails.
    """
    result = _as_result(result, instance)
    capacity = result.get("nco", {}).get("capacity")
    url = _geometry_url(geometry, result)
    if ax is None:
        ax = Figure(figsize=(9, 9)).subplots()
    colours = _colours(len(result["routes"]))
    snapped = snapped_locations(result)
    numbered = sum(len(route["steps"]) - 2 for route in result["routes"]) <= MAX_NUMBERED_STOPS
    requested_all, stops_all = [], []
    for r, route in enumerate(result["routes"]):
        requested = _locations(route, r)
        stops = np.asarray([snapped.get(_key(step), where) for step, where in zip(route["steps"], requested)])
        line = stops
        if url:  # OSRM's own snapping of the stops, so that its line runs through them
            line, stops = _road_geometry(url, stops)
        requested_all.append(requested)
        stops_all.append(stops)
        colour = colours[r]
        load = route["steps"][0]["load"][0] if route["steps"][0].get("load") else None
        label = f"vehicle {route['vehicle']}: load {load}" + (f"/{capacity}" if capacity else "")
        label += f", {route['distance'] / 1000:.1f} km"
        ax.plot(line[:, 0], line[:, 1], "-", color=colour, lw=1.6, alpha=0.85, label=label)
        ax.scatter(stops[1:-1, 0], stops[1:-1, 1], s=18, color=colour, edgecolor="black", lw=0.3, zorder=3)
        if numbered:
            for k, (x, y) in enumerate(stops[1:-1], start=1):
                ax.annotate(str(k), (x, y), xytext=(2, 2), textcoords="offset points", fontsize=6, color=colour)
    if stops_all:
        _connectors(ax, np.concatenate(requested_all), np.concatenate(stops_all))
        depot = stops_all[0][0]
        ax.scatter(*depot, marker="s", s=110, color="black", zorder=4, label="depot")
        # Degrees of longitude shrink with cos(latitude): this keeps the map's shape true.
        ax.set_aspect(1.0 / np.cos(np.radians(depot[1])))
    layer = _road_layer(roads, np.concatenate(stops_all) if stops_all else np.zeros((0, 2)))
    if layer is not None:
        ax.autoscale_view()
        (west, east), (south, north) = ax.get_xlim(), ax.get_ylim()
        plot_roads(layer, ax, bbox=(west, south, east, north))
    summary = result.get("summary", {})
    how = "road geometry from OSRM" if url else "straight chords between stops, not roads"
    if layer is not None:
        how += f"; grey: {layer.name} roads"
    head = title or f"{summary.get('routes', len(result['routes']))} routes, {summary.get('distance', 0) / 1000:.1f} km"
    ax.set_title(f"{head}\n{how}", fontsize=10)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    # Outside the map, so that it never hides stops (save with bbox_inches="tight").
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return ax


def save_route_map(
    result: dict[str, Any] | str | Path, path: str | Path, geometry: str | None = None, dpi: int = 120
) -> Path:
    """Draw ``result`` with :func:`plot_routes` and write it as an image (PNG by suffix)."""
    figure = Figure(figsize=(9, 9))
    plot_routes(result, ax=figure.subplots(), geometry=geometry)
    figure.savefig(path, dpi=dpi, bbox_inches="tight")
    return Path(path)


def snapped_locations(result: dict[str, Any]) -> dict[tuple[str, int | None], np.ndarray]:
    """Where the router snapped each job (``("job", id)``) and the depot (``("depot", None)``).

    Read from the result's ``nco.matrix.snapping``; empty when the matrices came without
    snapping (given by the caller, or great-circle estimates).
    """
    snapping = result.get("nco", {}).get("matrix", {}).get("snapping") or {}
    found = {("job", job["id"]): np.asarray(job["location"], dtype=np.float64) for job in snapping.get("jobs", [])}
    if snapping.get("depot"):
        found["depot", None] = np.asarray(snapping["depot"]["location"], dtype=np.float64)
    return found


def _key(step: dict[str, Any]) -> tuple[str, int | None]:
    return ("job", step["id"]) if step["type"] == "job" else ("depot", None)


def _connectors(ax: Axes, requested: np.ndarray, stops: np.ndarray) -> None:
    """A dotted grey line from each requested location to where the vehicle stops, if apart."""
    moved = np.abs(requested - stops).max(axis=1) > SAME_PLACE
    if not moved.any():
        return
    for (x0, y0), (x1, y1) in zip(requested[moved], stops[moved]):
        ax.plot([x0, x1], [y0, y1], ":", color="0.35", lw=0.8, zorder=2.5)
    ax.scatter(requested[moved, 0], requested[moved, 1], s=14, marker="x", color="0.35", lw=0.8, zorder=2.5,
               label="requested location (dotted: to where it was snapped)")


def _colours(count: int) -> list[tuple[float, float, float, float]]:
    """One colour per route: tab10's strong tones, then tab20's light ones; never grey (the roads')."""
    from matplotlib import colormaps

    strong = [colormaps["tab10"](k) for k in range(10) if k != 7]
    light = [colormaps["tab20"](k) for k in range(1, 20, 2) if k != 15]
    palette = strong + light
    return [palette[r % len(palette)] for r in range(count)]


def _road_layer(roads: RoadLayer | str | None, points: np.ndarray) -> RoadLayer | None:
    if roads is None or isinstance(roads, RoadLayer):
        return roads
    if roads == "auto":
        return roads_for(points) if len(points) else None
    return load_roads(roads)


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


def _road_geometry(url: str, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The road polyline OSRM drives through ``points`` in order, and where it snapped them.

    Both as lon/lat arrays: the line (k, 2) passes through the snapped points (len(points), 2).
    """
    import osrm

    from nco.osrm.table import OsrmClient

    answer = OsrmClient(url).route(
        coordinates=points.tolist(), overview=osrm.overview.full, geometries=osrm.geometries.geojson
    )
    line = np.asarray(answer["routes"][0]["geometry"]["coordinates"], dtype=np.float64)
    return line, np.asarray([waypoint["location"] for waypoint in answer["waypoints"]], dtype=np.float64)
