"""nco.solve end to end: VROOM JSON in, validated VROOM JSON out."""

from __future__ import annotations

import json

import numpy as np
import pytest

import nco
from nco.api.examples import EXAMPLES, make_example
from nco.api.matrices import resolve_matrices
from nco.api.schema import build_instance, parse_problem
from nco.api.solve import default_policy
from nco.errors import InputError
from nco.paths import EXAMPLES_DIR
from nco.pools import list_pools, load_pool
from nco.validate import validate


def _replay(data: dict, result: dict) -> int:
    """Re-validate the answer from scratch: job ids -> nodes -> nco.validate; returns the cost."""
    problem = parse_problem(data)
    matrices = resolve_matrices(problem, allow_haversine=True)
    instance = build_instance(problem, matrices.distances, matrices.durations)
    node = {job_id: i + 1 for i, job_id in enumerate(matrices.translation.job_ids)}
    routes = [[node[s["id"]] for s in route["steps"] if s["type"] == "job"] for route in result["routes"]]
    report = validate(instance, routes)
    assert report.feasible, report.violations
    return report.cost


def _check_shape(result: dict, data: dict) -> None:
    assert result["code"] == 0
    summary = result["summary"]
    assert set(summary["computing_times"]) >= {"loading", "matrix", "inference", "refine"}
    assert summary["routes"] == len(result["routes"]) <= len(data["vehicles"])
    assert summary["unassigned"] == 0 and result["unassigned"] == []
    assert summary["cost"] == sum(route["cost"] for route in result["routes"])
    vehicle_ids = {v["id"] for v in data["vehicles"]}
    served = []
    for route in result["routes"]:
        assert route["vehicle"] in vehicle_ids
        steps = route["steps"]
        assert steps[0]["type"] == "start" and steps[-1]["type"] == "end"
        assert all(s["type"] == "job" for s in steps[1:-1])
        arrivals = [s["arrival"] for s in steps]
        assert arrivals == sorted(arrivals)
        loads = [s["load"][0] for s in steps]
        assert loads[-1] == 0 and loads[0] == route["delivery"][0] and loads == sorted(loads, reverse=True)
        assert steps[-1]["distance"] == route["distance"]
        served += [s["id"] for s in steps[1:-1]]
    assert sorted(served) == sorted(job["id"] for job in data["jobs"])
    assert result["nco"]["validated"] is True


@pytest.mark.parametrize("method", ["pyvrp", "ortools", "nco", "policy"])
def test_methods_return_validated_vroom_json(make_problem, method):
    data = make_problem(n=12, vehicles=4, capacity=12)
    default_policy()  # loading the checkpoint is on the clock: a first call may spend 0.3 s on it
    result = nco.solve(data, time_limit=0.3, method=method, seed=1)
    _check_shape(result, data)
    assert _replay(data, result) == result["summary"]["cost"]
    assert result["nco"]["method"] == method and result["nco"]["seed"] == 1
    assert result["nco"]["runtime"] < 0.3 + 2.0  # loose: the time limit is honoured
    assert result["nco"]["matrix"]["source"] == "input"
    if result["nco"]["fallback"]:  # a learned method that cannot run says what answered instead
        assert result["nco"]["solver"] == {"nco": "ga", "policy": "pyvrp"}[method]
    if method == "nco":
        assert result["nco"]["refiner_iterations"] > 0
        assert (result["nco"]["checkpoint"] is None) == (result["nco"]["fallback"] is not None)


def test_time_windows_give_arrivals_inside_them(make_problem):
    data = make_problem(n=8, vehicles=8)
    for vehicle in data["vehicles"]:
        vehicle["time_window"] = [0, 50_000]
    for k, job in enumerate(data["jobs"]):
        job["time_windows"] = [[1000 * k, 1000 * k + 3000]]
        job["service"] = 120
    result = nco.solve(data, time_limit=0.3, method="pyvrp")
    _check_shape(result, data)
    windows = {job["id"]: job["time_windows"][0] for job in data["jobs"]}
    for route in result["routes"]:
        for step in route["steps"][1:-1]:
            start = step["arrival"] + step["waiting_time"]
            assert windows[step["id"]][0] <= start <= windows[step["id"]][1]
            assert step["service"] == 120


def test_coordinates_with_haversine_are_labelled():
    rng = np.random.default_rng(3)
    points = rng.uniform([7.41, 43.72], [7.44, 43.75], size=(9, 2)).round(6).tolist()
    data = {
        "jobs": [{"id": i, "location": p, "delivery": [1]} for i, p in enumerate(points[1:], start=1)],
        "vehicles": [{"id": v, "start": points[0], "end": points[0], "capacity": [4]} for v in (5, 6, 7)],
    }
    result = nco.solve(data, time_limit=0.2, method="pyvrp", allow_haversine=True)
    _check_shape(result, data)
    assert result["nco"]["matrix"]["source"] == "haversine"
    assert result["routes"][0]["steps"][0]["location"] == points[0]
    with pytest.raises(InputError, match="allow_haversine"):
        nco.solve(data, time_limit=0.2, method="pyvrp")


