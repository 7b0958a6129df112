"""ACVRP env: keys and shapes of the contract, CVRP depot rules, POMO multistart."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from rl4co.utils.ops import batchify

from nco.envs import ACVRPEnv, CityGenerator, actions_to_routes, instances_to_td
from nco.instance import Instance
from nco.validate import validate

torch.set_num_threads(1)


def line_instance() -> Instance:
    """Depot plus 3 customers; capacity 5 forces the route split {1, 2} | {3}."""
    distances = np.array([[0, 10, 20, 30], [11, 0, 10, 20], [21, 12, 0, 10], [31, 22, 13, 0]])
    return Instance(distances=distances, demands=[0, 2, 3, 4], capacity=5)


def test_input_keys_and_shapes(pools):
    td = CityGenerator(7, "acvrp", pools, seed=1)(3)
    shapes = {key: tuple(td[key].shape) for key in td.keys()}
    assert shapes == {
        "locs": (3, 8, 2),
        "dist": (3, 8, 8),
        "dist_raw": (3, 8, 8),
        "demand": (3, 7),
        "demand_raw": (3, 7),
        "capacity": (3, 1),
    }
    assert all(td[key].dtype == torch.float32 for key in td.keys())
    assert td["locs"].min() == 0 and td["locs"].max() == 1
    assert torch.allclose(td["dist"].flatten(1).amax(1), torch.ones(3))
    assert torch.equal(td["demand"] * td["capacity"], td["demand_raw"])


def test_reset_state(pools):
    env = ACVRPEnv(CityGenerator(5, "acvrp", pools, seed=0))
    td = env.reset(batch_size=[2])
    assert td["current_node"].shape == (2, 1) and td["current_node"].dtype == torch.long
    assert td["i"].shape == (2, 1) and td["used_capacity"].shape == (2, 1)
    assert td["visited"].dtype == torch.bool and td["visited"].shape == (2, 6)
    # At the depot with everything unserved: every customer, not the depot.
    assert td["action_mask"].tolist() == [[False] + [True] * 5] * 2


def test_depot_rules_and_capacity_mask():
    env = ACVRPEnv(check_solution=True)
    td = env.reset(instances_to_td([line_instance()], "acvrp"))
    masks = [td["action_mask"][0].tolist()]
    for action in (1, 2, 0, 3):
        td.set("action", torch.tensor([action]))
        td = env.step(td)["next"]
        masks.append(td["action_mask"][0].tolist())
    assert masks == [
        [False, True, True, True],
        [True, False, True, False],  # load 2: customer 3 (demand 4) does not fit
        [True, False, False, False],  # load 5: only the depot
        [False, False, False, True],  # new route: no depot -> depot while 3 is unserved
        [True, False, False, False],  # all served: only the depot
    ]
    assert not td["done"].item()
    td.set("action", torch.tensor([0]))
    td = env.step(td)["next"]
    assert td["done"].item()
    assert td["used_capacity"].item() == 0
    actions = torch.tensor([[1, 2, 0, 3, 0]])
    assert env.get_reward(td, actions).item() == -(10 + 10 + 21 + 30 + 31)


def test_validity_check_rejects_bad_tours():
    env = ACVRPEnv()
    td = env.reset(instances_to_td([line_instance()], "acvrp"))
    with pytest.raises(ValueError, match="exactly once"):
        env.check_solution_validity(td, torch.tensor([[1, 2, 0, 0]]))
    with pytest.raises(ValueError, match="capacity"):
        env.check_solution_validity(td, torch.tensor([[1, 3, 0, 2]]))


def test_multistart_first_moves_and_rewards(pools):
    instances = CityGenerator(6, "acvrp", pools, seed=3).instances(2)
    env = ACVRPEnv()
    td = env.reset(instances_to_td(instances, "acvrp"))
    starts = env.get_num_starts(td)
    assert starts == 6
    first = env.select_start_nodes(td, starts)
    td = batchify(td, starts)
    td.set("action", first)
    td = env.step(td)["next"]
    actions = [first]
    torch.manual_seed(0)
    while not td["done"].all():
        td.set("action", torch.multinomial(td["action_mask"].float(), 1).squeeze(-1))
        actions.append(td["action"])
        td = env.step(td)["next"]
    actions = torch.stack(actions, 1)
    reward = env.get_reward(td, actions)
    # batchify repeats the batch start-major: row k * B + b is instance b's k-th start.
    for row in range(len(actions)):
        start, b = divmod(row, len(instances))
        assert actions[row, 0].item() == start + 1
        assert -reward[row].item() == validate(instances[b], actions_to_routes(actions[row])).cost


def test_actions_to_routes():
    assert actions_to_routes(torch.tensor([3, 1, 0, 2, 0, 0])) == [[3, 1], [2]]
    assert actions_to_routes([0, 0]) == []
    assert actions_to_routes(np.array([4])) == [[4]]
