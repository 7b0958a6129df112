"""The validator: random feasible solutions pass with the right cost; mutants fail for the right reason."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nco.instance import Instance
from nco.solution import SolveStats
from nco.validate import InfeasibleSolution, check, validate, validated_solution


@dataclass
class Case:
    """An instance, a feasible solution for it, and that solution's true cost and duration."""

    instance: Instance
    routes: list[list[int]]
    distance: int
    duration: int
    starts: dict[int, int]  # customer -> service start (time-window cases)


def matrix(n: int):
    return arrays(np.int64, (n + 1, n + 1), elements=st.integers(0, 1000)).map(_zero_diagonal)


def _zero_diagonal(m: np.ndarray) -> np.ndarray:
    np.fill_diagonal(m, 0)
    return m


@st.composite
def cases(draw, time_windows: bool = False) -> Case:
    n = draw(st.integers(1, 10))
    distances, durations = draw(matrix(n)), draw(matrix(n))
    demands = np.r_[0, draw(arrays(np.int64, n, elements=st.integers(1, 9)))]
    capacity = draw(st.integers(int(demands.max()), 30))
    order = draw(st.permutations(range(1, n + 1)))
    cuts = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    routes: list[list[int]] = [[]]
    for customer, cut in zip(order, cuts):
        if routes[-1] and (cut or demands[[*routes[-1], customer]].sum() > capacity):
            routes.append([])
        routes[-1].append(customer)
    distance = sum(int(distances[a, b]) for r in routes for a, b in zip([0, *r], [*r, 0]))
    duration = sum(int(durations[a, b]) for r in routes for a, b in zip([0, *r], [*r, 0]))
    fields = {}
    starts: dict[int, int] = {}
    if time_windows:
        service = np.r_[0, draw(arrays(np.int64, n, elements=st.integers(0, 20)))]
        windows = np.zeros((n + 1, 2), np.int64)
        duration = 0
        for r in routes:
            time, prev = 0, 0
            for c in r:
                arrival = time + int(durations[prev, c])
                early = max(0, arrival + draw(st.integers(-50, 50)))  # positive: the vehicle waits
                starts[c] = max(arrival, early)
                windows[c] = early, max(starts[c] + draw(st.integers(0, 50)), int(durations[0, c]))
                time, prev = starts[c] + int(service[c]), c
            duration += time + int(durations[prev, 0])
        # The depot closes after every route is back and every customer has a round trip.
        direct = np.maximum(durations[0], windows[:, 0]) + service + durations[:, 0]
        windows[0] = 0, max(duration, int(direct.max())) + draw(st.integers(0, 30))
        fields = {"time_windows": windows, "service_times": service}
    instance = Instance(distances=distances, durations=durations, demands=demands, capacity=capacity, **fields)
    return Case(instance, routes, distance, duration, starts)


@settings(max_examples=150, deadline=None)
@given(case=cases())
def test_feasible_solutions_pass_with_their_cost(case):
    report = validate(case.instance, case.routes)
    assert report.feasible, report.violations
    assert report.cost == report.distance == case.distance
    assert report.duration == case.duration


@settings(max_examples=100, deadline=None)
@given(case=cases(time_windows=True))
def test_feasible_time_window_solutions_pass(case):
    report = validate(case.instance, case.routes + [[]])  # empty routes are ignored
    assert report.feasible, report.violations
    assert (report.distance, report.duration) == (case.distance, case.duration)
    assert check(case.instance, case.routes) == report


@settings(max_examples=100, deadline=None)
@given(case=cases(), data=st.data())
def test_missing_customer(case, data):
    routes = [list(r) for r in case.routes]
    r = data.draw(st.integers(0, len(routes) - 1))
    customer = routes[r].pop(data.draw(st.integers(0, len(routes[r]) - 1)))
    assert validate(case.instance, routes).violations == [f"customers not visited: [{customer}]"]


@settings(max_examples=100, deadline=None)
@given(case=cases(), data=st.data())
def test_repeated_customer(case, data):
    routes = [list(r) for r in case.routes]
    customer = data.draw(st.sampled_from(sorted(c for r in routes for c in r)))
    routes.append([customer])  # its own new route: no capacity side effect
    assert validate(case.instance, routes).violations == [f"customers visited more than once: [{customer}]"]


