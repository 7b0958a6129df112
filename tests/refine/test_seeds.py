"""Seed sources: what each gives, within its time limit."""

from __future__ import annotations

from nco.baselines.heuristics import savings
from nco.policies.inference import PolicySolver
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.refine.seeds import construction_seeds, policy_seeds, random_seeds
from nco.validate import validate


def test_random_seeds_are_seeded_and_cover_every_customer(cvrp):
    first, again = random_seeds(cvrp, 3, seed=7), random_seeds(cvrp, 3, seed=7)
    assert first == again and len(first) == 3
    for routes in first:
        assert sorted(c for route in routes for c in route) == list(range(1, cvrp.num_customers + 1))


def test_construction_seeds_start_with_savings(cvrp):
    seeds = construction_seeds(cvrp, 4, seed=0)
    assert len(seeds) == 4 and seeds[0] == savings(cvrp).routes
    assert construction_seeds(cvrp, 4, seed=0, time_limit=0.0)[0] == seeds[0]  # savings always runs


def test_policy_seeds_put_savings_first_and_respect_the_limit(cvrp):
    policy = PolicySolver(MatrixPolicy(PolicyConfig(embed_dim=32, num_heads=4, num_layers=1, ff_dim=64)))
    with_savings = policy_seeds(policy)(cvrp, 4, 0, None)
    assert with_savings[0] == savings(cvrp).routes and len(with_savings) == 5
    assert all(validate(cvrp, routes).feasible for routes in with_savings)
    assert policy_seeds(policy)(cvrp, 4, 0, 0.0) == with_savings[:1]  # no time: savings alone
