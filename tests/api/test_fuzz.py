"""Fuzzing every interface: valid problems get checked routes, anything else a documented error.

Valid problems come from a hypothesis generator (any size up to a few jobs, spare matrix
rows, optional time windows and service) and go through all four methods; every answer is
checked here against the input matrices, without nco's own validator. Mutated and random
bodies must get the documented error body, never a 5xx.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nco
from nco.api import METHODS
from nco.cli.main import main
from nco.errors import NcoError, failure

FUZZ = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))


def _first_fit_bins(demands: list[int], capacity: int) -> int:
    """Vehicles first-fit decreasing needs: a fleet this large is always feasible."""
    bins: list[int] = []
    for demand in sorted(demands, reverse=True):
        for k, load in enumerate(bins):
            if load + demand <= capacity:
                bins[k] += demand
                break
        else:
            bins.append(demand)
    return max(1, len(bins))


@st.composite
def problems(draw: st.DrawFn, max_jobs: int = 8, time_windows: bool = True) -> dict:
    """A valid VROOM problem on explicit matrices; feasible by construction.

    ``time_windows=False`` leaves them out (the policy alone does not model them).
    """
    n = draw(st.integers(1, max_jobs))
    spare = draw(st.integers(0, 3))  # matrix rows no job uses
    size = n + 1 + spare
    entry = st.integers(1, draw(st.sampled_from([100, 10_000, 100_000])))
    distances = [[0 if i == j else draw(entry) for j in range(size)] for i in range(size)]
    durations = [[value // 10 for value in row] for row in distances]
    order = draw(st.permutations(range(size)))
    capacity = draw(st.integers(1, 20))
    demands = draw(st.lists(st.integers(0, capacity), min_size=n, max_size=n))
    fleet = _first_fit_bins(demands, capacity) + draw(st.integers(0, 2))
    ids = draw(st.lists(st.integers(0, 2**53), min_size=n + fleet, max_size=n + fleet, unique=True))
    depot = order[0]
    vehicle = {"start_index": depot, "end_index": depot, "capacity": [capacity]}
    windows = time_windows and draw(st.booleans())
    if windows:  # wide enough for any route order: every leg is at most max(durations)
        horizon = (2 * n + 2) * (max(map(max, durations)) + 300)
        vehicle["time_window"] = [0, horizon]
    jobs = []
    for k in range(n):
        job = {"id": ids[k], "location_index": order[k + 1], "delivery": [demands[k]]}
        if draw(st.booleans()):
            job["service"] = draw(st.integers(0, 300))
        if windows and draw(st.booleans()):
            job["time_windows"] = [[draw(st.integers(0, 100)), horizon]]
        jobs.append(job)
    return {
        "jobs": jobs,
        "vehicles": [{"id": ids[n + v], **vehicle} for v in range(fleet)],
        "matrices": {"car": {"distances": distances, "durations": durations}},
    }


def check_answer(problem: dict, result: dict) -> None:
    """Re-check ``result`` against ``problem``'s own matrices: every job once, loads, windows, costs."""
    assert result["code"] == 0
    matrices = problem["matrices"]["car"]  # either one stands in for the other, as nco documents
    distances = matrices.get("distances") or matrices["durations"]
    durations = matrices.get("durations") or distances
    jobs = {job["id"]: job for job in problem["jobs"]}
    fleet = problem["vehicles"]
    depot, capacity = fleet[0]["start_index"], (fleet[0].get("capacity") or [float("inf")])[0]
    opens, closes = fleet[0].get("time_window") or [0, 2**62]
    assert len(result["routes"]) <= len(fleet)
    assert len({route["vehicle"] for route in result["routes"]}) == len(result["routes"])
    assert {route["vehicle"] for route in result["routes"]} <= {v["id"] for v in fleet}
    served, total = [], 0
    for route in result["routes"]:
        visits = [jobs[step["id"]] for step in route["steps"] if step["type"] == "job"]
        served += [job["id"] for job in visits]
        assert sum((job.get("delivery") or [0])[0] for job in visits) <= capacity
        places = [depot, *(job["location_index"] for job in visits), depot]
        distance = sum(distances[a][b] for a, b in zip(places, places[1:]))
        assert route["distance"] == route["cost"] == distance
        total += distance
        time, previous, service = opens, depot, 0
        for job in visits:
            start, end = (job.get("time_windows") or [[0, closes]])[0]
            time = max(time + service + durations[previous][job["location_index"]], start)
            assert time <= end, f"job {job['id']} served at {time}, window ends {end}"
            previous, service = job["location_index"], job.get("service", 0)
        assert time + service + durations[previous][depot] <= closes
    assert sorted(served) == sorted(jobs)
    assert result["summary"]["cost"] == total


