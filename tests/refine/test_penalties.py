"""Adaptive penalties: they rise when too few offspring are feasible, fall when too many are,
hold near the target, stay within bounds, start at the instance's scale, and boost for repair."""

from __future__ import annotations

import pytest

from nco.pyvrp_bridge import to_problem_data
from nco.refine.education import Education
from nco.refine.penalties import PenaltyManager, PenaltyParams


@pytest.fixture
def feasible(line, individual):
    return individual(line, [[1, 2], [3, 4]]).solution


@pytest.fixture
def overloaded(line, individual):
    """All four customers on one route: distance 80, 2 units over capacity."""
    return individual(line, [[1, 2, 3, 4]]).solution


def test_penalty_rises_when_offspring_are_infeasible(cvrp):
    manager = PenaltyManager(10.0, 1.0, PenaltyParams(solutions_between_updates=5))
    education = Education(to_problem_data(cvrp))
    overloaded = education([list(range(1, 41))], manager.cost_evaluator(booster=0.0))
    assert not overloaded.feasible
    for _ in range(5):
        manager.register(overloaded.solution)
    assert manager.load_penalty > 10.0


def test_penalty_falls_when_offspring_are_feasible(feasible):
    manager = PenaltyManager(10.0, 1.0, PenaltyParams(solutions_between_updates=5))
    for _ in range(4):
        manager.register(feasible)
    assert (manager.load_penalty, manager.tw_penalty) == (10.0, 1.0)  # no update before the fifth
    manager.register(feasible)
    assert manager.load_penalty == pytest.approx(8.5) and manager.tw_penalty == pytest.approx(0.85)


def test_penalty_holds_near_the_target_share(feasible, overloaded):
    manager = PenaltyManager(10.0, 1.0, PenaltyParams(solutions_between_updates=4))
    for solution in (feasible, overloaded) * 2:  # half feasible: the target
        manager.register(solution)
    assert manager.load_penalty == 10.0


def test_penalties_stay_within_bounds(overloaded, feasible):
    params = PenaltyParams(solutions_between_updates=1, min_penalty=0.5, max_penalty=100.0)
    manager = PenaltyManager(1e9, 0.0, params)
    assert (manager.load_penalty, manager.tw_penalty) == (100.0, 0.5)
    for _ in range(20):
        manager.register(overloaded)
    assert manager.load_penalty == 100.0
    for _ in range(100):
        manager.register(feasible)
    assert manager.load_penalty == 0.5


def test_initial_penalties_weigh_a_unit_of_violation_like_the_longest_arc(cvrp, cvrptw):
    longest = float(cvrp.distances.max())
    manager = PenaltyManager.for_instance(cvrp)
    assert manager.load_penalty == pytest.approx(longest / cvrp.demands.max())
    assert manager.tw_penalty == pytest.approx(1.0)  # durations are the distances here
    windows = PenaltyManager.for_instance(cvrptw)
    assert windows.tw_penalty == pytest.approx(cvrptw.distances.max() / cvrptw.durations.max())


def test_cost_evaluator_boosts_the_penalties_up_to_the_bound(overloaded):
    manager = PenaltyManager(10.0, 1.0, PenaltyParams(max_penalty=1000.0))
    assert manager.cost_evaluator().penalised_cost(overloaded) == 80 + 10 * 2
    assert manager.cost_evaluator(booster=10.0).penalised_cost(overloaded) == 80 + 100 * 2
    assert manager.cost_evaluator(booster=1e3).penalised_cost(overloaded) == 80 + 1000 * 2
