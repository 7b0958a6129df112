"""The refiner's promises: valid output, never worse than its starts, budgets, determinism."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest

from nco.errors import NcoError
from nco.instance import Instance
from nco.refine import GeneticParams, refine, solve
from nco.refine.progress import progress_printer
from nco.refine.starts import construction_starts, policy_starts, random_starts
from nco.stop import MaxIterations, MaxRuntime
from nco.validate import check, validate

# Short mutation bursts keep iteration-limited runs fast; defaults are covered by solve().
FAST = GeneticParams(mutation_steps=10)


@pytest.mark.parametrize("name", ["cvrp", "atsp", "cvrptw"])
def test_output_is_valid_and_not_worse_than_starts(name, request):
    instance = request.getfixturevalue(name)
    starts = random_starts(instance, 4, seed=0)
    result = refine(instance, MaxIterations(60), seed=0, starts=starts, params=FAST)
    check(instance, result.solution.routes)
    assert result.solution.cost == validate(instance, result.solution.routes).cost
    feasible = [validate(instance, s.routes).cost for s in starts if validate(instance, s.routes).feasible]
    if feasible:
        assert result.cost <= min(feasible)
    assert result.curve[-1][1] == result.cost
    assert all(b[1] < a[1] for a, b in zip(result.curve, result.curve[1:]))


def test_atsp_stays_one_tour(atsp):
    result = refine(atsp, MaxIterations(30), seed=1, starts=random_starts, params=FAST)
    assert result.solution.num_routes == 1


def test_never_worse_than_a_strong_seed(cvrp):
    strong = refine(cvrp, MaxIterations(200), seed=5, starts=construction_starts, params=FAST).solution.routes
    result = refine(cvrp, MaxIterations(10), seed=0, starts=[strong], params=FAST)
    assert result.cost <= validate(cvrp, strong).cost


def test_deterministic_under_iteration_limit(cvrp):
    runs = [refine(cvrp, MaxIterations(80), seed=3, starts=construction_starts, params=FAST) for _ in range(2)]
    assert runs[0].solution.routes == runs[1].solution.routes
    assert [c for _, c in runs[0].curve] == [c for _, c in runs[1].curve]
    assert runs[0].num_iterations == runs[1].num_iterations == 80


def test_zero_budget_returns_best_start(cvrp):
    starts = random_starts(cvrp, 3, seed=0)
    best = min(validate(cvrp, s.routes).cost for s in starts)
    for stop in (MaxRuntime(0), MaxIterations(0)):
        result = refine(cvrp, stop, starts=starts)
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
    assert solution.stats.curve


def test_callback_reports_every_improvement(cvrp):
    seen = []
    record = lambda t, c: seen.append((t, c))  # noqa: E731
    result = refine(cvrp, MaxIterations(40), starts=random_starts, callback=record, params=FAST)
    assert seen == result.curve


def test_warm_start_is_a_seed(cvrp):
    start = refine(cvrp, MaxIterations(100), seed=2, starts=construction_starts, params=FAST).solution
    assert solve(cvrp, 0.0, initial=start.routes).cost <= start.cost


def test_restarts_when_stuck(cvrp):
    params = GeneticParams(restart_after=5, mutation_steps=5)
    result = refine(cvrp, MaxIterations(150), starts=construction_starts, params=params)
    assert result.num_restarts >= 1
    check(cvrp, result.solution.routes)


def test_no_budget_still_educates_once_when_nothing_is_feasible(cvrp):
    overloaded = [list(range(1, cvrp.num_customers + 1))]
    result = refine(cvrp, MaxIterations(0), starts=[overloaded], params=FAST)
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
    with pytest.raises(NcoError, match="no starting solution was feasible"):
        refine(impossible, MaxIterations(3), starts=random_starts, params=FAST)


def test_policy_starts_plug_in(cvrp, tmp_path):
    """An untrained policy is enough to check the wiring: its starts feed the GA."""
    checkpoint = pytest.importorskip("nco.policies.checkpoint")
    policy = pytest.importorskip("nco.policies.policy")
    path = checkpoint.save_policy(tmp_path / "untrained.pt", policy.MatrixPolicy(policy.PolicyConfig()))
    source = policy_starts(checkpoint.load_policy(path), construction=False, fallback=None)
    assert source(cvrp, 4, 0, 0.0) == []  # not even a greedy rollout fits no time at all
    found = source(cvrp, 4, 0, None)
    assert len(found) == 4 and all(validate(cvrp, start.routes).feasible for start in found)
    result = refine(cvrp, MaxRuntime(0.3), starts=found)
    assert result.cost <= result.best_start_cost == result.best_start_cost_of("policy")
    assert result.start_origins == ["policy"] * 4 and result.best_start_cost_of("savings") is None
    fixed = [refine(cvrp, MaxIterations(5), starts=source, params=FAST).solution.routes for _ in range(2)]
    assert fixed[0] == fixed[1]


def test_time_windows_fall_back_to_construction_seeds(cvrptw, tmp_path):
    source = policy_starts()  # the policy refuses time windows: construction starts instead
    check(cvrptw, refine(cvrptw, MaxIterations(5), starts=source, params=FAST).solution.routes)


def test_progress_printer_writes_one_line_per_improvement(cvrp):
    stream = io.StringIO()
    result = refine(cvrp, MaxIterations(20), starts=random_starts, params=FAST, callback=progress_printer(stream))
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(result.curve)
    assert lines[-1].startswith("refine") and f"{result.cost:,.0f} m" in lines[-1]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_instances(n):
    distances = np.array([[abs(i - j) * 100 + (i < j) for j in range(n + 1)] for i in range(n + 1)])
    instance = Instance(distances=distances, demands=np.r_[0, np.ones(n, np.int64)], capacity=2)
    result = refine(instance, MaxIterations(5), starts=construction_starts, params=FAST)
    check(instance, result.solution.routes)


def test_start_with_too_many_routes_is_not_bred_from(cvrp):
    limited = cvrp.replace(num_vehicles=10)
    too_many = [[c] for c in range(1, 41)]
    result = refine(limited, MaxIterations(10), starts=[too_many, *random_starts(limited, 2)], params=FAST)
    check(limited, result.solution.routes)
