"""Split: the cheapest cut of a giant tour into consecutive routes, capacity soft up to an
overload at a penalty, never more routes than vehicles."""

from __future__ import annotations

import numpy as np

from nco.refine.split import split
from nco.validate import validate


def test_split_is_optimal_on_a_tiny_tour(cvrp):
    tour = np.arange(1, 9)
    routes = split(cvrp, tour, load_penalty=1e9, max_overload=1.0)

    def cost(candidate):  # distance of these routes, or None when a route is overloaded
        if any(cvrp.demands[r].sum() > cvrp.capacity for r in candidate):
            return None
        return validate(cvrp, candidate).distance

    assert [c for r in routes for c in r] == tour.tolist()
    # Every way to cut 8 customers into consecutive routes: 2^7 choices of cut points.
    costs = []
    for mask in range(128):
        cuts = [0, *[k + 1 for k in range(7) if mask >> k & 1], 8]
        costs.append(cost([tour[a:b].tolist() for a, b in zip(cuts, cuts[1:])]))
    assert cost(routes) == min(c for c in costs if c is not None)


def test_split_respects_fleet_limit(cvrp):
    limited = cvrp.replace(num_vehicles=8)
    routes = split(limited, np.arange(1, 41), load_penalty=100.0)
    assert len(routes) <= 8
    assert sorted(c for r in routes for c in r) == list(range(1, 41))


def test_split_cuts_a_line_by_hand(line):
    # Capacity 2: [1, 2] + [3, 4] costs 40 + 80; any other cut drives further.
    assert split(line, np.arange(1, 5), load_penalty=1e9, max_overload=1.0) == [[1, 2], [3, 4]]


def test_split_trades_overload_against_distance(line):
    tour = np.arange(1, 5)
    # At 1 per unit of excess: [1] + [2, 3, 4] costs 20 + 80 + 1 = 101 < 120; a route may
    # carry 1.5 x 2 = 3, so all four together (80 + 2) is out of reach ...
    assert split(line, tour, load_penalty=1.0) == [[1], [2, 3, 4]]
    # ... until twice the capacity is allowed.
    assert split(line, tour, load_penalty=1.0, max_overload=2.0) == [[1, 2, 3, 4]]


def test_split_keeps_one_vehicle_to_one_route(atsp):
    tour = np.random.default_rng(0).permutation(np.arange(1, 26))
    assert split(atsp, tour, load_penalty=1.0) == [tour.tolist()]
    assert split(atsp, np.array([], np.int64), load_penalty=1.0) == []
