"""Population: feasible and infeasible members apart, survivor selection keeps the size bound
and drops clones first, biased fitness ranks in [0, 1], parents come from the population."""

from __future__ import annotations

import numpy as np
import pytest

from nco.refine.population import Population, PopulationParams, SubPopulation


def test_population_keeps_its_size_and_drops_clones(educated):
    params = PopulationParams(min_pop_size=4, generation_size=3)
    population = Population(params, np.random.default_rng(0))
    members = educated(10, seed=1)
    for member in [*members, members[0], members[0]]:
        population.add(member, 100.0, 1.0)
        assert len(population.feasible) < 7 and len(population.infeasible) < 7
    first, second = population.select(100.0, 1.0)
    assert first.routes and second.routes


def test_survivor_selection_drops_a_clone_before_a_worse_member(line, individual):
    cheap, dear = individual(line, [[1, 2], [3, 4]]), individual(line, [[1], [2], [3, 4]])  # 120 and 140 m
    population = Population(PopulationParams(min_pop_size=2, generation_size=1), np.random.default_rng(0))
    for member in (cheap, dear, cheap):
        population.add(member, 1.0, 1.0)
    assert sorted(m.distance for m in population.feasible.members) == [120, 140]


def test_feasible_and_infeasible_members_live_apart(line, individual):
    population = Population(PopulationParams(), np.random.default_rng(0))
    population.add(individual(line, [[1, 2], [3, 4]]), 1.0, 1.0)
    population.add(individual(line, [[1, 2, 3, 4]]), 1.0, 1.0)
    assert (len(population.feasible), len(population.infeasible), len(population)) == (1, 1, 2)
    population.clear()
    assert len(population) == 0


def test_biased_fitness_ranks_cost_and_diversity(educated):
    members = educated(6, seed=3)
    costs = np.array([m.distance for m in members], float)

    def filled(params):
        sub = SubPopulation(params)
        for member in members:
            sub.add(member)
        return sub

    elite = filled(PopulationParams(num_elite=6))
    assert np.allclose(elite.distances, elite.distances.T) and np.all(np.diag(elite.distances) == 0)
    # As many elite as members: diversity has no weight, fitness is the cost rank.
    assert np.argsort(elite.fitness(costs)).tolist() == np.argsort(costs).tolist()
    fitness = filled(PopulationParams(num_elite=1)).fitness(costs)
    assert fitness.min() >= 0 and fitness.max() <= 1


def test_parents_are_members_and_seeded(educated):
    members = educated(5, seed=2)

    def parents(seed):
        population = Population(PopulationParams(), np.random.default_rng(seed))
        for member in members:
            population.add(member, 100.0, 1.0)
        picked = [population.tournament(100.0, 1.0), *population.select(100.0, 1.0)]
        assert all(any(p is m for m in members) for p in picked)
        return [p.routes for p in picked]

    assert parents(7) == parents(7)


@pytest.mark.parametrize(
    "settings", [{"min_pop_size": 0}, {"generation_size": 0}, {"lb_diversity": 0.6, "ub_diversity": 0.5}]
)
def test_population_params_refuse_nonsense(settings):
    with pytest.raises(ValueError):
        PopulationParams(**settings)
