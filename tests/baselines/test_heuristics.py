import numpy as np
import pytest

from nco.baselines.heuristics import nearest_neighbour, savings
from nco.instance import Instance
from nco.validate import validate


@pytest.mark.parametrize("heuristic", [nearest_neighbour, savings])
@pytest.mark.parametrize("time_windows", [False, True])
def test_routes_are_valid(make_instance, heuristic, time_windows):
    instance = make_instance(40, seed=3, time_windows=time_windows)
    solution = heuristic(instance)
    report = validate(instance, solution.routes)
    assert report.feasible, report.violations
    assert solution.cost == report.cost


@pytest.mark.parametrize("heuristic", [nearest_neighbour, savings])
def test_atsp_is_one_tour(make_instance, heuristic):
    base = make_instance(30, seed=1)
    atsp = Instance(distances=base.distances, num_vehicles=1)  # zero demands, one vehicle
    solution = heuristic(atsp)
    assert solution.num_routes == 1 and sorted(solution.routes[0]) == list(range(1, 31))


def test_savings_joins_against_positive_savings_when_the_fleet_requires(make_instance):
    instance = make_instance(25, seed=2, capacity=1000, num_vehicles=2)
    solution = savings(instance)
    assert solution.feasible and solution.num_routes <= 2


def test_savings_uses_the_asymmetric_direction():
    # Going 1 -> 2 is cheap, 2 -> 1 is dear: the route must be depot -> 1 -> 2 -> depot.
    distances = np.array([[0, 10, 10], [10, 0, 1], [10, 50, 0]])
    solution = savings(Instance(distances=distances, demands=[0, 1, 1], capacity=2))
    assert solution.routes == [[1, 2]] and solution.cost == 21


def test_too_small_fleet_is_reported_not_returned(make_instance):
    # Ten vehicles carry the demand, but windows an hour wide all over four hours do not fit.
    instance = make_instance(30, seed=4, time_windows=True, capacity=1000, num_vehicles=1)
    solution = nearest_neighbour(instance)
    assert solution.cost is None and "allows 1 vehicles" in solution.stats.reason
