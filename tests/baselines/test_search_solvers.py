"""What OR-Tools and PyVRP share: valid routes on time, warm starts, honest failure."""

import time

import pytest

from nco.baselines import ortools_solver, pyvrp_solver
from nco.baselines.heuristics import nearest_neighbour
from nco.errors import InputError
from nco.harness import TIME_SLACK
from nco.instance import Instance
from nco.validate import validate

SOLVERS = {"ortools": ortools_solver.solve, "pyvrp": pyvrp_solver.solve}


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("time_windows", [False, True])
def test_cold_start_is_valid_and_on_time(make_instance, name, time_windows):
    instance = make_instance(25, seed=5, time_windows=time_windows)
    start = time.perf_counter()
    solution = SOLVERS[name](instance, 0.4, seed=1)
    wall = time.perf_counter() - start
    assert validate(instance, solution.routes).feasible and solution.solver == name
    assert wall <= 1.1 * 0.4 + TIME_SLACK


@pytest.mark.parametrize("name", SOLVERS)
@pytest.mark.parametrize("time_windows", [False, True])
def test_warm_start_is_used_and_never_worse(make_instance, name, time_windows):
    instance = make_instance(25, seed=6, time_windows=time_windows)
    start = nearest_neighbour(instance)
    solution = SOLVERS[name](instance, 0.2, initial=start.routes)
    assert solution.stats.warm_start == "used"
    assert solution.cost <= start.cost


@pytest.mark.parametrize("name", SOLVERS)
def test_nothing_feasible_gives_no_cost(make_instance, name):
    # One vehicle could carry every demand, but not within the time windows.
    instance = make_instance(30, seed=4, time_windows=True, capacity=1000, num_vehicles=1)
    solution = SOLVERS[name](instance, 0.2)
    assert solution.cost is None and solution.routes == [] and solution.stats.reason


@pytest.mark.parametrize("name", SOLVERS)
def test_warm_start_with_foreign_nodes_is_refused(make_instance, name):
    instance = make_instance(10, seed=3)
    with pytest.raises(InputError, match=r"initial\[1\]: node 11 is not a customer \(1..10\)"):
        SOLVERS[name](instance, 0.1, initial=[[1, 2], [11]])
    with pytest.raises(InputError, match=r"initial\[0\]: node 2 is repeated"):
        SOLVERS[name](instance, 0.1, initial=[[2, 2]])


def test_ortools_ignores_a_warm_start_it_cannot_restore(make_instance):
    instance = make_instance(20, seed=7)
    everyone = [list(range(1, 21))]  # one route far over capacity
    solution = ortools_solver.solve(instance, 0.3, initial=everyone)
    assert solution.stats.warm_start == "rejected" and solution.feasible


def test_ortools_solves_atsp_with_one_vehicle(make_instance):
    atsp = Instance(distances=make_instance(20, seed=8).distances, num_vehicles=1)
    solution = ortools_solver.solve(atsp, 0.3)
    assert solution.num_routes == 1 and validate(atsp, solution.routes).feasible


def test_pyvrp_reports_its_iterations(make_instance):
    solution = pyvrp_solver.solve(make_instance(15, seed=9), 0.1, seed=3)
    assert solution.stats.iterations > 0 and solution.stats.warm_start == "cold"
