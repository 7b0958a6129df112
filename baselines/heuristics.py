"""Instant construction heuristics: nearest neighbour and asymmetric Clarke-Wright savings.

Both are sanity baselines: deterministic, numpy, and aware of asymmetric matrices, capacity
and time windows. They ignore ``time_limit``, ``seed`` and ``initial`` (kept only so that
they share the solver interface of :mod:`nco.baselines`).
"""

from __future__ import annotations

import time

import numpy as np

from nco.baselines.common import no_solution
from nco.instance import DEPOT, Instance
from nco.solution import Solution
from nco.validate import validated_solution

# Savings considers each customer's this-many nearest successors (granular, as in large-scale
# Clarke-Wright codes): the full list is n**2 joins, 2.4 s of Python at n = 1000.
SAVINGS_CANDIDATES = 64


def nearest_neighbour(
    instance: Instance,
    time_limit: float = 0.0,
    seed: int = 0,
    initial: list[list[int]] | None = None,
) -> Solution:
    """Grow one route at a time, always driving to the nearest customer that still fits.

    A customer fits when the vehicle has room for its demand and, with time windows, when
    service can start by its late time and the vehicle can still return before the depot
    closes. A new route starts when nothing fits.

    Parameters
    ----------
    instance
        The instance to solve.
    time_limit, seed, initial
        Ignored: the heuristic is deterministic and instant.

    Returns
    -------
    Solution
        Validated routes, or ``cost=None`` when the routes exceed ``num_vehicles``.
    """
    start = time.perf_counter()
    dist, demand, service = instance.distances, instance.demands, instance.service
    windows = instance.time_windows
    unvisited = np.ones(instance.num_customers + 1, bool)
    unvisited[DEPOT] = False
    routes: list[list[int]] = []
    while unvisited.any():
        route: list[int] = []
        node, load = DEPOT, 0
        clock = 0 if windows is None else int(windows[DEPOT, 0])
        while True:
            fits = unvisited & (load + demand <= instance.capacity)
            if windows is not None:
                arrive = np.maximum(clock + service[node] + instance.durations[node], windows[:, 0])
                back = arrive + service + instance.durations[:, DEPOT]
                fits &= (arrive <= windows[:, 1]) & (back <= windows[DEPOT, 1])
            candidates = np.flatnonzero(fits)
            if not candidates.size:
                break
            node = int(candidates[np.argmin(dist[node, candidates])])
            route.append(node)
            unvisited[node] = False
            load += int(demand[node])
            if windows is not None:
                clock = int(arrive[node])
        if not route:  # Instance construction rejects customers no vehicle can serve alone
            raise AssertionError(f"no customer fits an empty route; left: {np.flatnonzero(unvisited)[:5]}")
        routes.append(route)
    return _finish(instance, routes, "nn", start)


def savings(
    instance: Instance,
    time_limit: float = 0.0,
    seed: int = 0,
    initial: list[list[int]] | None = None,
) -> Solution:
    """Clarke-Wright savings for asymmetric matrices (parallel version).

    Start from one route per customer and join a route ending in ``i`` to a route starting
    in ``j`` in decreasing order of the saving ``d(i, 0) + d(0, j) - d(i, j)``; routes are
    never reversed, since reversal changes the cost of an asymmetric route. A join must keep
    the load within capacity and, with time windows, every service start within its window.
    Only positive savings are used unless ``num_vehicles`` forces more joins. Parameters
    and result as for :func:`nearest_neighbour`.
    """
    start = time.perf_counter()
    n = instance.num_customers
    gain = _gains(instance)
    usable = gain > 0 if instance.num_vehicles is None else gain > np.iinfo(np.int64).min
    tails, heads = _candidates(instance, usable, SAVINGS_CANDIDATES)
    routes = _join(instance, tails, heads, gain[tails, heads])
    if instance.num_vehicles is not None and len(routes) > instance.num_vehicles:
        tails, heads = _candidates(instance, usable, n)  # the fleet needs joins beyond the granular ones
        routes = _join(instance, tails, heads, gain[tails, heads])
    return _finish(instance, routes, "savings", start)


