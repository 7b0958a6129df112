"""The HTTP service on a real uvicorn, exercised with a real HTTP client (httpx)."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from nco.api.server import Access, Limits, create_app
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


def _documented(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == {"code", "error", "field"} and "\n" not in body["error"], body
    return body


MALFORMED = [
    (b"", "application/json", "empty"),
    (b"[" * 100_000, "application/json", "nested too deeply"),
    (b'{"jobs": "\xff"}', "application/json", "not valid UTF-8"),
    (b'"/etc/passwd"', "application/json", "must be a JSON object"),
    (b'{"jobs": [', "application/json", "malformed JSON"),
    (b"{}", "text/plain", "Content-Type 'text/plain' is not JSON"),
]


@pytest.mark.parametrize("raw, media, message", MALFORMED, ids=[m for _, _, m in MALFORMED])
def test_malformed_bodies_get_400_with_the_documented_body(server_url, raw, media, message):
    response = httpx.post(f"{server_url}/solve", content=raw, headers={"content-type": media}, timeout=30)
    assert response.status_code == 400, response.text
    body = _documented(response)
    assert body["code"] == 2 and body["field"] == "body" and message in body["error"]


def test_a_byte_order_mark_is_read(server_url, make_problem):
    body = {**make_problem(), "options": {"method": "pyvrp", "time_limit": 0.1}}
    response = _post(server_url, b"\xef\xbb\xbf" + json.dumps(body).encode())
    assert response.status_code == 200, response.text


def test_other_routes_answer_with_the_documented_body(server_url):
    missing = httpx.get(f"{server_url}/nothing-here")
    assert missing.status_code == 404 and _documented(missing)["code"] == 2
    assert httpx.get(f"{server_url}/solve").status_code == 405


@pytest.mark.parametrize("method", ["nco", "policy", "ortools", "pyvrp"])
def test_no_feasible_answer_is_422_code_1(server_url, method):
    # 3 jobs of 6 units in 2 vehicles of 10: capacity suffices in sum, but no packing fits.
    dist = [[0 if i == j else 100 + 10 * i + j for j in range(4)] for i in range(4)]
    problem = {
        "jobs": [{"id": k, "location_index": k, "delivery": [6]} for k in (1, 2, 3)],
        "vehicles": [{"id": v, "start_index": 0, "end_index": 0, "capacity": [10]} for v in (1, 2)],
        "matrices": {"car": {"distances": dist}},
        "options": {"method": method, "time_limit": 0.2},
    }
    response = _post(server_url, problem)
    assert response.status_code == 422, response.text
    assert _documented(response)["code"] == 1


def test_loopback_checks_host_and_origin(server_url, make_problem):
    body = json.dumps({**make_problem(), "options": {"method": "pyvrp", "time_limit": 0.1}}).encode()
    rebound = httpx.post(f"{server_url}/solve", content=body, headers={"host": "evil.example"})
    assert rebound.status_code == 403 and _documented(rebound)["field"] == "Host"
    page = httpx.post(f"{server_url}/solve", content=body, headers={"origin": "http://evil.example"})
    assert page.status_code == 403 and _documented(page)["field"] == "Origin"
    same = httpx.post(f"{server_url}/solve", content=body, headers={"origin": server_url}, timeout=30)
    assert same.status_code == 200, same.text


def test_a_token_guards_everything_but_health_and_the_page(serve, make_problem):
    with serve(create_app(Limits(max_time_limit=1.0), load_policy=False, access=Access(token="s3cret"))) as url:
        body = {**make_problem(), "options": {"method": "pyvrp", "time_limit": 0.1}}
        refused = httpx.post(f"{url}/solve", json=body)
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert _documented(refused)["field"] == "Authorization"
        wrong = httpx.post(f"{url}/solve", json=body, headers={"authorization": "Bearer guess"})
        assert wrong.status_code == 401
        right = httpx.post(f"{url}/solve", json=body, headers={"authorization": "Bearer s3cret"}, timeout=30)
        assert right.status_code == 200, right.text
        assert httpx.get(f"{url}/health").status_code == 200
        assert httpx.get(f"{url}/").status_code == 200  # the page asks for the token itself
        assert httpx.get(f"{url}/cities").status_code == 401


def test_a_full_queue_answers_503_with_retry_after(serve, make_problem):
    limits = Limits(workers=1, queue=2, max_time_limit=1.0)
    with serve(create_app(limits, load_policy=False)) as url:
        body = {**make_problem(), "options": {"method": "pyvrp", "time_limit": 0.6}}
        with ThreadPoolExecutor(6) as pool:
            responses = list(pool.map(lambda _: _post(url, body), range(6)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses.count(200) >= 2 and set(statuses) == {200, 503}, statuses
        shed = next(r for r in responses if r.status_code == 503)
        assert int(shed.headers["retry-after"]) >= 1 and _documented(shed)["code"] == 1
        assert httpx.get(f"{url}/health").json()["load"] == {"requests": 0, "big_bodies": 0}


def test_big_bodies_are_limited_in_number(serve, make_problem):
    limits = Limits(workers=2, max_time_limit=1.0, big_body_bytes=500, big_bodies=1)
    with serve(create_app(limits, load_policy=False)) as url:
        body = {**make_problem(), "options": {"method": "pyvrp", "time_limit": 0.6}}
        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(r.status_code for r in pool.map(lambda _: _post(url, body), range(2)))
        assert statuses == [200, 503]


def test_a_hung_up_request_leaves_the_queue(serve, make_problem):
    with serve(create_app(Limits(workers=1, max_time_limit=2.0), load_policy=False)) as url:
        slow = {**make_problem(), "options": {"method": "pyvrp", "time_limit": 1.5}}
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(_post, url, slow)
            time.sleep(0.3)
            with pytest.raises(httpx.ReadTimeout):  # waits behind the running one, then hangs up
                _post(url, slow, timeout=0.3)
            time.sleep(0.2)
            assert httpx.get(f"{url}/health").json()["load"]["requests"] == 1
            assert running.result().status_code == 200


def test_body_size_is_capped_with_or_without_a_length(server_url):
    declared = httpx.post(f"{server_url}/solve", content=b"{" + b" " * 300_000 + b"}")
    assert declared.status_code == 413 and _documented(declared)["field"] == "body"
    chunked = httpx.post(f"{server_url}/solve", content=iter([b"{", b" " * 300_000, b"}"]))
    assert chunked.status_code == 413


def test_the_schema_states_the_limits(server_url):
    limits = httpx.get(f"{server_url}/health").json()["limits"]
    schema = httpx.get(f"{server_url}/openapi.json").json()
    components = schema["components"]["schemas"]
    request = components["SolveRequest"]["properties"]
    assert request["jobs"]["minItems"] == 1 and request["jobs"]["maxItems"] == limits["max_jobs"]
    assert request["vehicles"]["maxItems"] == limits["max_vehicles"]
    assert components["Options"]["properties"]["time_limit"]["maximum"] == limits["max_time_limit"]
    assert set(schema["paths"]["/solve"]["post"]["responses"]) >= {"200", "400", "413", "422", "503"}


def test_only_loopback_binds_check_host_names():
    assert Access.for_bind("127.0.0.1").hosts == Access.for_bind("localhost").hosts == Access().hosts
    assert Access.for_bind("127.0.0.2").hosts == (*Access().hosts, "127.0.0.2")
    assert Access.for_bind("0.0.0.0", token="t") == Access(None, "t")
