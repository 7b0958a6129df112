"""Translation between nco's :class:`Instance` and PyVRP's ``ProblemData`` / ``Solution``.

Used by the PyVRP baseline and by the genetic refiner's local-search education. PyVRP
numbers locations 0..n with the depot first (as nco does), but its ``Solution`` takes
*client* indices 0..n-1 and its routes list activities that carry client indices too; both
directions are handled here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyvrp

from nco.instance import DEPOT, Instance


def to_problem_data(instance: Instance) -> pyvrp.ProblemData:
    """Build PyVRP's ``ProblemData`` from ``instance`` (asymmetric integer matrices).

    Without a vehicle limit, as many vehicles as customers are made available, which
    never binds. Time windows, service times and the depot's opening hours carry over.
    """
    n = instance.num_customers
    coords = instance.coords if instance.coords is not None else np.zeros((n + 1, 2))
    locations = [pyvrp.Location(x=float(x), y=float(y)) for x, y in coords]
    service = instance.service
    windows = instance.time_windows
    clients = [
        pyvrp.Client(
            location=i,
            delivery=[int(instance.demands[i])],
            service_duration=int(service[i]),
            **({} if windows is None else {"tw_early": int(windows[i, 0]), "tw_late": int(windows[i, 1])}),
        )
        for i in range(1, n + 1)
    ]
    depot_window = {} if windows is None else {"tw_early": int(windows[0, 0]), "tw_late": int(windows[0, 1])}
    depots = [pyvrp.Depot(location=DEPOT, **depot_window)]
    vehicle = pyvrp.VehicleType(
        num_available=instance.num_vehicles or n,
        capacity=[instance.capacity],
        **depot_window,
    )
    return pyvrp.ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=[vehicle],
        distance_matrices=[np.ascontiguousarray(instance.distances, dtype=np.int64)],
        duration_matrices=[np.ascontiguousarray(instance.durations, dtype=np.int64)],
    )


def to_pyvrp_solution(data: pyvrp.ProblemData, routes: Sequence[Sequence[int]]) -> pyvrp.Solution:
    """nco routes (customers 1..n) -> PyVRP solution (PyVRP takes client indices 0..n-1)."""
    return pyvrp.Solution(data, [[int(c) - 1 for c in route] for route in routes if len(route)])


def from_pyvrp_solution(solution: pyvrp.Solution) -> list[list[int]]:
    """PyVRP solution -> nco routes; a route's client activities carry client indices 0..n-1."""
    # schedule() hands over all activities at once: about 2.5x faster than iterating the
    # route, which matters inside the refiner where every offspring comes through here.
    routes = [[act.idx + 1 for act in route.schedule() if act.is_client()] for route in solution.routes()]
    return [route for route in routes if route]
