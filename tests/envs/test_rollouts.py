"""The reward of every env equals the independent validator's cost on the same tour."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from rl4co.utils.decoding import random_policy, rollout
from tensordict import TensorDict

from nco.envs import ENVS, CityGenerator, actions_to_routes, instances_to_td
from nco.validate import validate

torch.set_num_threads(1)


def random_rollout(problem: str, instances, seed: int) -> tuple[torch.Tensor, torch.Tensor, TensorDict]:
    """Roll out uniformly random allowed actions on ``instances``; check the env's own validity test."""
    env = ENVS[problem](check_solution=False)
    torch.manual_seed(seed)
    td = env.reset(instances_to_td(instances, problem))
    reward, td, actions = rollout(env, td, random_policy)
    env.check_solution_validity(td, actions)
    return reward, actions, td


@pytest.mark.parametrize("problem", list(ENVS))
@settings(max_examples=15, deadline=None)
@given(
    n=st.integers(1, 25),
    batch=st.integers(1, 4),
    mode=st.sampled_from(["uniform", "clustered", "mixed"]),
    seed=st.integers(0, 2**31 - 1),
)
def test_reward_is_validator_cost(pools, problem, n, batch, mode, seed):
    instances = CityGenerator(n, problem, pools, mode=mode, seed=seed).instances(batch)
    reward, actions, _ = random_rollout(problem, instances, seed)
    for b, instance in enumerate(instances):
        report = validate(instance, actions_to_routes(actions[b]))
        assert report.feasible, report.violations
        assert -reward[b].item() == report.cost

