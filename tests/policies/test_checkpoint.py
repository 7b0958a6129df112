"""Checkpoints: weights + JSON config round trip, loadable in a fresh process, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch

from nco.cli.main import main
from nco.envs.testsets import load_testset
from nco.errors import InputError
from nco.io import save_batch
from nco.policies.checkpoint import load_policy, read_policy, save_policy
from nco.policies.policy import MatrixPolicy


def test_round_trip_in_a_fresh_process(tmp_path, tiny, sample):
    torch.manual_seed(1)
    policy = MatrixPolicy(tiny)
    path = save_policy(tmp_path / "p.pt", policy, {"steps": 3})
    batch = sample(11, 4, seed=7)
    save_batch(batch, tmp_path / "batch.npz")
    here = [s.cost for s in load_policy(path).solve(batch)]
    code = (
        "import json, sys, nco; from nco.io import load_batch;"
        f"p = nco.load_policy({str(path)!r});"
        f"print(json.dumps([s.cost for s in p.solve(load_batch({str(tmp_path / 'batch.npz')!r}))]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == here
    loaded, meta = read_policy(path)
    assert meta == {"steps": 3} and loaded.config == tiny


def test_not_a_checkpoint(tmp_path):
    with pytest.raises(InputError, match="checkpoint"):
        load_policy(tmp_path / "missing.pt")
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(InputError, match="checkpoint"):
        load_policy(tmp_path / "other.pt")


def test_eval_policy_cli_writes_json_and_markdown(tmp_path, tiny):
    path = save_policy(tmp_path / "p.pt", MatrixPolicy(tiny))
    load_testset("acvrp_n50_unseen")  # the shipped set must exist
    cmd = [sys.executable, "-m", "nco.cli.main", "eval", "policy", "--checkpoint", str(path)]
    cmd += ["--testset", "acvrp_n50_unseen", "--limit-instances", "2", "--out", str(tmp_path / "ev")]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    assert "mean gap" in out.stdout
    rows = json.loads((tmp_path / "ev" / "policy_acvrp_n50_unseen_greedy.json").read_text())
    assert rows[0]["instances"] == 2 and rows[0]["validated"] == 2 and rows[0]["mean_cost"] > 0
    assert (tmp_path / "ev" / "policy_acvrp_n50_unseen_greedy.md").is_file()


def test_cli_errors_are_one_line(tmp_path, capsys):
    code = main(["eval", "policy", "--checkpoint", str(tmp_path / "x.pt"), "--testset", "acvrp_n50_unseen"])
    err = capsys.readouterr().err
    assert code == 2 and "checkpoint" in err and "Traceback" not in err