def guided_savings_routes(instance: Instance, guide: np.ndarray, weight: float) -> list[list[int]]:
    """Clarke-Wright joins reordered by a guide: what a learned model adds to savings.

    The joins are the ones :func:`savings` considers on an instance without fleet limit
    (positive savings among each customer's :data:`SAVINGS_CANDIDATES` nearest successors),
    taken in decreasing order of ``saving / mean depot distance + weight * guide[i, j]``
    instead of the saving alone. :mod:`nco.policies.inference` passes the policy's pointer
    log-probabilities as the guide (its ``"merge"`` decoding).

    Parameters
    ----------
    instance
        The instance; its ``num_vehicles`` is ignored (the caller re-cuts to the fleet).
    guide
        ``(n + 1, n + 1)`` score of driving ``i -> j``, higher is better; only the customers'
        block is read, and entries that are not finite count as 0.
    weight
        The guide's weight against the normalised saving (0: plain savings).

    Returns
    -------
    list[list[int]]
        Routes (unvalidated) serving every customer once, each within capacity.
    """
    return _guided_join(instance, _guided_candidates(instance), guide, weight)


def perturbed_savings_routes(
    instance: Instance,
    guide: np.ndarray,
    weight: float,
    count: int,
    noise: float,
    rng: np.random.Generator,
    plain: bool = True,
) -> list[list[list[int]]]:
    """``count`` route sets of :func:`guided_savings_routes`: the first with ``guide`` as it is
    (unless not ``plain``), every other one with Gaussian noise of spread ``noise`` added to it
    (drawn from ``rng``).

    The candidate joins and their savings are found once for all ``count`` (six samples at
    n = 1000 on oslo-east: 0.26-0.38 s before, 0.21-0.30 s; the same routes).
    The policy's ``"merge:K"`` passes its log-probabilities; an all-zero guide is randomised
    savings, the control that says what the noise alone is worth (``bench/policy.py``).
    """
    candidates = _guided_candidates(instance)
    samples = []
    for j in range(count):
        noisy = guide if plain and j == 0 else guide + noise * rng.standard_normal(guide.shape)
        samples.append(_guided_join(instance, candidates, noisy, weight))
    return samples