def test_a_path_is_accepted():
    result = nco.solve(EXAMPLES_DIR / "monaco_50.json", time_limit=0.2, method="pyvrp")
    assert result["code"] == 0 and result["summary"]["routes"] >= 1
    with pytest.raises(InputError, match="no such file"):
        nco.solve("/nonexistent.json")


def test_an_instance_is_accepted():
    rng = np.random.default_rng(0)
    dist = rng.integers(100, 1000, size=(8, 8))
    np.fill_diagonal(dist, 0)
    instance = nco.Instance(distances=dist, demands=[0, *[1] * 7], capacity=3)
    result = nco.solve(instance, time_limit=0.2, method="pyvrp")
    assert result["code"] == 0 and result["nco"]["matrix"]["source"] == "instance"
    assert sorted(s["id"] for r in result["routes"] for s in r["steps"] if s["type"] == "job") == list(range(1, 8))


def test_nco_leaves_the_policy_out_when_no_rollout_fits():
    result = nco.solve(EXAMPLES_DIR / "liechtenstein_200.json", time_limit=0.02, method="nco")
    assert result["code"] == 0 and result["nco"]["checkpoint"] is None
    assert "a policy rollout would not fit" in result["nco"]["fallback"]  # and torch was not needed
    assert result["nco"]["fallback"].endswith("refiner seeded by Clarke-Wright savings")


@pytest.mark.parametrize(
    "options, field",
    [({"method": "magic"}, "method"), ({"time_limit": -1}, "time_limit"), ({"seed": -2}, "seed")],
)
def test_bad_options_name_the_field(make_problem, options, field):
    with pytest.raises(InputError) as info:
        nco.solve(make_problem(), **options)
    assert info.value.field == field


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_shipped_examples_solve_and_validate(name):
    data = json.loads((EXAMPLES_DIR / f"{name}.json").read_text())
    result = nco.solve(data, time_limit=1.0, method="nco")
    _check_shape(result, data)
    assert _replay(data, result) == result["summary"]["cost"]
    assert all("location" in step for route in result["routes"] for step in route["steps"])  # drawable
    if EXAMPLES[name]["pool"] in list_pools():  # the builder reproduces the shipped file
        spec = dict(EXAMPLES[name])
        rebuilt = make_example(load_pool(spec.pop("pool")), **spec)
        assert json.loads(json.dumps(rebuilt)) == data


@pytest.fixture(scope="module")
def small_policy():
    """A real (untrained, small) attention policy: exercises policy seeding without a checkpoint."""
    import torch

    from nco.policies.inference import PolicySolver
    from nco.policies.policy import MatrixPolicy, PolicyConfig

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as nco solve / nco serve do (see limit_torch_threads)
    torch.manual_seed(0)
    config = PolicyConfig(embed_dim=32, num_heads=4, num_layers=1, ff_dim=64)
    yield PolicySolver(MatrixPolicy(config), {"id": "untrained-test"})
    torch.set_num_threads(threads)


def test_nco_seeds_the_refiner_with_the_policy_within_the_fleet(small_policy):
    data = json.loads((EXAMPLES_DIR / "monaco_50.json").read_text())
    # Fewer vehicles than an untrained policy uses: its seeds are re-cut to fit the fleet.
    data["vehicles"] = data["vehicles"][:8]
    result = nco.solve(data, time_limit=1.0, method="nco", policy=small_policy)
    _check_shape(result, data)
    extras = result["nco"]
    assert extras["solver"] == "nco" and extras["fallback"] is None
    assert extras["checkpoint"] == "untrained-test"
    # Re-cut seeds may all be overloaded (then no policy seed is feasible and policy_cost is
    # None); when one is feasible the refiner never ends worse than it.
    assert extras["policy_cost"] is None or extras["policy_cost"] >= result["summary"]["cost"]
    assert result["summary"]["computing_times"]["inference"] > 0
    tw = json.loads((EXAMPLES_DIR / "monaco_tw_30.json").read_text())
    result = nco.solve(tw, time_limit=0.5, method="nco", policy=small_policy)
    _check_shape(result, tw)
    assert "time windows" in result["nco"]["fallback"]  # the policy cannot seed them; said so


def test_policy_method_uses_the_given_policy(small_policy, make_problem):
    data = make_problem(n=8, vehicles=8)
    result = nco.solve(data, time_limit=0.3, method="policy", policy=small_policy)
    _check_shape(result, data)
    assert result["nco"]["solver"] == "policy" and result["nco"]["checkpoint"] == "untrained-test"
