"""Start sources: what each gives, where it says it came from, within its time limit, and the
fallback when the policy refuses an instance."""

from __future__ import annotations

import pytest

from nco.baselines.heuristics import savings
from nco.errors import InputError
from nco.policies.inference import PolicySolver
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.refine import refine
from nco.refine.starts import construction_starts, policy_starts, random_starts, savings_start
from nco.stop import MaxIterations
from nco.validate import check, validate


def test_random_starts_are_seeded_and_cover_every_customer(cvrp):
    first, again = random_starts(cvrp, 3, seed=7), random_starts(cvrp, 3, seed=7)
    assert first == again and len(first) == 3
    for routes, origin in first:
        assert origin == "random"
        assert sorted(c for route in routes for c in route) == list(range(1, cvrp.num_customers + 1))


def test_random_starts_respect_capacity(cvrp, atsp):
    assert all(validate(cvrp, start.routes).feasible for start in random_starts(cvrp, 5, seed=1))
    assert all(len(start.routes) == 1 for start in random_starts(atsp, 3, seed=1))  # one vehicle, one tour


def test_construction_starts_begin_with_savings(cvrp):
    starts = construction_starts(cvrp, 4, seed=0)
    assert len(starts) == 4 and starts[0] == (savings(cvrp).routes, "savings")
    assert [s.origin for s in starts] == ["savings", "nearest_neighbour", "random", "random"]
    assert construction_starts(cvrp, 4, seed=0, time_limit=0.0)[0] == starts[0]  # savings always runs


def test_policy_starts_put_savings_first_and_respect_the_limit(cvrp):
    policy = PolicySolver(MatrixPolicy(PolicyConfig(embed_dim=32, num_heads=4, num_layers=1, ff_dim=64)))
    with_savings = policy_starts(policy)(cvrp, 4, 0, None)
    assert with_savings[0].routes == savings(cvrp).routes and len(with_savings) == 5
    assert {s.origin for s in with_savings[1:]} == {"policy"}
    assert all(validate(cvrp, start.routes).feasible for start in with_savings)
    assert policy_starts(policy)(cvrp, 4, 0, 0.0) == with_savings[:1]  # no time: savings alone


def test_time_windows_fall_back_to_construction_starts(cvrptw, fast):
    source = policy_starts()  # the policy refuses time windows: construction starts instead
    check(cvrptw, refine(cvrptw, MaxIterations(5), starts=source, params=fast).solution.routes)


def test_without_a_fallback_the_policys_refusal_comes_through(cvrptw):
    with pytest.raises(InputError):
        policy_starts(fallback=None)(cvrptw, 4, 0, None)


def test_savings_start_is_savings_alone(cvrp):
    assert savings_start(cvrp, 4) == [(savings(cvrp).routes, "savings")] and savings_start(cvrp, 0) == []