def _guided_candidates(instance: Instance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(tails, heads, saving)``: the joins guided savings considers (positive savings among
    :data:`SAVINGS_CANDIDATES` nearest successors) and their savings over the mean depot distance."""
    gain = _gains(instance)
    tails, heads = _candidates(instance, gain > 0, SAVINGS_CANDIDATES)
    depot_distance = max(float(instance.distances[DEPOT, 1:].mean()), 1.0)
    return tails, heads, gain[tails, heads] / depot_distance


def _guided_join(
    instance: Instance, candidates: tuple[np.ndarray, np.ndarray, np.ndarray], guide: np.ndarray, weight: float
) -> list[list[int]]:
    """Savings joins of ``candidates`` (:func:`_guided_candidates`) in decreasing order of
    ``saving + weight * guide[i, j]`` (entries that are not finite count as 0)."""
    tails, heads, saving = candidates
    # Scored on the candidate joins only (n * 64 of them, not n**2): the same joins, in the same order.
    priority = saving + weight * np.nan_to_num(guide[tails + 1, heads + 1], posinf=0.0, neginf=0.0)
    # _join stops at the first non-positive priority (for savings, a join that costs distance)
    # once the fleet allows: shifted above 0, every usable join is considered, in the guide's order.
    if priority.size:
        priority += 1.0 - priority.min()
    return _join(instance, tails, heads, priority)


def _gains(instance: Instance) -> np.ndarray:
    """``(n, n)`` savings ``d(i, 0) + d(0, j) - d(i, j)`` of joining customer ``i`` to ``j``
    (row and column ``c - 1`` for customer ``c``); the diagonal is the smallest int64."""
    dist = instance.distances
    gain = dist[1:, DEPOT][:, None] + dist[DEPOT, 1:][None, :] - dist[1:, 1:]
    np.fill_diagonal(gain, np.iinfo(np.int64).min)
    return gain


def _candidates(instance: Instance, usable: np.ndarray, candidates: int) -> tuple[np.ndarray, np.ndarray]:
    """``(tails, heads)``: the ``usable`` joins ``i -> j`` (customer indices from 0) among each
    customer's ``candidates`` nearest successors.

    Nearest by distance, not by saving: the largest savings all point to the customers far
    from the depot, so a per-customer top list of savings leaves most customers unjoined.
    """
    n = instance.num_customers
    if candidates >= n - 1:
        return np.nonzero(usable)
    between = instance.distances[1:, 1:].astype(np.float64)
    np.fill_diagonal(between, np.inf)
    heads = np.argpartition(between, candidates, axis=1)[:, :candidates].ravel()
    tails = np.repeat(np.arange(n), candidates)
    keep = usable[tails, heads]
    return tails[keep], heads[keep]


def _join(instance: Instance, tails: np.ndarray, heads: np.ndarray, scores: np.ndarray) -> list[list[int]]:
    """Savings joins ``tails[k] -> heads[k]`` (customer indices from 0), highest score first."""
    n = instance.num_customers
    order = np.argsort(-scores, kind="stable")
    tails, heads = tails[order], heads[order]
    gains = scores[order].tolist()
    fleet = instance.num_vehicles or n

    routes = {c: [c] for c in range(1, n + 1)}  # keyed by the route's first customer
    head_of = list(range(n + 1))  # customer -> first customer of its route
    load = {c: int(instance.demands[c]) for c in routes}
    starts = {c: _service_starts(instance, [c]) for c in routes} if instance.has_time_windows else {}
    for i, j, saved in zip((tails + 1).tolist(), (heads + 1).tolist(), gains):
        if saved <= 0 and len(routes) <= fleet:
            break  # joins that cost distance only while the fleet is too small
        a, b = head_of[i], head_of[j]
        if a == b or b != j or routes[a][-1] != i or load[a] + load[b] > instance.capacity:
            continue
        if starts:
            joined = _join_starts(instance, routes[a], starts[a], routes[b], starts[b])
            if joined is None:
                continue
            starts[a] = joined
            del starts[b]
        routes[a] += routes.pop(b)
        load[a] += load.pop(b)
        for c in routes[a]:
            head_of[c] = a
    return list(routes.values())


def _service_starts(instance: Instance, route: list[int]) -> list[int]:
    """Start of service at each customer of ``route``, leaving the depot at opening time."""
    windows, service = instance.time_windows, instance.service
    clock, prev, result = int(windows[DEPOT, 0]), DEPOT, []
    for node in route:
        clock = max(clock + int(service[prev]) + int(instance.durations[prev, node]), int(windows[node, 0]))
        result.append(clock)
        prev = node
    return result


def _join_starts(
    instance: Instance, first: list[int], first_starts: list[int], second: list[int], second_starts: list[int]
) -> list[int] | None:
    """Service starts of ``first + second``, or ``None`` if that breaks a time window.

    Only the second route is re-timed. Starting later never helps, so once a customer's new
    start equals its old one (waiting absorbed the delay) the rest of the feasible old
    schedule carries over unchanged.
    """
    windows, service = instance.time_windows, instance.service
    clock, prev = first_starts[-1], first[-1]
    shifted = []
    for k, node in enumerate(second):
        clock = max(clock + int(service[prev]) + int(instance.durations[prev, node]), int(windows[node, 0]))
        if clock > windows[node, 1]:
            return None
        if clock == second_starts[k]:
            return first_starts + shifted + second_starts[k:]
        shifted.append(clock)
        prev = node
    back = clock + int(service[prev]) + int(instance.durations[prev, DEPOT])
    return None if back > windows[DEPOT, 1] else first_starts + shifted


def _finish(instance: Instance, routes: list[list[int]], name: str, start: float) -> Solution:
    runtime = time.perf_counter() - start
    if instance.num_vehicles is not None and len(routes) > instance.num_vehicles:
        reason = f"{name} built {len(routes)} routes but the instance allows {instance.num_vehicles} vehicles"
        return no_solution(name, runtime, reason)
    return validated_solution(instance, routes, name, runtime)