@settings(max_examples=100, deadline=None)
@given(case=cases(), bad=st.sampled_from([0, -1, "n+1"]), data=st.data())
def test_node_out_of_range(case, bad, data):
    n = case.instance.num_customers
    node = n + 1 if bad == "n+1" else bad
    routes = [list(r) for r in case.routes]
    r = data.draw(st.integers(0, len(routes) - 1))
    routes[r].insert(data.draw(st.integers(0, len(routes[r]))), node)
    violations = validate(case.instance, routes).violations
    assert violations[0] == f"route {r}: node {node} is not a customer (1..{n})"
    # The broken route is skipped, so its customers also count as unvisited.
    assert violations[1:] == [f"customers not visited: {sorted(c for c in routes[r] if c != node)[:10]}"]


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_capacity_exceeded(case):
    merged = [c for r in case.routes for c in r]
    load = int(case.instance.demands.sum())
    assume(load > case.instance.capacity)
    assert validate(case.instance, [merged]).violations == [
        f"route 0: load {load} exceeds capacity {case.instance.capacity}"
    ]


@settings(max_examples=100, deadline=None)
@given(case=cases())
def test_too_many_routes(case):
    vehicles = len(case.routes) - 1
    assume(vehicles >= 1 and case.instance.demands.sum() <= vehicles * case.instance.capacity)
    limited = case.instance.replace(num_vehicles=vehicles)
    assert validate(limited, case.routes).violations == [f"{len(case.routes)} routes exceed the {vehicles} vehicles"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(case=cases(time_windows=True), data=st.data())
def test_late_arrival(case, data):
    windows = case.instance.time_windows.copy()
    # Customers whose window can close just before service starts on the route while the
    # instance stays valid (its window not empty, still reachable straight from the depot).
    direct = case.instance.durations[0]
    closable = sorted(c for c, start in case.starts.items() if start - 1 >= max(windows[c, 0], direct[c]))
    assume(closable)
    customer = data.draw(st.sampled_from(closable))
    windows[customer, 1] = case.starts[customer] - 1
    tight = case.instance.replace(time_windows=windows)
    r = next(i for i, route in enumerate(case.routes) if customer in route)
    violations = validate(tight, case.routes).violations
    assert violations == [f"route {r}: reaches customer {customer} at {case.starts[customer]}, after its late time {windows[customer, 1]}"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(case=cases(time_windows=True))
def test_late_return_to_depot(case):
    returns = []
    for route in case.routes:
        last = route[-1]
        returns.append(case.starts[last] + int(case.instance.service[last]) + int(case.instance.durations[last, 0]))
    windows = case.instance.time_windows.copy()
    # Close the depot before the last route is back but after every customer's own round trip.
    inst = case.instance
    direct = np.maximum(inst.durations[0], windows[:, 0]) + inst.service + inst.durations[:, 0]
    windows[0, 1] = max(int(direct[1:].max()), max(returns) - 1)
    assume(windows[0, 1] < max(returns))
    tight = inst.replace(time_windows=windows)
    late = [f"route {r}: returns to the depot at {t}, after its late time {windows[0, 1]}" for r, t in enumerate(returns) if t > windows[0, 1]]
    assert validate(tight, case.routes).violations == late


@pytest.mark.parametrize("node", [1.7, "a", None, 2.5])
def test_non_integer_nodes_are_not_customers(node):
    inst = Instance(distances=[[0, 1, 1], [1, 0, 1], [1, 1, 0]])
    assert validate(inst, [[node, 2]]).violations == [
        f"route 0: node {node} is not a customer (1..2)",
        "customers not visited: [1, 2]",
    ]
    assert validate(inst, [[2.0], [np.int32(1)]]).feasible  # integral values of any type are fine


def test_validated_solution_and_check():
    inst = Instance(distances=[[0, 4, 6], [5, 0, 1], [7, 2, 0]], demands=[0, 1, 1], capacity=1)
    solution = validated_solution(inst, [[1], [], [np.int64(2)]], "test", 0.5, SolveStats(iterations=1))
    assert solution.routes == [[1], [2]] and solution.cost == 4 + 5 + 6 + 7
    assert (solution.solver, solution.runtime, solution.stats) == ("test", 0.5, SolveStats(iterations=1))
    with pytest.raises(InfeasibleSolution, match="load 2 exceeds capacity 1") as err:
        validated_solution(inst, [[1, 2]], "test", 0.0)
    assert not err.value.report.feasible
