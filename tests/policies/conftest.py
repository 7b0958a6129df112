"""Shipped city pools and a tiny untrained policy, so policy tests need no training time."""

from __future__ import annotations

import pytest
import torch

from nco.envs import CityGenerator
from nco.instance import Instance
from nco.policies.inference import PolicySolver
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.pools import CityPool, load_pool

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def pools() -> list[CityPool]:
    """Two real road networks (shipped pools of 1000 OSRM points each)."""
    return [load_pool("monaco"), load_pool("liechtenstein")]


@pytest.fixture(scope="session")
def big_pool(pools) -> CityPool:
    return pools[1]


@pytest.fixture(scope="session")
def tiny() -> PolicyConfig:
    return PolicyConfig(embed_dim=32, num_heads=4, num_layers=2, ff_dim=64)


@pytest.fixture
def solver(tiny) -> PolicySolver:
    torch.manual_seed(0)
    return PolicySolver(MatrixPolicy(tiny))


@pytest.fixture(scope="session")
def sample(pools):
    """``sample(n, count, problem="acvrp", seed=0)`` -> instances cut from the pools."""

    def draw(n: int, count: int, problem: str = "acvrp", seed: int = 0) -> list[Instance]:
        return CityGenerator(n, problem, pools, seed=seed).instances(count)

    return draw
