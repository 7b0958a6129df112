"""sample_instances: the rl4co-free sampling that CityGenerator and scripts/gpu_train.py share."""

from __future__ import annotations

import numpy as np
import pytest

from nco.envs.sampling import capacity_for, load_pools, sample_instances, vehicle_capacity
from nco.errors import InputError
from nco.pools import split


def test_same_stream_same_instances(pools):
    first, again = (sample_instances(pools, 20, 5, "acvrptw", "mixed", np.random.default_rng(3)) for _ in range(2))
    assert first.cities == again.cities and first.modes == again.modes
    assert np.array_equal(first.nodes, again.nodes)
    assert first.arrays.keys() == again.arrays.keys() >= {"time_windows", "service_times"}
    assert all(np.array_equal(first.arrays[key], again.arrays[key]) for key in first.arrays)


def test_shapes_capacity_and_demands(pools):
    acvrp = sample_instances(pools, 20, 5, "acvrp", "uniform", np.random.default_rng(0))
    assert acvrp.arrays["distances"].shape == (5, 21, 21) and acvrp.nodes.shape == (5, 21)
    assert acvrp.arrays["capacity"].tolist() == [capacity_for(20)] * 5 and acvrp.modes == ["uniform"] * 5
    atsp = sample_instances(pools, 20, 5, "atsp", "clustered", np.random.default_rng(0))
    assert not atsp.arrays["demands"].any() and atsp.arrays["capacity"].tolist() == [1] * 5
    assert vehicle_capacity("atsp", 20) == 1 and vehicle_capacity("acvrp", 20) == capacity_for(20)
    assert "time_windows" not in atsp.arrays and atsp.modes == ["clustered"] * 5


def test_pools_too_small_are_named(pools):
    with pytest.raises(InputError, match="do not fit") as err:
        sample_instances(pools, 50, 1, "acvrp", "uniform", np.random.default_rng(0))
    assert err.value.field == "num_loc" and "beta" in str(err.value)


def test_default_pools_are_the_training_cities():
    loaded = load_pools()
    assert [pool.name for pool in loaded] == split()["train"]
    assert not {pool.name for pool in loaded} & set(split()["test"])
    with pytest.raises(InputError, match="no city pools"):
        load_pools([])
