"""The refiner's promises: valid output, never worse than its seeds, budgets, determinism."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest

from nco.errors import NcoError
from nco.instance import Instance
from nco.refine import GeneticParams, refine, solve
from nco.refine.progress import progress_printer
from nco.refine.seeds import construction_seeds, policy_seeds, random_seeds
from nco.stop import MaxIterations, MaxRuntime
from nco.validate import check, validate

# Short mutation bursts keep iteration-limited runs fast; defaults are covered by solve().
FAST = GeneticParams(mutation_steps=10)


@pytest.mark.parametrize("name", ["cvrp", "atsp", "cvrptw"])
def test_output_is_valid_and_not_worse_than_seeds(name, request):
    instance = request.getfixturevalue(name)
    seeds = random_seeds(instance, 4, seed=0)
    result = refine(instance, MaxIterations(60), seed=0, seeds=seeds, params=FAST)
    check(instance, result.solution.routes)
    assert result.solution.cost == validate(instance, result.solution.routes).cost
    feasible = [validate(instance, s).cost for s in seeds if validate(instance, s).feasible]
    if feasible:
        assert result.cost <= min(feasible)
    assert result.curve[-1][1] == result.cost
    assert all(b[1] < a[1] for a, b in zip(result.curve, result.curve[1:]))


def test_atsp_stays_one_tour(atsp):
    result = refine(atsp, MaxIterations(30), seed=1, seeds=random_seeds, params=FAST)
    assert result.solution.num_routes == 1


def test_never_worse_than_a_strong_seed(cvrp):
    strong = refine(cvrp, MaxIterations(200), seed=5, seeds=construction_seeds, params=FAST).solution.routes
    result = refine(cvrp, MaxIterations(10), seed=0, seeds=[strong], params=FAST)
    assert result.cost <= validate(cvrp, strong).cost


def test_deterministic_under_iteration_limit(cvrp):
    runs = [refine(cvrp, MaxIterations(80), seed=3, seeds=construction_seeds, params=FAST) for _ in range(2)]
    assert runs[0].solution.routes == runs[1].solution.routes
    assert [c for _, c in runs[0].curve] == [c for _, c in runs[1].curve]
    assert runs[0].num_iterations == runs[1].num_iterations == 80


def test_zero_budget_returns_best_seed(cvrp):
    seeds = random_seeds(cvrp, 3, seed=0)
    best = min(validate(cvrp, s).cost for s in seeds)
    for stop in (MaxRuntime(0), MaxIterations(0)):
        result = refine(cvrp, stop, seeds=seeds)
        assert result.cost == best
        assert result.num_iterations == 0


@pytest.mark.parametrize("limit", [0.2, 0.6])
def test_time_limit_honoured(cvrp, limit):
    solve(cvrp, 0.0)  # warm-up: importing torch and loading the policy are process start-up
    start = time.perf_counter()
    solution = solve(cvrp, limit, seed=0)
    wall = time.perf_counter() - start
    assert wall <= 1.1 * limit + 0.05 + 0.1  # loose: a shared CI machine
    check(cvrp, solution.routes)
    assert solution.solver == "ga"
    assert solution.stats["curve"]


def test_callback_reports_every_improvement(cvrp):
    seen = []
    record = lambda t, c: seen.append((t, c))  # noqa: E731
    result = refine(cvrp, MaxIterations(40), seeds=random_seeds, callback=record, params=FAST)
    assert seen == result.curve


def test_warm_start_is_a_seed(cvrp):
    start = refine(cvrp, MaxIterations(100), seed=2, seeds=construction_seeds, params=FAST).solution
    assert solve(cvrp, 0.0, initial=start.routes).cost <= start.cost


def test_restarts_when_stuck(cvrp):
    params = GeneticParams(restart_after=5, mutation_steps=5)
    result = refine(cvrp, MaxIterations(150), seeds=construction_seeds, params=params)
    assert result.num_restarts >= 1
    check(cvrp, result.solution.routes)


def test_no_budget_still_educates_once_when_nothing_is_feasible(cvrp):
    overloaded = [list(range(1, cvrp.num_customers + 1))]
    result = refine(cvrp, MaxIterations(0), seeds=[overloaded], params=FAST)
    assert result.num_iterations == 1 and validate(cvrp, result.solution.routes).feasible


def test_nothing_feasible_is_a_clear_error():
    # Each customer can only be reached in time on its own route, and there is one vehicle.
    impossible = Instance(
        distances=[[0, 50, 50], [50, 0, 100], [50, 100, 0]],
        demands=[0, 1, 1],
        capacity=4,
        num_vehicles=1,
        time_windows=[[0, 1000], [50, 60], [50, 60]],
    )
    with pytest.raises(NcoError, match="no seed was feasible"):
        refine(impossible, MaxIterations(3), seeds=random_seeds, params=FAST)


def test_policy_seeds_plug_in(cvrp, tmp_path):
    """An untrained policy is enough to check the wiring: its seeds feed the GA."""
    checkpoint = pytest.importorskip("nco.policies.checkpoint")
    policy = pytest.importorskip("nco.policies.policy")
    path = checkpoint.save_policy(tmp_path / "untrained.pt", policy.MatrixPolicy(policy.PolicyConfig()))
    seed_fn = policy_seeds(checkpoint.load_policy(path), construction=False, fallback=None)
    assert seed_fn(cvrp, 4, 0, 0.0) == []  # not even a greedy rollout fits no time at all
    found = seed_fn(cvrp, 4, 0, None)
    assert len(found) == 4 and all(validate(cvrp, routes).feasible for routes in found)
    result = refine(cvrp, MaxRuntime(0.3), seeds=found)
    assert result.cost <= result.best_seed_cost
    fixed = [refine(cvrp, MaxIterations(5), seeds=seed_fn, params=FAST).solution.routes for _ in range(2)]
    assert fixed[0] == fixed[1]


def test_time_windows_fall_back_to_construction_seeds(cvrptw, tmp_path):
    seed_fn = policy_seeds()  # the policy refuses time windows: construction seeds instead
    check(cvrptw, refine(cvrptw, MaxIterations(5), seeds=seed_fn, params=FAST).solution.routes)


def test_progress_printer_writes_one_line_per_improvement(cvrp):
    stream = io.StringIO()
    result = refine(cvrp, MaxIterations(20), seeds=random_seeds, params=FAST, callback=progress_printer(stream))
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(result.curve)
    assert lines[-1].startswith("refine") and f"{result.cost:,.0f} m" in lines[-1]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_instances(n):
    distances = np.array([[abs(i - j) * 100 + (i < j) for j in range(n + 1)] for i in range(n + 1)])
    instance = Instance(distances=distances, demands=np.r_[0, np.ones(n, np.int64)], capacity=2)
    result = refine(instance, MaxIterations(5), seeds=construction_seeds, params=FAST)
    check(instance, result.solution.routes)


def test_seed_with_too_many_routes_is_not_bred_from(cvrp):
    limited = cvrp.replace(num_vehicles=10)
    too_many = [[c] for c in range(1, 41)]
    result = refine(limited, MaxIterations(10), seeds=[too_many, *random_seeds(limited, 2)], params=FAST)
    check(limited, result.solution.routes)
