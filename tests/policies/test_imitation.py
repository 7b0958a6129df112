"""Labels and imitation: shards round-trip, teacher forcing agrees with decoding, runs resume."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from nco.envs import actions_to_routes, instances_to_tensors
from nco.instance import Instance
from nco.errors import InputError
from nco.policies.imitation import (
    ImitationConfig,
    greedy_gap,
    imitate,
    imitation_loss,
    route_start_choices,
    shard_inputs,
    shuffled_routes,
    swept_routes,
)
from nco.policies.labels import LabelShard, generate, label_paths, policy_labels, routes_to_actions
from nco.policies.policy import MatrixPolicy
from nco.validate import validate


def test_shuffled_routes_keep_the_solution():
    actions = np.array([3, 1, 0, 2, 0, 5, 4, 0, 0, 0])
    shuffled = shuffled_routes(actions, np.random.default_rng(1))
    assert len(shuffled) == len(actions) and shuffled[-1] == 0
    assert sorted(map(tuple, actions_to_routes(shuffled))) == sorted(map(tuple, actions_to_routes(actions)))


@pytest.mark.parametrize("problem", ["acvrp", "atsp"])
def test_teacher_forcing_scores_what_decoding_chose(tiny, sample, problem):
    torch.manual_seed(0)
    policy = MatrixPolicy(replace(tiny, problem=problem)).eval()
    inputs = instances_to_tensors(sample(12, 3, problem, seed=2), problem)
    with torch.no_grad():
        greedy = policy(inputs, decode_type="greedy")
        forced = policy(inputs, decode_type="greedy", actions=greedy["actions"])
    assert torch.allclose(forced["log_likelihood"], greedy["log_likelihood"], atol=1e-4)
    assert torch.equal(forced["reward"], greedy["reward"])


def test_a_route_start_accepts_any_route_not_yet_built():
    accepted = route_start_choices(np.array([[3, 1, 0, 2, 0, 0]]), num_nodes=4)[0]
    allowed = [sorted(np.flatnonzero(step)) for step in accepted]
    assert allowed == [[2, 3], [1], [0], [2], [0], [0]]  # the last route has no alternative


def test_accepting_more_moves_raises_the_likelihood_of_a_label(tiny, sample):
    torch.manual_seed(0)
    policy = MatrixPolicy(tiny).eval()
    inputs = instances_to_tensors(sample(12, 3, "acvrp", seed=2), "acvrp")
    with torch.no_grad():
        actions = policy(inputs, decode_type="sampling")["actions"]
        plain = policy(inputs, decode_type="greedy", actions=actions)["log_likelihood"]
        only_own = torch.zeros(*actions.shape, 13, dtype=torch.bool).scatter_(2, actions[..., None], True)
        same = policy(inputs, decode_type="greedy", actions=actions, accepted=only_own)["log_likelihood"]
        wider = policy(inputs, decode_type="greedy", actions=actions, accepted=torch.as_tensor(route_start_choices(actions.numpy(), 13)))
    assert torch.allclose(same, plain, atol=1e-5)
    assert (wider["log_likelihood"] >= plain - 1e-5).all() and (wider["log_likelihood"] > plain).any()


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
    loss = imitation_loss(policy, shard, np.arange(2), np.random.default_rng(0), "sweep", any_route=True)
    assert loss.item() > 0 and loss.requires_grad
    torch.save(policy.state_dict(), tmp_path / "unused.pt")  # the run starts from a fresh policy
    cfg = ImitationConfig(labels=tmp_path / "labels", out=tmp_path / "run", epochs=1, val_shards=1)
    imitate(cfg)
    imitate(ImitationConfig(**{**cfg.__dict__, "epochs": 2}))  # resumes: one more epoch only
    lines = (tmp_path / "run" / "curve.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in lines] == ["epoch", "0", "1", "2"]
    assert (tmp_path / "run" / "policy_best.pt").is_file()
    assert sorted(p.name for p in (tmp_path / "run").glob("epoch_*.pt")) == ["epoch_1.pt", "epoch_2.pt"]


def test_atsp_labels_are_one_tour_the_atsp_policy_imitates(tmp_path, tiny):
    generate(tmp_path / "atsp", problem="atsp", sizes=(7,), shards=1, per_shard=2, seconds_per_100=1.0, seed=4)
    shard = LabelShard.load(label_paths(tmp_path / "atsp")[0])
    assert all(len(actions_to_routes(actions)) == 1 for actions in shard.actions)
    policy = MatrixPolicy(replace(tiny, problem="atsp"))
    assert imitation_loss(policy, shard, np.arange(2), np.random.default_rng(0)).item() > 0
    assert greedy_gap(policy, [shard]) >= -1e-6  # the labels are the refiner's near-optimal tours


def test_swept_routes_start_far_and_turn_counter_clockwise():
    # Depot at the origin; customers east (1), north (2), west (3) and far south (4).
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -3.0]])
    distances = np.round(np.linalg.norm(coords[:, None] - coords[None], axis=-1) * 1000).astype(int)
    actions = np.array([2, 0, 3, 0, 1, 0, 4, 0, 0])
    assert swept_routes(actions, coords, distances).tolist() == [4, 0, 1, 0, 2, 0, 3, 0, 0]
    with pytest.raises(InputError, match="route_order"):
        ImitationConfig(labels=Path("."), out=Path("."), route_order="random")


def test_labels_sample_only_the_named_training_cities(tmp_path):
    from nco.pools import load_pool

    generate(tmp_path / "monaco", problem="atsp", sizes=(6,), shards=1, per_shard=3, seed=5, pools=("monaco",))
    coords = LabelShard.load(label_paths(tmp_path / "monaco")[0]).coords.reshape(-1, 2)
    pool = {tuple(point) for point in load_pool("monaco").coords}
    assert all(tuple(point) in pool for point in coords)
    with pytest.raises(InputError, match="pools"):  # a test city is never labelled
        generate(tmp_path / "porto", sizes=(6,), shards=1, pools=("porto",))


def test_a_held_out_label_folder_measures_an_augmented_run(tmp_path):
    generate(tmp_path / "train", problem="atsp", sizes=(6,), shards=1, per_shard=4, seconds_per_100=1.0, seed=6)
    generate(tmp_path / "val", problem="atsp", sizes=(7,), shards=1, per_shard=2, seconds_per_100=1.0, seed=7)
    cfg = ImitationConfig(labels=tmp_path / "train", out=tmp_path / "run", epochs=1, val_labels=tmp_path / "val", augment=True)
    imitate(cfg)
    rows = [line.split(",") for line in (tmp_path / "run" / "curve.csv").read_text().splitlines()]
    assert [row[:2] for row in rows] == [["epoch", "instances_seen"], ["0", "0"], ["1", "4"]]  # every train shard


def test_a_policy_teacher_labels_its_best_decoding_in_its_own_route_order(tmp_path, solver):
    teacher = policy_labels(solver, "multistart+split")
    generate(tmp_path / "self", sizes=(9,), shards=1, per_shard=3, seed=8, labeller=teacher, teacher="tiny")
    shard = LabelShard.load(label_paths(tmp_path / "self")[0])
    instances = [
        Instance(distances=shard.distances[r], demands=shard.demands[r], capacity=int(shard.capacity[r]), coords=shard.coords[r])
        for r in range(3)
    ]
    best = solver.solve(instances, "multistart+split")
    for row, solution in enumerate(best):  # the teacher's routes, in its order, padded with 0
        actions = routes_to_actions(solution.routes)
        assert shard.actions[row, : len(actions)].tolist() == actions and not shard.actions[row, len(actions) :].any()
    assert shard.costs.tolist() == [s.cost for s in best]
    assert '"teacher": "tiny"' in (tmp_path / "self" / "progress.jsonl").read_text()
    rng = np.random.default_rng(0)
    kept = imitation_loss(solver.policy, shard, np.arange(3), rng, "keep")
    forced = solver.policy(shard_inputs(shard, np.arange(3), "acvrp"), actions=torch.as_tensor(shard.actions, dtype=torch.long))
    decisions = torch.as_tensor((shard.actions != 0).sum(1) + 1, dtype=torch.float32)
    torch.testing.assert_close(kept, -(forced["log_likelihood"] / decisions).mean())


def test_lr_final_must_lie_below_lr():
    cfg = ImitationConfig(labels=Path("l"), out=Path("o"), lr=2e-4, lr_final=2e-5)
    with pytest.raises(InputError, match="lr_final"):
        replace(cfg, lr_final=1e-3)  # above lr: not an annealing


def test_cli_self_improvement_round(tmp_path, tiny):
    from nco.cli.main import main
    from nco.policies.checkpoint import save_policy

    torch.manual_seed(0)
    teacher = save_policy(tmp_path / "teacher.pt", MatrixPolicy(tiny))
    labels = tmp_path / "self"
    common = ["--sizes", "8", "--per-shard", "2", "--pools", "monaco", "--seed", "9"]
    teach = ["--teacher", str(teacher), "--teacher-decode", "greedy+split"]
    assert main(["labels", "--out", str(labels), *teach, "--shards", "2", *common]) == 0
    assert '"teacher": "' + str(teacher) + ':greedy+split"' in (labels / "progress.jsonl").read_text()
    run = ["imitate", "--labels", str(labels), "--init", str(teacher), "--route-order", "keep", "--val-shards", "1"]
    assert main([*run, "--epochs", "1", "--out", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run" / "epoch_1.pt").is_file()
