"""Split: cut a giant tour into routes at minimal cost (Prins, 2004), on asymmetric costs.

Capacity is soft here, as in HGS: a route may carry up to ``max_overload`` times the
capacity at ``load_penalty`` per unit of excess, so that split and education can pass
through infeasible space. Time windows are left to education's penalties.
"""

from __future__ import annotations

import numpy as np

from nco.instance import DEPOT, Instance

# Longest route split considers, in customers: bounds the work when capacity hardly binds.
MAX_WINDOW = 200


def split(
    instance: Instance,
    tour: np.ndarray,
    load_penalty: float,
    max_overload: float = 1.5,
) -> list[list[int]]:
    """Optimal cut of ``tour`` into consecutive routes (Bellman over the tour's positions).

    Parameters
    ----------
    instance
        Gives the distances, demands, capacity and vehicle limit.
    tour
        The customers ``1..n`` in visiting order.
    load_penalty
        Cost per unit of load above capacity.
    max_overload
        No route carries more than this times the capacity (a demand alone always fits).

    Returns
    -------
    list[list[int]]
        The routes, in tour order; never more than ``instance.num_vehicles``.
    """
    tour = np.asarray(tour, np.int64)
    size = tour.size
    if size == 0:
        return []
    if instance.num_vehicles == 1:
        return [tour.tolist()]
    # Plain Python over lists: the window of possible route starts is short, and numpy's
    # per-call overhead made a vectorised inner loop five times slower.
    dist = instance.distances
    along = np.concatenate([[0], np.cumsum(dist[tour[:-1], tour[1:]])]).tolist()  # tour[0] -> tour[k]
    load = np.concatenate([[0], np.cumsum(instance.demands[tour])]).tolist()  # first k customers
    out, back = dist[DEPOT, tour].tolist(), dist[tour, DEPOT].tolist()
    capacity = instance.capacity
    limit = max_overload * capacity
    best = [0.0] + [float("inf")] * size
    cut = [0] * (size + 1)
    first = 0
    for end in range(1, size + 1):
        # A route serves tour[start..end-1]; start ranges over the window that fits.
        while first < end - 1 and (load[end] - load[first] > limit or end - first > MAX_WINDOW):
            first += 1
        value, where = float("inf"), first
        for start in range(first, end):
            cost = best[start] + out[start] - along[start]
            excess = load[end] - load[start] - capacity
            if excess > 0:
                cost += load_penalty * excess
            if cost < value:
                value, where = cost, start
        best[end] = value + along[end - 1] + back[end - 1]
        cut[end] = where
    tour = tour.tolist()
    routes = []
    end = size
    while end > 0:
        routes.append(tour[cut[end] : end])
        end = cut[end]
    routes.reverse()
    return _merge_to_fleet(instance, routes)


def _merge_to_fleet(instance: Instance, routes: list[list[int]]) -> list[list[int]]:
    """Join neighbouring routes with the lightest combined load until the fleet suffices.

    The merged routes may be overloaded; education's penalties then push customers out.
    """
    limit = instance.num_vehicles
    if limit is None:
        return routes
    while len(routes) > limit:
        loads = [int(instance.demands[r].sum()) for r in routes]
        k = int(np.argmin([a + b for a, b in zip(loads[:-1], loads[1:])]))
        routes[k : k + 2] = [routes[k] + routes[k + 1]]
    return routes
