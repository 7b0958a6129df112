"""The HTTP service on a real uvicorn, exercised with a real HTTP client (httpx)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from nco.paths import CHECKPOINTS_DIR

DEFAULT_CHECKPOINT = CHECKPOINTS_DIR / "acvrp.pt"


def _post(url: str, body: dict | bytes, timeout: float = 60) -> httpx.Response:
    if isinstance(body, bytes):
        return httpx.post(f"{url}/solve", content=body, headers={"content-type": "application/json"}, timeout=timeout)
    # json.dumps (not httpx's json=) so that NaN reaches the server as the bare token NaN.
    return _post(url, json.dumps(body).encode(), timeout)


def test_health_and_docs(server_url):
    health = httpx.get(f"{server_url}/health").json()
    assert health["status"] == "ok" and "nco" in health["methods"]
    assert health["limits"]["max_time_limit"] == 2.0
    # Loaded once at start-up, when a checkpoint ships.
    assert (health["checkpoint"] is not None) == DEFAULT_CHECKPOINT.is_file()
    assert httpx.get(f"{server_url}/docs").status_code == 200
    schema = httpx.get(f"{server_url}/openapi.json").json()
    assert "/solve" in schema["paths"]


def test_solve_happy_path(server_url, make_problem):
    data = make_problem(n=10, vehicles=4)
    response = _post(server_url, {**data, "options": {"method": "pyvrp", "time_limit": 0.3, "seed": 2}})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["code"] == 0 and result["nco"]["seed"] == 2 and result["nco"]["validated"]
    served = sorted(s["id"] for r in result["routes"] for s in r["steps"] if s["type"] == "job")
    assert served == sorted(job["id"] for job in data["jobs"])


def test_default_method_answers(server_url, make_problem):
    response = _post(server_url, {**make_problem(), "options": {"time_limit": 0.3}})
    assert response.status_code == 200, response.text
    extras = response.json()["nco"]
    assert extras["method"] == "nco"
    # The checkpoint loaded at start-up is the one reported.
    assert extras["checkpoint"] == httpx.get(f"{server_url}/health").json()["checkpoint"]


def _nan(d):
    d["matrices"]["car"]["distances"][1][2] = float("nan")


def _negative(d):
    d["matrices"]["car"]["distances"][1][2] = -5


def _ragged(d):
    d["matrices"]["car"]["distances"][3].pop()


def _short(d):
    d["matrices"]["car"]["durations"].pop()


def _heavy(d):
    d["jobs"][2]["delivery"] = [11]


def _unknown_index(d):
    d["jobs"][4]["location_index"] = 17


BAD = [
    (_nan, 422, "matrices.car.distances[1][2]"),
    (_negative, 422, "matrices.car.distances[1][2]"),
    (_ragged, 422, "matrices.car.distances"),
    (_short, 422, "matrices.car.durations"),
    (_heavy, 422, "jobs[2].delivery"),
    (_unknown_index, 422, "jobs[4].location_index"),
]


@pytest.mark.parametrize("break_it, status, field", BAD, ids=[f.__name__ for f, _, _ in BAD])
def test_bad_problems_get_a_json_error_naming_the_field(server_url, make_problem, break_it, status, field):
    data = make_problem()
    break_it(data)
    response = _post(server_url, data)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == 2 and body["field"] == field and field in body["error"]


def test_malformed_json(server_url):
    response = _post(server_url, b'{"jobs": [')
    assert response.status_code == 400
    assert response.json() == {"code": 2, "error": response.json()["error"], "field": "body"}


def test_limits(server_url, make_problem):
    too_many = _post(server_url, make_problem(n=51, vehicles=10))
    assert too_many.status_code == 413 and too_many.json()["field"] == "jobs"
    fleet = make_problem()
    fleet["vehicles"] = [dict(fleet["vehicles"][0], id=k) for k in range(11)]
    assert _post(server_url, fleet).json()["field"] == "vehicles"
    slow = _post(server_url, {**make_problem(), "options": {"time_limit": 60}})
    assert slow.status_code == 422 and slow.json()["field"] == "options.time_limit"
    huge = _post(server_url, b" " * 300_000)
    assert huge.status_code == 413 and huge.json()["field"] == "body"


def test_concurrent_requests_do_not_mix(server_url, make_problem):
    problems = [make_problem(n=6 + k, vehicles=4, seed=k) for k in range(8)]
    methods = ["pyvrp", "ortools", "nco", "policy"]
    bodies = [{**p, "options": {"method": methods[k % 4], "time_limit": 0.2}} for k, p in enumerate(problems)]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda b: _post(server_url, b), bodies))
    for problem, response in zip(problems, responses):
        assert response.status_code == 200, response.text
        served = sorted(s["id"] for r in response.json()["routes"] for s in r["steps"] if s["type"] == "job")
        assert served == sorted(job["id"] for job in problem["jobs"])
    assert httpx.get(f"{server_url}/health").status_code == 200


@pytest.mark.osrm
def test_coordinates_are_solved_on_osrm_matrices(osrm_server_url):
    points = [[7.4246, 43.7384], [7.4189, 43.7312], [7.4275, 43.7402], [7.4213, 43.7357], [7.4163, 43.7285]]
    body = {
        "jobs": [{"id": k, "location": p, "delivery": [1]} for k, p in enumerate(points[1:], start=1)],
        "vehicles": [{"id": v, "start": points[0], "end": points[0], "capacity": [2]} for v in (1, 2)],
        "options": {"method": "pyvrp", "time_limit": 0.2},
    }
    response = _post(osrm_server_url, body)
    assert response.status_code == 200, response.text
    assert response.json()["nco"]["matrix"]["source"] == "osrm"
    far = {**body, "jobs": [{"id": 9, "location": [2.35, 48.85]}]}  # Paris is not on the Monaco map
    refused = _post(osrm_server_url, far)
    assert refused.status_code == 422 and refused.json()["field"] == "jobs[0].location"
