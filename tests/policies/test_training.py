"""REINFORCE on Lightning: a tiny run lowers the cost, writes its CSV and exports, and resumes."""

from __future__ import annotations

import csv
from dataclasses import replace

import pytest
import torch

from nco.envs import instances_to_td
from nco.errors import InputError
from nco.policies.checkpoint import load_policy
from nco.policies.inference import PolicySolver
from nco.policies.labels import generate
from nco.policies.model import ReinforceModule
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.policies.symmetry import SYMMETRIES, transform
from nco.policies.training import TrainConfig, make_env_factory, parse_curriculum, train


def mean_cost(solver: PolicySolver, td) -> float:
    """Mean greedy cost (metres) of the policy on a fixed batch."""
    solver.policy.eval()
    with torch.no_grad():
        return -solver.policy(td, decode_type="greedy")["reward"].mean().item()


def test_tiny_run_reduces_cost_on_a_fixed_batch(pools, tiny, sample):
    torch.manual_seed(0)
    make_env = make_env_factory(TrainConfig(pools=pools))
    module = ReinforceModule(make_env, MatrixPolicy(tiny), [(10, 1)], num_samples=8)
    fixed = instances_to_td(sample(10, 32, seed=99), "acvrp")
    solver = PolicySolver(module.policy)
    before = mean_cost(solver, fixed)
    optimizer = torch.optim.Adam(module.policy.parameters(), lr=3e-3)
    for _ in range(12):  # the module's own REINFORCE step (POMO shared baseline) on the batch
        module.policy.train()
        loss = module.shared_step(fixed, 0, phase="train")["loss"]
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert mean_cost(solver, fixed) < 0.97 * before


def test_augment_turns_the_map_not_the_matrix(pools, tiny, sample):
    module = ReinforceModule(
        make_env_factory(TrainConfig(pools=pools)), MatrixPolicy(tiny), [(10, 1)], num_samples=4, augment=True
    )
    batch = instances_to_td(sample(10, 16, seed=5), "acvrp")
    seen = []
    module.policy.register_forward_pre_hook(lambda _, args: seen.append(args[0].clone()))
    module.shared_step(batch.clone(), 0, phase="train")
    module.shared_step(batch.clone(), 0, phase="val")  # validation sees the maps as they are
    turned, plain = seen
    assert torch.equal(turned["dist"], plain["dist"]) and not torch.equal(turned["locs"], plain["locs"])
    for b in range(16):
        assert any(torch.equal(turned["locs"][b], transform(plain["locs"][b], which)) for which in range(SYMMETRIES))


def test_run_writes_csv_and_exports_and_resumes(tmp_path, pools, tiny):
    cfg = TrainConfig(
        curriculum=[(10, 1)], batch_size=16, train_size=32, val_size=16, pools=pools, out=tmp_path, policy=tiny
    )
    assert train(cfg) == tmp_path / "policy_best.pt"
    cfg.curriculum, cfg.resume = [(10, 1), (12, 1)], True
    train(cfg)
    rows = list(csv.DictReader((tmp_path / "metrics.csv").open()))
    assert [(r["epoch"], r["num_loc"], r["steps"]) for r in rows] == [("0", "10", "2"), ("1", "12", "4")]
    assert float(rows[1]["val_cost"]) > 0 and int(rows[1]["instances_seen"]) == 64
    assert load_policy(tmp_path / "policy_last.pt").meta["num_loc"] == 12
    assert load_policy(tmp_path / "epoch_0.pt").meta["num_loc"] == 10  # every epoch kept
    assert load_policy(tmp_path / "policy_best.pt").meta["num_loc"] == 12  # best restarts per size
    tuned = replace(cfg, init=tmp_path / "policy_best.pt", out=tmp_path / "tuned", resume=False, curriculum=[(10, 1)])
    tuned.policy = PolicyConfig()  # ignored: the sizes come from the checkpoint
    assert load_policy(train(tuned)).policy.config == tiny


def test_label_gap_chooses_the_best_and_wall_time_adds_up(tmp_path, pools, tiny):
    generate(tmp_path / "labels", sizes=(10,), shards=1, per_shard=4, seconds_per_100=1.0, seed=3)
    cfg = TrainConfig(  # sizes alternate: a gap to labels, unlike a cost in metres, compares across them
        curriculum=[(10, 1), (12, 1)], batch_size=16, train_size=32, val_size=16, pools=pools,
        out=tmp_path / "run", policy=tiny, val_labels=tmp_path / "labels", val_shards=None,
    )
    train(cfg)
    cfg.curriculum, cfg.resume = [(10, 1), (12, 1), (10, 1)], True
    train(cfg)
    rows = list(csv.DictReader((tmp_path / "run" / "val_gap.csv").open()))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    walls = [float(r["wall_s"]) for r in rows]
    assert walls == sorted(walls)  # the resumed epoch counts on from the first run's time
    best = min(rows, key=lambda r: float(r["val_gap"]))
    assert load_policy(tmp_path / "run" / "policy_best.pt").meta["val_gap"] == float(best["val_gap"])


def test_lr_final_anneals_the_run(tmp_path, pools, tiny):
    cfg = TrainConfig(
        curriculum=[(10, 3)], batch_size=16, train_size=32, val_size=16, pools=pools, out=tmp_path / "run",
        policy=tiny, lr=1e-3, lr_final=1e-4,
    )
    train(cfg)
    state = torch.load(tmp_path / "run" / "last.ckpt", weights_only=False)
    assert state["optimizer_states"][0]["param_groups"][0]["lr"] == pytest.approx(1e-4)  # the last step's
    with pytest.raises(InputError, match="lr_final"):
        train(replace(cfg, out=tmp_path / "other", lr_final=1e-2))


def test_run_folder_is_not_overwritten(tmp_path, pools, tiny):
    (tmp_path / "metrics.csv").write_text("epoch\n")
    with pytest.raises(InputError, match="out"):
        train(TrainConfig(pools=pools, out=tmp_path, policy=tiny))
    with pytest.raises(InputError, match="resume"):
        train(TrainConfig(pools=pools, out=tmp_path / "new", policy=tiny, resume=True))


def test_a_test_city_is_never_trained_on(tmp_path, tiny):
    with pytest.raises(InputError, match="pools"):
        train(TrainConfig(pools=["monaco", "porto"], out=tmp_path, policy=tiny))
    assert not (tmp_path / "metrics.csv").exists()


def test_curriculum_parsing():
    assert parse_curriculum("20,50,100", 7) == [(20, 2), (50, 2), (100, 3)]
    assert parse_curriculum("20:1,50:4", 99) == [(20, 1), (50, 4)]
    for bad in ("20,50:2", "x", "", "1:1", "20:0"):
        with pytest.raises(InputError, match="curriculum"):
            parse_curriculum(bad, 3)
