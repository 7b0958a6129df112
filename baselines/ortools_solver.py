"""OR-Tools routing baseline: path-cheapest-arc start, then guided local search to the limit."""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from nco.baselines.common import checked_initial, no_solution
from nco.baselines.heuristics import nearest_neighbour
from nco.instance import DEPOT, Instance
from nco.solution import Solution, SolveStats
from nco.stop import MaxRuntime
from nco.validate import validated_solution

# OR-Tools needs at least some search time to build a first solution; below this we still
# hand it a sliver rather than a zero limit, which it would read as "no limit".
_MIN_SEARCH_MS = 10


def solve(
    instance: Instance,
    time_limit: float,
    seed: int = 0,
    initial: list[list[int]] | None = None,
) -> Solution:
    """Solve with OR-Tools' routing library within ``time_limit`` seconds.

    Distances are the arc costs (integers: OR-Tools truncates float callbacks). Capacity is
    a dimension; with time windows, a time dimension whose transit is service plus driving
    time and whose slack lets vehicles wait. Guided local search always runs until the
    limit, which covers model building too.

    Parameters
    ----------
    instance
        The instance to solve.
    time_limit
        Wall-clock budget in seconds, including model building.
    seed
        Unused: OR-Tools' routing search has no seed. Time-limited runs still vary from
        run to run, because how far the search gets depends on the machine's load.
    initial
        Optional routes (customers ``1..n``) to start the search from. Routes OR-Tools
        cannot restore (e.g. infeasible ones) are ignored: ``stats.warm_start`` is
        ``"cold"``, ``"used"`` or ``"rejected"``.

    Returns
    -------
    Solution
        The best validated routes, or ``cost=None`` when no feasible solution was found.
    """
    stop = MaxRuntime(time_limit)
    initial = checked_initial(instance, initial)
    manager = pywrapcp.RoutingIndexManager(
        instance.num_customers + 1, _fleet_size(instance, initial), DEPOT
    )
    routing = pywrapcp.RoutingModel(manager)
    _add_constraints(instance, routing, manager)

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    _limit_to(params, stop)
    stats = SolveStats(warm_start="cold")
    assignment = None
    if initial:
        routing.CloseModelWithParameters(params)
        assignment = routing.ReadAssignmentFromRoutes(
            [[manager.NodeToIndex(c) for c in route] for route in initial], True
        )
        stats.warm_start = "used" if assignment is not None else "rejected"
        # Restoring the routes runs the solver, so what is left of the budget has changed.
        _limit_to(params, stop)
    if assignment is not None:
        found = routing.SolveFromAssignmentWithParameters(assignment, params)
    else:
        found = routing.SolveWithParameters(params)
    if found is None:
        return no_solution("ortools", stop.elapsed(), f"no feasible solution within {time_limit:g} s")
    return validated_solution(instance, _routes(routing, manager, found), "ortools", stop.elapsed(), stats)


def _limit_to(params: object, stop: MaxRuntime) -> None:
    """Give the search what is left of the budget."""
    params.time_limit.FromMilliseconds(max(_MIN_SEARCH_MS, int(stop.remaining() * 1000)))


def _fleet_size(instance: Instance, initial: list[list[int]]) -> int:
    """The vehicle limit, or a bound that never binds in practice.

    One vehicle per customer would always suffice but makes the model (and every search
    move) much larger; a quick nearest-neighbour solution shows how many routes are enough,
    and the margin leaves the search room to trade vehicles for distance.
    """
    if instance.num_vehicles is not None:
        return max(instance.num_vehicles, len(initial))
    needed = nearest_neighbour(instance).num_routes
    return min(instance.num_customers, max(needed + max(2, needed // 4), len(initial)))


def _add_constraints(
    instance: Instance, routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager
) -> None:
    """Arc costs, the capacity dimension and, with windows, the time dimension."""
    arc_cost = routing.RegisterTransitMatrix(instance.distances.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(arc_cost)
    vehicles = manager.GetNumberOfVehicles()
    if instance.demands.any():
        demand = routing.RegisterUnaryTransitVector(instance.demands.tolist())
        routing.AddDimensionWithVehicleCapacity(demand, 0, [instance.capacity] * vehicles, True, "load")
    if instance.time_windows is None:
        return
    windows = instance.time_windows
    horizon = int(windows[DEPOT, 1])
    # Service happens at the node being left, so it belongs to the outgoing arc's transit.
    travel = routing.RegisterTransitMatrix((instance.durations + instance.service[:, None]).tolist())
    routing.AddDimension(travel, horizon, horizon, False, "time")
    clock = routing.GetDimensionOrDie("time")
    for node in range(1, instance.num_customers + 1):
        clock.CumulVar(manager.NodeToIndex(node)).SetRange(int(windows[node, 0]), int(windows[node, 1]))
    for vehicle in range(vehicles):
        for index in (routing.Start(vehicle), routing.End(vehicle)):
            clock.CumulVar(index).SetRange(int(windows[DEPOT, 0]), horizon)


def _routes(
    routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager, assignment: pywrapcp.Assignment
) -> list[list[int]]:
    routes = []
    for vehicle in range(manager.GetNumberOfVehicles()):
        index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes
