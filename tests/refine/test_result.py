"""Result: the best solution's cost, the best feasible start cost overall and per origin
(infeasible starts ignored), and the one-line summary."""

from __future__ import annotations

import pytest

from nco.refine import Result
from nco.solution import Solution


@pytest.fixture
def result() -> Result:
    return Result(
        solution=Solution([[1, 2], [3]], cost=1234.0, solver="ga"),
        curve=[(0.1, 1300.0), (0.4, 1234.0)],
        num_iterations=7,
        num_restarts=1,
        runtime=0.5,
        start_costs=[1500.0, None, 1300.0, 1400.0],
        start_origins=["savings", "random", "policy", "policy"],
    )


def test_cost_is_the_solutions(result):
    assert result.cost == 1234.0


def test_best_start_cost_ignores_infeasible_starts(result):
    assert result.best_start_cost == 1300.0
    assert result.best_start_cost_of("policy") == 1300.0
    assert result.best_start_cost_of("savings") == 1500.0
    assert result.best_start_cost_of("random") is None  # its only start was infeasible
    assert result.best_start_cost_of("given") is None


def test_summary(result):
    assert result.summary() == "cost 1234 (best start 1300) after 7 iterations, 1 restarts, 0.50s"


def test_no_feasible_start(result):
    result.start_costs = [None, None, None, None]
    assert result.best_start_cost is None and result.best_start_cost_of("policy") is None
    assert "(best start none)" in result.summary()
