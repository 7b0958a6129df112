"""ATSP env: n steps over the customers, closing leg implied in the reward."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nco.envs import ATSPEnv, instances_to_td
from nco.instance import Instance


def tour_instance() -> Instance:
    distances = np.array([[0, 1, 9, 9], [9, 0, 2, 9], [9, 9, 0, 3], [4, 9, 9, 0]])
    return Instance(distances=distances, num_vehicles=1)


def test_tour_masks_done_and_reward():
    env = ATSPEnv()
    td = env.reset(instances_to_td([tour_instance()], "atsp"))
    assert td["action_mask"][0].tolist() == [False, True, True, True]
    for step, action in enumerate((1, 2, 3)):
        assert not td["done"].any()
        td.set("action", torch.tensor([action]))
        td = env.step(td)["next"]
        assert td["i"].item() == step + 1
    assert td["done"].item()
    assert td["action_mask"][0].tolist() == [True, False, False, False]
    assert env.get_reward(td, torch.tensor([[1, 2, 3]])).item() == -(1 + 2 + 3 + 4)
    assert env.get_reward(td, torch.tensor([[3, 2, 1, 0]])).item() == -(9 + 9 + 9 + 9)


def test_demands_are_ignored_and_subtours_rejected():
    inst = Instance(distances=np.ones((4, 4)) - np.eye(4), demands=[0, 1, 1, 1], capacity=1)
    td = instances_to_td([inst], "atsp")
    assert not td["demand"].any() and not td["demand_raw"].any()
    env = ATSPEnv()
    td = env.reset(td)
    env.check_solution_validity(td, torch.tensor([[2, 1, 3, 0]]))
    with pytest.raises(ValueError, match="only at the end"):
        env.check_solution_validity(td, torch.tensor([[2, 0, 1, 3]]))
    with pytest.raises(ValueError, match="exactly once"):
        env.check_solution_validity(td, torch.tensor([[2, 2, 3]]))


def test_multistart_covers_every_first_city():
    env = ATSPEnv()
    td = env.reset(instances_to_td([tour_instance()] * 2, "atsp"))
    assert env.get_num_starts(td) == 3
    assert env.select_start_nodes(td, 3).tolist() == [1, 1, 2, 2, 3, 3]
