"""Decoding: masks respected at n=500, deterministic greedy, validated solutions, best-K, solver."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nco.envs import ACVRPEnv, CityGenerator
from nco.envs.convert import instances_to_tensors
from nco.errors import InputError
from nco.instance import Instance
from nco.policies import solver as policy_solver
from nco.policies.inference import parse_decode
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.validate import validate


def test_masks_hold_at_n500(big_pool, tiny):
    torch.manual_seed(0)
    policy = MatrixPolicy(tiny).eval()
    env = ACVRPEnv(CityGenerator(500, "acvrp", [big_pool], seed=0))
    td = env.reset(env.generator(1))
    with torch.no_grad():
        out = policy(td, env, decode_type="greedy")  # rl4co asserts no masked action is taken
    env.check_solution_validity(td, out["actions"])
    assert out["reward"].item() < 0


def test_greedy_is_deterministic_and_validated(solver, sample):
    batch = sample(12, 5)
    first, second = solver.solve(batch, "greedy"), solver.solve(batch, "greedy")
    assert [s.routes for s in first] == [s.routes for s in second]
    for inst, sol in zip(batch, first):
        report = validate(inst, sol.routes)
        assert report.feasible and sol.cost == report.cost
        assert sorted(c for route in sol.routes for c in route) == list(range(1, 13))


@pytest.mark.parametrize(
    "decode", ["sample:8", "multistart", "multistart:3", "greedy+aug", "sample:2+aug+split", "merge", "merge:3+aug+split"]
)
def test_other_decodings_are_valid_and_seeded(solver, sample, decode):
    batch = sample(9, 3, seed=4)
    sols = solver.solve(batch, decode, seed=1)
    assert all(validate(i, s.routes).feasible for i, s in zip(batch, sols))
    assert [s.routes for s in sols] == [s.routes for s in solver.solve(batch, decode, seed=1)]


def test_mixed_sizes_keep_input_order(solver, sample):
    batch = [*sample(6, 2), *sample(10, 2, seed=3)]
    batch = [batch[0], batch[2], batch[1], batch[3]]
    sols = solver.solve(batch)
    assert [sum(map(len, s.routes)) for s in sols] == [6, 10, 6, 10]


def test_atsp_instances_get_one_tour(solver, sample):
    batch = sample(15, 2, problem="atsp")
    for inst, sol in zip(batch, solver.solve(batch, "sample:4")):
        assert len(sol.routes) == 1 and validate(inst, sol.routes).feasible


def test_solutions_distinct_sorted(solver, sample):
    inst = sample(10, 1)[0]
    sets = solver.solutions(inst, 6, seed=0)
    assert len(sets) == 6
    keys = {tuple(sorted(map(tuple, routes))) for routes in sets}
    assert len(keys) == 6
    costs = [validate(inst, routes).cost for routes in sets]
    assert costs == sorted(costs)
    assert sets == solver.solutions(inst, 6, seed=0)


def test_registry_solver_honours_time_and_initial(solver, sample):
    inst = sample(20, 1)[0]
    sol = policy_solver.solve(inst, time_limit=1.0, seed=0, policy=solver)
    assert sol.solver == "policy" and validate(inst, sol.routes).feasible
    assert sol.runtime < 3.0
    single = [[c] for c in range(1, 21)]  # always feasible, usually worse
    assert policy_solver.solve(inst, 0.1, initial=single, policy=solver).cost <= validate(inst, single).cost


def test_time_windows_are_refused(solver, sample):
    inst = sample(5, 1, problem="acvrptw")[0]
    assert policy_solver.solve(inst, 0.5, policy=solver).cost is None
    with pytest.raises(InputError, match="time_windows"):
        solver.solve(inst)


def test_resplit_never_loses_to_the_rollout(solver, sample):
    batch = sample(30, 4, seed=5)
    for plain, cut in zip(solver.solve(batch, "multistart:4"), solver.solve(batch, "multistart:4+split")):
        assert cut.cost <= plain.cost
    atsp = sample(8, 2, problem="atsp")
    assert [s.routes for s in solver.solve(atsp, "greedy+split")] == [s.routes for s in solver.solve(atsp)]


def test_augmented_decoding_never_loses_to_the_plain_one(solver, sample):
    batch = sample(25, 4, seed=6)
    for plain, turned in zip(solver.solve(batch, "greedy"), solver.solve(batch, "greedy+aug")):
        assert turned.cost <= plain.cost  # the identity is one of the eight orientations


@pytest.mark.parametrize(
    "bad",
    ["beam", "sample", "sample:0", "multistart:x", "greedy:2", "greedy+2opt", "greedy+", "greedy+aug+aug", "merge:0", "merge:x"],
)
def test_bad_decode_names_the_field(bad):
    with pytest.raises(InputError, match="decode"):
        parse_decode(bad)


def test_config_checks():
    with pytest.raises(InputError, match="problem"):
        PolicyConfig(problem="tsp")
    with pytest.raises(InputError, match="config"):
        PolicyConfig.from_dict({"problem": "acvrp", "colour": 1})


def test_instance_without_coords(solver):
    rng = np.random.default_rng(0)
    dist = rng.integers(100, 1000, (8, 8))
    np.fill_diagonal(dist, 0)
    inst = Instance(distances=dist, demands=[0, *rng.integers(1, 4, 7)], capacity=6)
    assert validate(inst, solver.solve(inst)[0].routes).feasible


def test_move_log_probs_are_the_pointer_from_every_node(solver, sample):
    batch = sample(9, 2, seed=7)
    inputs = instances_to_tensors(batch, "acvrp")
    heat = solver.policy.move_log_probs(inputs)
    assert heat.shape == (2, 10, 10)
    assert torch.isneginf(heat.diagonal(dim1=1, dim2=2)).all()  # no move to where the vehicle stands
    assert torch.allclose(heat.exp().sum(-1), torch.ones(2, 10))
    # From the depot, the first move of a greedy rollout is the heatmap's best customer.
    first = solver.policy(inputs, decode_type="greedy")["actions"][:, 0]
    assert torch.equal(first, heat[:, 0].argmax(-1))


def test_merge_leads_the_solutions_and_refuses_atsp(solver, sample):
    inst = sample(12, 1, seed=8)[0]
    merged = solver.solve(inst, "merge")[0].routes
    assert merged in solver.solutions(inst, 3, seed=0)
    with pytest.raises(InputError, match="decode"):
        solver.solve(sample(8, 1, problem="atsp"), "merge")
    assert len(solver.solutions(sample(8, 1, problem="atsp")[0], 2)) == 2  # ATSP rounds skip the merge


def test_sampled_merges_never_lose_to_the_merge(solver, sample):
    batch = sample(20, 3, seed=9)
    for plain, sampled in zip(solver.solve(batch, "merge"), solver.solve(batch, "merge:6", seed=2)):
        assert sampled.cost <= plain.cost  # the first of the six is the unperturbed merge
