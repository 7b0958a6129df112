"""CityGenerator: sub-instances of one city, demands, capacities, feasible time windows."""

from __future__ import annotations

import numpy as np
import pytest

from nco.envs import CityGenerator, capacity_for, instances_to_td
from nco.errors import InputError


def test_capacity_rises_with_size():
    assert [capacity_for(n) for n in (10, 20, 50, 100, 200, 500, 1000)] == [30, 30, 40, 50, 70, 100, 100]
    assert capacity_for(75) == 45


@pytest.mark.parametrize("mode", ["uniform", "clustered", "mixed"])
def test_instances_are_slices_of_one_city(pools, mode):
    by_name = {pool.name: pool for pool in pools}
    instances = CityGenerator(30, "acvrp", pools, mode=mode, seed=5).instances(6)
    for inst in instances:
        pool = by_name[inst.source["city"]]
        nodes = np.array(inst.source["pool_nodes"])
        assert len(set(nodes.tolist())) == 31  # distinct points, the depot among them
        assert np.array_equal(inst.distances, pool.distances[np.ix_(nodes, nodes)])
        assert np.array_equal(inst.durations, pool.durations[np.ix_(nodes, nodes)])
        assert np.array_equal(inst.coords, pool.coords[nodes])
        assert inst.demands[0] == 0 and 1 <= inst.demands[1:].min() and inst.demands.max() <= 9
        assert inst.capacity == capacity_for(30) and inst.num_vehicles is None
        assert inst.source["mode"] in ("uniform", "clustered") and (mode == "mixed" or inst.source["mode"] == mode)


def test_clustered_points_are_closer_together(big_pool):
    def spread(mode: str) -> float:
        instances = CityGenerator(15, "atsp", [big_pool], mode=mode, seed=0).instances(40)
        # Mean distance to the nearest other node: small inside clusters.
        nearest = [np.where(np.eye(16, dtype=bool), np.inf, inst.distances).min(1).mean() for inst in instances]
        return float(np.mean(nearest))

    assert spread("clustered") < 0.7 * spread("uniform")


def test_seeded_generation_is_reproducible(pools):
    first = CityGenerator(10, "acvrptw", pools, seed=7).instances(3)
    again = CityGenerator(10, "acvrptw", pools, seed=7).instances(3)
    for a, b in zip(first, again):
        assert a.source == b.source
        assert np.array_equal(a.time_windows, b.time_windows) and np.array_equal(a.demands, b.demands)


def test_atsp_and_time_window_instances(pools):
    atsp = CityGenerator(12, "atsp", pools, seed=1).instances(2)
    assert all(inst.num_vehicles == 1 and not inst.demands.any() for inst in atsp)
    timed = CityGenerator(40, "acvrptw", pools, seed=1).instances(4)
    for inst in timed:  # Instance itself checks each customer's depot round trip
        windows = inst.time_windows
        assert windows[0, 0] == 0 and windows[0, 1] >= 8 * 3600
        assert (inst.service[1:] >= 300).all() and inst.service[0] == 0
    td = instances_to_td(timed, "acvrptw")
    assert td["time_windows"][:, 0, 1].eq(1).all() and td["time_scale"].shape == (4, 1)
    assert td["dur"].shape == (4, 41, 41) and td["service_time"].shape == (4, 41)


def test_bad_arguments_name_the_field(pools):
    for kwargs, field in [
        ({"problem": "tsp"}, "problem"),
        ({"mode": "grid"}, "mode"),
        ({"num_loc": 0}, "num_loc"),
    ]:
        with pytest.raises(InputError) as err:
            CityGenerator(**{"num_loc": 5, **kwargs}, pools=pools)
        assert err.value.field == field
    with pytest.raises(InputError, match="do not fit"):
        CityGenerator(100, "acvrp", pools).instances(1)
    with pytest.raises(InputError, match="same size"):
        instances_to_td(
            CityGenerator(3, "acvrp", pools).instances(1) + CityGenerator(4, "acvrp", pools).instances(1),
            "acvrp",
        )
