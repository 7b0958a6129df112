"""Individual: distance, excess load and time warp as PyVRP measures them and as the validator
judges them; feasibility, penalised cost, giant tour and the successor/predecessor arrays."""

from __future__ import annotations

from nco.validate import validate


def test_feasible_individual_on_a_line(line, individual):
    member = individual(line, [[1, 2], [3, 4]])
    assert member.routes == [[1, 2], [3, 4]]
    assert (member.distance, member.excess_load, member.time_warp) == (120, 0, 0)
    assert member.feasible and member.penalised_cost(1e3, 1e3) == 120
    assert member.giant_tour().tolist() == [1, 2, 3, 4]
    assert member.succ[1:].tolist() == [2, 0, 4, 0]
    assert member.pred[1:].tolist() == [0, 1, 0, 3]


def test_overload_makes_an_individual_infeasible_and_costs_its_penalty(line, individual):
    member = individual(line, [[1, 2, 3, 4]])
    assert (member.distance, member.excess_load, member.time_warp) == (80, 2, 0)
    assert not member.feasible
    assert member.penalised_cost(10.0, 0.0) == 80 + 10 * 2


def test_lateness_makes_an_individual_infeasible_and_costs_its_penalty(line, individual):
    windowed = line.replace(time_windows=[[0, 1000], [0, 10], [0, 1000], [0, 1000], [0, 1000]])
    assert individual(windowed, [[1, 2], [3, 4]]).feasible  # customer 1 first: there at 10
    late = individual(windowed, [[2, 1], [3, 4]])  # via customer 2: there at 30, 20 s late
    assert (late.distance, late.excess_load, late.time_warp) == (120, 0, 20)
    assert not late.feasible and not validate(windowed, late.routes).feasible
    assert late.penalised_cost(0.0, 2.0) == 120 + 2 * 20


def test_educated_individuals_agree_with_the_validator(educated, cvrp):
    for member in educated(3, seed=2):
        report = validate(cvrp, member.routes)
        assert member.distance == report.distance and member.feasible == report.feasible
        assert sorted(member.giant_tour().tolist()) == list(range(1, cvrp.num_customers + 1))
