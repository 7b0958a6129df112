"""The GA's parts on their own: crossover, split, diversity, population, penalties."""

from __future__ import annotations

import numpy as np

from nco.pyvrp_bridge import to_problem_data
from nco.refine.crossover import ordered_crossover
from nco.refine.diversity import broken_pairs_distance
from nco.refine.education import Education
from nco.refine.penalties import PenaltyManager, PenaltyParams
from nco.refine.population import Population, PopulationParams
from nco.refine.starts import random_starts
from nco.refine.split import split
from nco.validate import validate


def test_ordered_crossover_is_a_permutation_keeping_a_slice():
    rng = np.random.default_rng(0)
    first, second = rng.permutation(np.arange(1, 51)), rng.permutation(np.arange(1, 51))
    for _ in range(20):
        child = ordered_crossover(first, second, rng)
        assert sorted(child) == list(range(1, 51))
        same = np.flatnonzero(child == first)
        assert same.size >= 2


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


def test_broken_pairs_distance(cvrp):
    education = Education(to_problem_data(cvrp))
    evaluator = PenaltyManager.for_instance(cvrp).cost_evaluator()
    a, b = (education(routes, evaluator) for routes, _ in random_starts(cvrp, 2, seed=4))
    assert broken_pairs_distance(a, [a])[0] == 0
    d = broken_pairs_distance(a, [b])[0]
    assert 0 < d <= 1
    assert d == broken_pairs_distance(b, [a])[0]


def test_population_keeps_its_size_and_drops_clones(cvrp):
    education = Education(to_problem_data(cvrp))
    evaluator = PenaltyManager.for_instance(cvrp, PenaltyParams()).cost_evaluator()
    params = PopulationParams(min_pop_size=4, generation_size=3)
    population = Population(params, np.random.default_rng(0))
    members = [education(r, evaluator) for r, _ in random_starts(cvrp, 10, seed=1)]
    for member in [*members, members[0], members[0]]:
        population.add(member, 100.0, 1.0)
        assert len(population.feasible) < 7 and len(population.infeasible) < 7
    first, second = population.select(100.0, 1.0)
    assert first.routes and second.routes


def test_penalty_rises_when_offspring_are_infeasible(cvrp):
    manager = PenaltyManager(10.0, 1.0, PenaltyParams(solutions_between_updates=5))
    education = Education(to_problem_data(cvrp))
    overloaded = education([list(range(1, 41))], manager.cost_evaluator(booster=0.0))
    assert not overloaded.feasible
    for _ in range(5):
        manager.register(overloaded.solution)
    assert manager.load_penalty > 10.0