@st.composite
def solvable(draw: st.DrawFn) -> tuple[str, dict]:
    """A method and a valid problem it models."""
    method = draw(st.sampled_from(METHODS))
    return method, draw(problems(time_windows=method != "policy"))


@pytest.mark.parametrize("method", METHODS)
@FUZZ
@given(data=st.data())
def test_valid_problems_are_solved_by_every_method(method, data):
    problem = data.draw(problems(time_windows=method != "policy"))
    check_answer(problem, nco.solve(problem, time_limit=0.3, method=method, seed=0))


@FUZZ
@given(case=solvable())
def test_valid_problems_are_solved_over_http(server_url, case):
    method, problem = case
    body = {**problem, "options": {"method": method, "time_limit": 0.3}}
    response = httpx.post(f"{server_url}/solve", json=body, timeout=60)
    assert response.status_code == 200, response.text
    check_answer(problem, response.json())


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=solvable())
def test_valid_problems_are_solved_by_the_cli(tmp_path_factory, case):
    method, problem = case
    folder = tmp_path_factory.mktemp("cli")
    source, out = folder / "problem.json", folder / "routes.json"
    source.write_text(json.dumps(problem))
    assert main(["solve", str(source), "-o", str(out), "--method", method, "--time-limit", "0.3", "--quiet"]) == 0
    check_answer(problem, json.loads(out.read_text()))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats()  # NaN and infinities included: the server must refuse them cleanly
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def _paths(node, prefix=()):
    """Every position in a JSON tree, as a tuple of keys/indices."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, (*prefix, key))


def _replace(node, path, value):
    if not path:
        return value
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


def _mutated(problem: dict, data: st.DataObject):
    """``problem`` with one to three positions replaced by random JSON."""
    paths = list(_paths(problem))
    for _ in range(data.draw(st.integers(1, 3))):
        try:
            problem = _replace(problem, paths[data.draw(st.integers(0, len(paths) - 1))], data.draw(JSON))
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed this position
    return problem


def _answered(response: httpx.Response) -> dict:
    """Any answer but a 5xx; an error has exactly the documented body."""
    assert response.status_code < 500, response.text
    body = response.json()
    if response.status_code != 200:
        assert set(body) == {"code", "error", "field"} and body["code"] in (1, 2, 3), body
    return body


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_server_error_on_mutated_problems(server_url, make_problem, data):
    options = {"method": data.draw(st.sampled_from(METHODS)), "time_limit": 0.05}
    base = _mutated({**make_problem(n=4, vehicles=2), "options": options}, data)
    body = json.dumps(base).encode()
    response = httpx.post(f"{server_url}/solve", content=body, headers={"content-type": "application/json"}, timeout=60)
    result = _answered(response)
    if response.status_code == 200:
        check_answer(base, result)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=64) | JSON.map(lambda value: json.dumps(value).encode()))
def test_no_server_error_on_random_bodies(server_url, raw):
    response = httpx.post(f"{server_url}/solve", content=raw, headers={"content-type": "application/json"}, timeout=60)
    assert response.status_code in (400, 422), response.text
    _answered(response)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_the_python_api_raises_only_nco_errors(make_problem, data):
    problem = _mutated(make_problem(n=4, vehicles=2), data)
    try:
        result = nco.solve(problem, time_limit=0.05, method="pyvrp")
    except NcoError as exc:
        assert failure(exc).status < 500
    else:
        check_answer(problem, result)
