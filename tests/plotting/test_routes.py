"""Route maps: PNGs from solve results, JSON files and Solutions; chords or OSRM road geometry."""

from __future__ import annotations

import copy
import json

import matplotlib.pyplot as plt
import numpy as np
import pytest

import nco
from nco.errors import InputError
from nco.plotting.routes import save_route_map

# Points inside Monaco, so that the same problem works with the real Monaco OSRM server.
MONACO = [
    [7.4246, 43.7384],
    [7.4189, 43.7312],
    [7.4275, 43.7402],
    [7.4213, 43.7357],
    [7.4163, 43.7285],
    [7.4301, 43.7441],
    [7.4232, 43.7327],
    [7.4198, 43.7391],
    [7.4262, 43.7358],
]


def _problem() -> dict:
    return {
        "jobs": [{"id": 10 + k, "location": p, "delivery": [3]} for k, p in enumerate(MONACO[1:])],
        "vehicles": [{"id": v, "start": MONACO[0], "end": MONACO[0], "capacity": [9]} for v in range(4)],
    }


@pytest.fixture(scope="module")
def result() -> dict:
    return nco.solve(_problem(), time_limit=0.2, method="pyvrp", allow_haversine=True)


def _is_png(path) -> bool:
    return path.stat().st_size > 10_000 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_map_from_a_result_has_routes_depot_numbers_and_legend(result, tmp_path):
    fig, ax = plt.subplots()
    nco.plot_routes(result, ax=ax)
    assert "straight chords" in ax.get_title()
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels[-1] == "depot"
    assert len(labels) == len(result["routes"]) + 1
    assert all("/9" in label and "km" in label for label in labels[:-1])  # load/capacity, distance
    numbers = sorted(int(t.get_text()) for t in ax.texts if t.get_text().isdigit())
    assert len(numbers) == len(MONACO) - 1
    assert "grey: monaco roads" in ax.get_title()  # the stops lie in Monaco: its roads underneath
    assert ax.collections[-1].get_linewidth()[0] < 1.5  # thin
    colours = {str(line.get_color()) for line in ax.lines}
    assert len(colours) == len(result["routes"])
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(MONACO[0][1])))
    plt.close(fig)
    path = save_route_map(result, tmp_path / "chords.png")
    assert _is_png(path)


def test_map_from_a_json_file_and_from_a_solution(result, tmp_path):
    saved = tmp_path / "routes.json"
    saved.write_text(json.dumps(result))
    assert _is_png(save_route_map(saved, tmp_path / "from_file.png"))

    coords = np.array(MONACO)
    distances = np.rint(np.abs(coords[:, None] - coords[None]).sum(-1) * 1e5).astype(int)
    instance = nco.Instance(distances=distances, demands=[0, *[3] * 8], capacity=9, coords=coords)
    solution = nco.get_solver("pyvrp")(instance, 0.1)
    fig, ax = plt.subplots()
    nco.plot_routes(solution, instance, ax=ax)
    assert len(ax.get_legend().get_texts()) == solution.num_routes + 1
    fig.savefig(tmp_path / "solution.png")
    plt.close(fig)
    assert _is_png(tmp_path / "solution.png")


def test_stops_are_drawn_where_they_were_snapped_with_a_connector(result):
    moved = copy.deepcopy(result)
    job = moved["routes"][0]["steps"][1]
    snapped = [job["location"][0] + 0.002, job["location"][1]]  # ~160 m east
    moved["nco"]["matrix"]["snapping"] = {
        "depot": {"location": MONACO[0], "distance": 0.0},
        "jobs": [{"id": job["id"], "location": snapped, "distance": 161.0}],
    }
    fig, ax = plt.subplots()
    nco.plot_routes(moved, ax=ax, roads=None)
    assert "grey" not in ax.get_title()
    route = ax.lines[0]
    assert [route.get_xdata()[1], route.get_ydata()[1]] == snapped  # the line reaches the stop
    assert snapped in ax.collections[0].get_offsets().tolist()  # the stop is drawn there
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == 1 and [dotted[0].get_xdata()[0], dotted[0].get_ydata()[0]] == job["location"]
    assert any("requested location" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)


def test_no_coordinates_is_a_clear_error():
    matrix = [[0, 4, 5], [4, 0, 3], [5, 3, 0]]
    data = {
        "jobs": [{"id": 1, "location_index": 1}, {"id": 2, "location_index": 2}],
        "vehicles": [{"id": 1, "start_index": 0, "end_index": 0}],
        "matrices": {"car": {"distances": matrix}},
    }
    result = nco.solve(data, time_limit=0.1, method="pyvrp")
    with pytest.raises(InputError) as info:
        nco.plot_routes(result)
    assert info.value.field == "routes[0].steps[0].location"
    with pytest.raises(InputError, match="geometry"):
        nco.plot_routes(nco.solve(_problem(), time_limit=0.1, method="pyvrp", allow_haversine=True), geometry="osrm")


@pytest.mark.osrm
def test_road_geometry_from_the_monaco_server(monaco_server, tmp_path):
    result = nco.solve(_problem(), time_limit=0.3, method="pyvrp", osrm_url=monaco_server)
    assert result["nco"]["matrix"]["source"] == "osrm"
    fig, ax = plt.subplots()
    nco.plot_routes(result, ax=ax, geometry="osrm")
    assert "road geometry from OSRM" in ax.get_title()
    route_lines = ax.lines[: len(result["routes"])]
    stops = sum(len(route["steps"]) for route in result["routes"])
    # Roads bend: the polylines hold far more points than the stops they join.
    assert sum(len(line.get_xdata()) for line in route_lines) > 3 * stops
    # Every stop lies on its route's line: OSRM's line runs through where it snapped them.
    for line, markers in zip(route_lines, ax.collections):
        path = np.column_stack([line.get_xdata(), line.get_ydata()])
        for stop in markers.get_offsets():
            assert np.abs(path - stop).max(axis=1).min() < 1e-5
    fig.savefig(tmp_path / "roads.png")
    plt.close(fig)
    assert _is_png(tmp_path / "roads.png")
