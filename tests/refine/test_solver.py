"""refine and solve: valid output never worse than the starts, budgets (time and iterations),
determinism, the callback, where starts come from and what solve reports."""

from __future__ import annotations

import time

import numpy as np
import pytest

from nco.instance import Instance
from nco.refine import GeneticParams, refine, solve
from nco.refine.solver import start_seconds
from nco.refine.starts import construction_starts, policy_starts, random_starts
from nco.stop import MaxIterations, MaxRuntime
from nco.validate import check, validate


@pytest.mark.parametrize("name", ["cvrp", "atsp", "cvrptw"])
def test_output_is_valid_and_not_worse_than_starts(name, request, fast):
    instance = request.getfixturevalue(name)
    starts = random_starts(instance, 4, seed=0)
    result = refine(instance, MaxIterations(60), seed=0, starts=starts, params=fast)
    check(instance, result.solution.routes)
    assert result.solution.cost == validate(instance, result.solution.routes).cost
    feasible = [validate(instance, s.routes).cost for s in starts if validate(instance, s.routes).feasible]
    if feasible:
        assert result.cost <= min(feasible)
    assert result.curve[-1][1] == result.cost
    assert all(b[1] < a[1] for a, b in zip(result.curve, result.curve[1:]))


def test_atsp_stays_one_tour(atsp, fast):
    result = refine(atsp, MaxIterations(30), seed=1, starts=random_starts, params=fast)
    assert result.solution.num_routes == 1


def test_never_worse_than_a_strong_start(cvrp, fast):
    strong = refine(cvrp, MaxIterations(200), seed=5, starts=construction_starts, params=fast).solution.routes
    result = refine(cvrp, MaxIterations(10), seed=0, starts=[strong], params=fast)
    assert result.cost <= validate(cvrp, strong).cost


def test_deterministic_under_iteration_limit(cvrp, fast):
    runs = [refine(cvrp, MaxIterations(80), seed=3, starts=construction_starts, params=fast) for _ in range(2)]
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


def test_callback_reports_every_improvement(cvrp, fast):
    seen = []
    record = lambda t, c: seen.append((t, c))  # noqa: E731
    result = refine(cvrp, MaxIterations(40), starts=random_starts, callback=record, params=fast)
    assert seen == result.curve


def test_warm_start_joins_the_starts(cvrp, fast):
    start = refine(cvrp, MaxIterations(100), seed=2, starts=construction_starts, params=fast).solution
    assert solve(cvrp, 0.0, initial=start.routes).cost <= start.cost


def test_plain_routes_are_given_starts_and_starts_keep_their_origin(cvrp, fast):
    first, second = random_starts(cvrp, 2, seed=1)
    result = refine(cvrp, MaxIterations(3), starts=[first.routes, second], params=fast)
    assert result.start_origins == ["given", "random"]
    assert "starts" in result.timings


def test_a_start_source_gets_num_starts_and_a_share_of_the_time(cvrp):
    asked = []

    def source(instance, k, seed=0, time_limit=None):
        asked.append((k, seed, time_limit))
        return random_starts(instance, k, seed)

    params = GeneticParams(num_starts=3, start_share=0.5, mutation_steps=10)
    refine(cvrp, MaxIterations(0), seed=4, starts=source, params=params)
    refine(cvrp, MaxRuntime(0.2), seed=4, starts=source, params=params)
    assert asked[0] == (3, 4, None)  # no time limit
    assert asked[1][:2] == (3, 4) and 0.09 <= asked[1][2] <= 0.1


def test_starts_get_the_whole_budget_when_no_search_could_follow():
    params = GeneticParams(start_share=0.25)
    assert start_seconds(100, 2.0, params) == 0.5  # the search starts in about 4 ms at n = 100
    assert start_seconds(1000, 0.25, params) == 0.25  # about 0.2 s before it could start at n = 1000


def test_solve_reports_the_start_costs(cvrp):
    solution = solve(cvrp, 0.0, starts=construction_starts)  # no time: the best start is the answer
    costs = solution.stats.start_costs
    assert len(costs) == GeneticParams().num_starts
    assert solution.cost == min(c for c in costs if c is not None)
    assert solution.stats.policy_cost is None  # no start came from the policy
    assert "starts" in solution.stats.timings


def test_solve_answers_without_routes_when_nothing_is_feasible(impossible):
    solution = solve(impossible, 0.0, starts=random_starts)
    assert solution.cost is None and solution.routes == []
    assert "no starting solution was feasible" in solution.stats.reason


def test_policy_starts_plug_in(cvrp, tmp_path, fast):
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
    fixed = [refine(cvrp, MaxIterations(5), starts=source, params=fast).solution.routes for _ in range(2)]
    assert fixed[0] == fixed[1]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_instances(n, fast):
    distances = np.array([[abs(i - j) * 100 + (i < j) for j in range(n + 1)] for i in range(n + 1)])
    instance = Instance(distances=distances, demands=np.r_[0, np.ones(n, np.int64)], capacity=2)
    result = refine(instance, MaxIterations(5), starts=construction_starts, params=fast)
    check(instance, result.solution.routes)
