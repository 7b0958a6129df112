"""Labels and imitation: shards round-trip, teacher forcing agrees with decoding, runs resume."""

from __future__ import annotations

import numpy as np
import torch

from nco.envs import actions_to_routes, instances_to_tensors
from nco.instance import Instance
from nco.policies.imitation import ImitationConfig, imitate, imitation_loss, shuffled_routes
from nco.policies.labels import LabelShard, generate, label_paths, routes_to_actions
from nco.policies.policy import MatrixPolicy
from nco.validate import validate


def test_shuffled_routes_keep_the_solution():
    actions = np.array([3, 1, 0, 2, 0, 5, 4, 0, 0, 0])
    shuffled = shuffled_routes(actions, np.random.default_rng(1))
    assert len(shuffled) == len(actions) and shuffled[-1] == 0
    assert sorted(map(tuple, actions_to_routes(shuffled))) == sorted(map(tuple, actions_to_routes(actions)))


def test_teacher_forcing_scores_what_decoding_chose(tiny, sample):
    torch.manual_seed(0)
    policy = MatrixPolicy(tiny).eval()
    inputs = instances_to_tensors(sample(12, 3, seed=2), "acvrp")
    with torch.no_grad():
        greedy = policy(inputs, decode_type="greedy")
        forced = policy(inputs, decode_type="greedy", actions=greedy["actions"])
    assert torch.allclose(forced["log_likelihood"], greedy["log_likelihood"], atol=1e-4)
    assert torch.equal(forced["reward"], greedy["reward"])


def test_labels_are_validated_solutions_and_a_run_resumes(tmp_path, tiny):
    generate(tmp_path / "labels", sizes=(6, 8), shards=3, per_shard=2, seconds_per_100=1.0, seed=3)
    paths = label_paths(tmp_path / "labels")
    assert [p.stem.rsplit("_", 1)[1] for p in paths] == ["00000", "00001", "00002"]
    shard = LabelShard.load(paths[1])
    assert shard.num_customers == 8 and len(shard) == 2
    for row in range(2):
        routes = actions_to_routes(shard.actions[row])
        inst = Instance(distances=shard.distances[row], demands=shard.demands[row], capacity=int(shard.capacity[row]))
        assert validate(inst, routes).cost == shard.costs[row]
        assert actions_to_routes(routes_to_actions(routes)) == routes

    policy = MatrixPolicy(tiny)
    loss = imitation_loss(policy, shard, np.arange(2), np.random.default_rng(0))
    assert loss.item() > 0 and loss.requires_grad
    torch.save(policy.state_dict(), tmp_path / "unused.pt")  # the run starts from a fresh policy
    cfg = ImitationConfig(labels=tmp_path / "labels", out=tmp_path / "run", epochs=1, val_shards=1)
    imitate(cfg)
    imitate(ImitationConfig(**{**cfg.__dict__, "epochs": 2}))  # resumes: one more epoch only
    lines = (tmp_path / "run" / "curve.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch", "0", "1", "2"]
    assert (tmp_path / "run" / "policy_best.pt").is_file()
