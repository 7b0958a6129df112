"""Mutation: a burst keeps a valid route set, returns nothing worse than a feasible start,
registers every step for the penalties, stops when out of time, and is seeded."""

from __future__ import annotations

import pytest

from nco.pyvrp_bridge import from_pyvrp_solution, to_problem_data
from nco.refine.education import neighbourhoods
from nco.refine.mutation import Mutation
from nco.refine.penalties import PenaltyManager


@pytest.fixture
def burst(cvrp):
    """``burst(start, steps, seed=0, out_of_time=False)`` -> (best solution, candidates registered)."""
    data = to_problem_data(cvrp)
    neighbours = neighbourhoods(data)
    evaluator = PenaltyManager.for_instance(cvrp).cost_evaluator

    def run(start, steps, seed=0, out_of_time=False):
        registered = []
        best = Mutation(data, seed, neighbours)(start, evaluator, steps, registered.append, lambda: out_of_time)
        return best, registered

    return run


def test_mutation_keeps_a_valid_route_set_and_never_loses_a_feasible_start(burst, educated, cvrp):
    start = educated(1, seed=0)[0]
    assert start.feasible
    best, registered = burst(start.solution, 30)
    routes = from_pyvrp_solution(best)
    assert sorted(c for route in routes for c in route) == list(range(1, cvrp.num_customers + 1))
    assert best.is_feasible() and best.distance() <= start.distance
    assert len(registered) == 30


def test_mutation_stops_when_out_of_time(burst, educated):
    start = educated(1, seed=0)[0]
    for steps, out_of_time in ((0, False), (30, True)):
        best, registered = burst(start.solution, steps, out_of_time=out_of_time)
        assert best is start.solution and registered == []


def test_mutation_is_seeded(burst, educated):
    start = educated(1, seed=1)[0]
    runs = [from_pyvrp_solution(burst(start.solution, 20, seed=4)[0]) for _ in range(2)]
    assert runs[0] == runs[1]
