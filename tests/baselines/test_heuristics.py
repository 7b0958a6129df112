import numpy as np
import pytest

from nco.baselines.heuristics import guided_savings_routes, nearest_neighbour, perturbed_savings_routes, savings
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


def test_guided_savings_without_weight_is_savings(make_instance):
    instance = make_instance(40, seed=5)
    guide = np.random.default_rng(0).normal(size=instance.distances.shape)
    assert guided_savings_routes(instance, guide, 0.0) == savings(instance).routes


def test_guide_decides_between_equal_savings():
    # Joining 1 -> 2 and 2 -> 1 save the same and only one fits the vehicle: the guide chooses.
    distances = np.array([[0, 10, 10], [10, 0, 5], [10, 5, 0]])
    instance = Instance(distances=distances, demands=[0, 1, 1], capacity=2)
    prefer = np.zeros((3, 3))
    prefer[2, 1] = 1.0  # 2 -> 1
    assert guided_savings_routes(instance, prefer, 0.5) == [[2, 1]]
    prefer = np.full((3, 3), -np.inf)  # not finite: read as 0, the plain savings order
    assert guided_savings_routes(instance, prefer, 0.5) == savings(instance).routes


@pytest.mark.parametrize("time_windows", [False, True])
def test_guided_routes_are_valid(make_instance, time_windows):
    instance = make_instance(40, seed=6, time_windows=time_windows)
    guide = np.random.default_rng(1).normal(size=instance.distances.shape)
    routes = guided_savings_routes(instance, guide, 0.3)
    assert validate(instance, routes).feasible


def test_perturbed_savings_start_from_the_guide_and_are_seeded(make_instance):
    instance = make_instance(30, seed=7)
    zero = np.zeros(instance.distances.shape)
    samples = perturbed_savings_routes(instance, zero, 0.001, 4, 3.0, np.random.default_rng(1))
    assert len(samples) == 4 and samples[0] == savings(instance).routes
    assert all(validate(instance, routes).feasible for routes in samples)
    assert samples == perturbed_savings_routes(instance, zero, 0.001, 4, 3.0, np.random.default_rng(1))
