"""Sectors: a large instance cut around the depot, decoded as one batch, joined back."""

from __future__ import annotations

import numpy as np
import pytest

from nco.baselines.heuristics import guided_savings_routes, perturbed_savings_routes
from nco.policies import sectors
from nco.policies.budget import rollout_seconds
from nco.policies.inference import MERGE_NOISE, MERGE_WEIGHT
from nco.policies.sectors import joined_routes, sector_count, sector_guide, sector_instances
from nco.validate import check


@pytest.fixture
def small_sectors(monkeypatch):
    """Sectors of 10 customers, so that test instances stay small."""
    monkeypatch.setattr(sectors, "SECTOR_SIZE", 10)


def test_sectors_partition_the_customers(small_sectors, sample):
    instance = sample(35, 1)[0]
    subs, maps = sector_instances(instance, 0.0)
    assert sector_count(instance) == len(subs) == 4
    assert {sub.num_customers for sub in subs} == {9}  # 35 = 9 + 9 + 9 + 8, the last padded
    customers = np.concatenate([nodes[1:] for nodes in maps])
    assert sorted(customers[customers > 0]) == list(range(1, 36))
    for sub, nodes in zip(subs, maps):
        assert nodes[0] == 0
        np.testing.assert_array_equal(sub.distances, instance.distances[np.ix_(nodes, nodes)])
        np.testing.assert_array_equal(sub.demands, instance.demands[nodes])  # the depot's copy: 0


def test_turned_sectors_cut_elsewhere(small_sectors, sample):
    instance = sample(40, 1)[0]
    first = [set(nodes) for nodes in sector_instances(instance, 0.0)[1]]
    turned = [set(nodes) for nodes in sector_instances(instance, 0.5)[1]]
    assert first != turned


def test_joined_routes_drop_the_depot_copy():
    maps = [np.array([0, 4, 2, 0]), np.array([0, 1, 3, 5])]
    routes = [[[1, 3], [2]], [[3, 1], [2]]]  # node 3 of the first sector is the depot's copy
    assert joined_routes(maps, routes) == [[4], [2], [5, 1], [3]]


def test_no_sectors_without_coordinates_or_demands(small_sectors, sample):
    instance = sample(35, 1)[0]
    assert sector_count(instance.replace(coords=None)) == 1
    assert sector_count(sample(35, 1, "atsp")[0]) == 1


def test_tight_budget_decodes_in_sectors(small_sectors, solver, sample):
    """A limit below one whole rollout: the policy answers from sectors, every customer once."""
    instance = sample(60, 1)[0].replace(num_vehicles=None)
    size = instance.num_customers + 1
    solver._greedy_seconds = 10.0 / rollout_seconds(size, 1.0)  # a whole rollout priced at 10 s, one round of 6 sectors at 3.3 s
    found = solver.solutions(instance, 3, time_limit=1e-9, always_answer=True)
    assert len(found) == 1  # the first round runs whatever the limit when the answer must exist
    assert check(instance, found[0]).cost > 0
    solver._greedy_seconds = 10.0 / rollout_seconds(size, 1.0)
    found = solver.solutions(instance, 3, time_limit=5.0)  # later rounds are priced by the first
    costs = [check(instance, routes).cost for routes in found]
    assert len(found) >= 2 and costs == sorted(costs)


def test_sector_guide_keeps_each_sector_and_fills_crossings_with_the_row_median():
    maps = [np.array([0, 1, 3, 0]), np.array([0, 2, 4, 5])]  # the first sector padded with a depot copy
    parts = np.array([[[0, 0, 0, 0], [0, -np.inf, -1, 0], [0, -2, -np.inf, 0], [0, 0, 0, 0]],
                      [[0, 0, 0, 0], [0, -np.inf, -1, -3], [0, -2, -np.inf, -4], [0, -5, -6, -np.inf]]], float)
    guide = sector_guide(6, maps, parts)
    assert guide[1, 3] == -1 and guide[3, 1] == -2 and guide[4, 5] == -4 and guide[5, 2] == -5
    assert guide[1, 2] == guide[1, 4] == -1  # crossings: row 1's only move inside its sector
    assert guide[2, 1] == -2  # median of row 2's moves (-1, -3)


def test_sectored_answers_start_with_the_sector_merge(small_sectors, solver, sample):
    instance = sample(60, 1, seed=2)[0].replace(num_vehicles=None)
    solver._greedy_seconds = 10.0 / rollout_seconds(61, 1.0)  # a whole rollout priced at 10 s
    found = solver.solutions(instance, 3, time_limit=1e-9, always_answer=True)
    assert found == [guided_savings_routes(instance, solver._sector_heatmap(instance), MERGE_WEIGHT)]


def test_sectored_answers_are_merges_as_many_as_fit(small_sectors, solver, sample):
    instance = sample(60, 1, seed=2)[0].replace(num_vehicles=None)
    solver._greedy_seconds = 10.0 / rollout_seconds(61, 1.0)  # a whole rollout at 10 s, a sector merge at 2 s
    guide = solver._sector_heatmap(instance)
    merges = perturbed_savings_routes(instance, guide, MERGE_WEIGHT, 3, MERGE_NOISE, np.random.default_rng(0))
    assert len({tuple(map(tuple, routes)) for routes in merges}) == 3
    costs = [check(instance, routes).cost for routes in merges]
    expected = [routes for _, routes in sorted(zip(costs, merges), key=lambda item: item[0])]
    assert solver.solutions(instance, 3, time_limit=5.0) == expected  # two more savings passes fit
    assert solver.solutions(instance, 3, time_limit=1.5) == []  # no merge: no sector greedy either
