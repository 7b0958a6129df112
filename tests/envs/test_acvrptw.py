"""ACVRPTW env: the clock, waiting, and masks that never strand a vehicle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nco.envs import ACVRPTWEnv, CityGenerator, instances_to_td
from nco.errors import InputError
from nco.instance import Instance


def timed_instance() -> Instance:
    """Customer 1 opens late (wait), customer 2 must be served early, depot closes at 100."""
    durations = np.array([[0, 10, 10], [10, 0, 30], [10, 30, 0]])
    return Instance(
        distances=durations * 100,
        durations=durations,
        demands=[0, 1, 1],
        capacity=5,
        time_windows=[[0, 100], [40, 60], [0, 20]],
        service_times=[0, 5, 5],
    )


def test_clock_waiting_and_window_masks():
    env = ACVRPTWEnv()
    td = env.reset(instances_to_td([timed_instance()], "acvrptw"))
    assert td["current_time"].item() == 0 and td["time_scale"].item() == 100
    assert td["action_mask"][0].tolist() == [False, True, True]
    td.set("action", torch.tensor([1]))
    td = env.step(td)["next"]
    assert td["current_time_raw"].item() == 45  # arrives at 10, waits until 40, serves 5
    assert td["current_time"].item() == pytest.approx(0.45)
    # From customer 1 at 45, customer 2 (late 20) is out of reach: only the depot.
    assert td["action_mask"][0].tolist() == [True, False, False]
    td.set("action", torch.tensor([0]))
    td = env.step(td)["next"]
    assert td["current_time_raw"].item() == 0  # the next vehicle leaves when the depot opens
    assert td["action_mask"][0].tolist() == [False, False, True]


def test_validity_check_replays_the_clock():
    env = ACVRPTWEnv()
    td = env.reset(instances_to_td([timed_instance()], "acvrptw"))
    env.check_solution_validity(td, torch.tensor([[2, 0, 1, 0]]))
    with pytest.raises(ValueError, match="time window"):
        env.check_solution_validity(td, torch.tensor([[1, 2, 0]]))


def test_return_to_depot_is_part_of_the_mask():
    inst = Instance(
        distances=[[0, 5, 5], [5, 0, 5], [5, 5, 0]],
        time_windows=[[0, 30], [0, 30], [0, 30]],
        service_times=[0, 10, 10],
        demands=[0, 1, 1],
        capacity=2,
    )
    env = ACVRPTWEnv()
    td = env.reset(instances_to_td([inst], "acvrptw"))
    td.set("action", torch.tensor([1]))
    td = env.step(td)["next"]
    # Customer 2 could start at 20 <= 30, but serving it ends at 30 and the depot closes at 30.
    assert td["action_mask"][0].tolist() == [True, False, False]


def test_generated_windows_bind_sometimes(pools):
    """Windows matter: a random rollout meets customers that are masked only by time."""
    instances = CityGenerator(25, "acvrptw", pools, seed=11).instances(8)
    env = ACVRPTWEnv()
    td = env.reset(instances_to_td(instances, "acvrptw"))
    torch.manual_seed(0)
    blocked = 0
    while not td["done"].all():
        unserved = ~td["visited"][:, 1:] & (td["used_load"] + td["demand_raw"] <= td["capacity"])
        blocked += int((unserved & ~td["action_mask"][:, 1:]).sum())
        td.set("action", torch.multinomial(td["action_mask"].float(), 1).squeeze(-1))
        td = env.step(td)["next"]
    assert blocked > 0


def test_needs_time_windows():
    with pytest.raises(InputError) as err:
        instances_to_td([Instance(distances=[[0, 1], [1, 0]])], "acvrptw")
    assert err.value.field == "time_windows"
