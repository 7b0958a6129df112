"""Education: local search that never worsens the penalised cost, keeps every customer exactly
once, stops at a local optimum, and gives the same result for the same random seed."""

from __future__ import annotations

from nco.pyvrp_bridge import to_problem_data, to_pyvrp_solution
from nco.refine.education import Education, neighbourhoods
from nco.refine.penalties import PenaltyManager
from nco.refine.starts import random_starts


def test_education_improves_or_keeps_the_penalised_cost(cvrptw):
    data = to_problem_data(cvrptw)
    education, evaluator = Education(data), PenaltyManager.for_instance(cvrptw).cost_evaluator()
    for routes, _ in random_starts(cvrptw, 3, seed=0):
        improved = education(routes, evaluator)
        before = evaluator.penalised_cost(to_pyvrp_solution(data, routes))
        assert evaluator.penalised_cost(improved.solution) <= before
        assert sorted(improved.giant_tour().tolist()) == list(range(1, cvrptw.num_customers + 1))


def test_education_stops_at_a_local_optimum(cvrp, educated):
    education, evaluator = Education(to_problem_data(cvrp)), PenaltyManager.for_instance(cvrp).cost_evaluator()
    for member in educated(3, seed=1):
        again = education(member.solution, evaluator)  # a PyVRP solution is taken as it is
        assert again.distance == member.distance and again.routes == member.routes


def test_education_is_seeded(cvrp):
    data = to_problem_data(cvrp)
    evaluator = PenaltyManager.for_instance(cvrp).cost_evaluator()
    (routes, _), = random_starts(cvrp, 1, seed=3)
    runs = [Education(data, seed=5)(routes, evaluator).routes for _ in range(2)]
    assert runs[0] == runs[1]


def test_boosted_penalties_repair_an_overloaded_route(cvrp):
    education = Education(to_problem_data(cvrp))
    repaired = education([list(range(1, 41))], PenaltyManager.for_instance(cvrp).cost_evaluator(booster=10.0))
    assert repaired.feasible and repaired.excess_load == 0


def test_neighbourhoods_give_each_customer_its_closest_few(cvrp):
    neighbours = neighbourhoods(to_problem_data(cvrp), num_neighbours=5)
    assert len(neighbours) == cvrp.num_customers
    assert all(len(close) == 5 for close in neighbours.values())
