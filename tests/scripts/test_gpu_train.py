"""scripts/gpu_train.py: POMO loss, exact costs under bf16, and whole runs as the GPU machine
makes them (a plain checkout without rl4co, tensordict, hydra, PyVRP or OR-Tools)."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from nco.envs.convert import arrays_to_tensors
from nco.envs.sampling import load_pools, sample_instances
from nco.io import load_batch
from nco.paths import TESTSETS_DIR
from nco.policies.checkpoint import load_policy, read_policy, save_policy
from nco.policies.policy import MatrixPolicy, PolicyConfig

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "gpu_train.py"
# What the GPU machine lacks, or nco's own heavier dependencies besides: none may be imported.
ABSENT = "rl4co tensordict torchrl hydra omegaconf pyvrp ortools pydantic fastapi orjson requests ray vrplib"
# Runs the script as on the GPU machine: those packages missing, nco not installed (the
# editable install's finder removed), and the working directory outside the checkout.
BOOT = f"""
import runpy, sys
for name in {ABSENT.split()!r}:
    sys.modules[name] = None  # import fails as for a missing package
sys.meta_path = [f for f in sys.meta_path if not getattr(f, "__module__", "").startswith("__editable__")]
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""
TINY = ["--num-loc", "10", "--batch-size", "4", "--starts", "4", "--val-size", "4", "--threads", "1"]


@pytest.fixture(scope="module")
def gpu_train():
    spec = importlib.util.spec_from_file_location("gpu_train", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def init(tmp_path_factory) -> Path:
    torch.manual_seed(0)
    tiny = PolicyConfig(embed_dim=32, num_heads=4, num_layers=2, ff_dim=64)
    return save_policy(tmp_path_factory.mktemp("init") / "tiny.pt", MatrixPolicy(tiny), {"note": "untrained"})


def run(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", BOOT, str(SCRIPT), *args], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done, time.perf_counter() - started


def test_costs_stay_exact_metres_under_bf16(gpu_train, init):
    policy = read_policy(init)[0]
    sample = sample_instances(load_pools(["monaco"]), 12, 3, "acvrp", "mixed", np.random.default_rng(1))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = policy(arrays_to_tensors("acvrp", **sample.arrays), decode_type="multistart_sampling", num_starts=4)
    distances = sample.arrays["distances"]
    for row, actions in enumerate(out["actions"].numpy()):
        tour = np.r_[0, actions, 0]
        metres = distances[row % 3][tour[:-1], tour[1:]].sum()  # start-major: instance row % B
        assert -out["reward"][row].item() == metres


def test_a_budgeted_run_stops_in_time_and_leaves_loadable_checkpoints(tmp_path, init):
    minutes = 0.4
    out = tmp_path / "out"
    done, wall = run(tmp_path, "--init", str(init), "--out", str(out), "--minutes", str(minutes), "--val-every", "5", *TINY)
    report = json.loads((out / "run.json").read_text())
    assert report["wall_s"] < minutes * 60 and report["steps"] > 5
    assert wall < minutes * 60 + 1  # the process itself, exit included (its clock starts after start-up)
    rows = list(csv.DictReader((out / "curve.csv").open()))
    assert rows[0]["step"] == "0" and int(rows[-1]["step"]) == report["steps"] and len(rows) >= 3
    assert all(float(row["val_cost"]) > 0 for row in rows) and float(rows[-1]["train_cost"]) > 0
    for name in ("policy_best.pt", "policy_last.pt"):
        policy, meta = read_policy(out / name)
        assert meta["method"] == "reinforce-pomo" and meta["init_meta"] == {"note": "untrained"}
    assert read_policy(out / "policy_last.pt")[1]["steps"] == report["steps"]
    best = min(float(row["val_cost"]) for row in rows)
    assert read_policy(out / "policy_best.pt")[1]["val_cost"] == best
    instances = load_batch(TESTSETS_DIR / "acvrp_n50_in.npz")[:2]
    solutions = load_policy(out / "policy_best.pt").solve(instances)  # greedy, validated
    assert all(s.cost > 0 and s.routes for s in solutions)

def test_bf16_steps_on_the_cpu_and_resume(tmp_path, init):
    first, second = tmp_path / "first", tmp_path / "second"
    run(tmp_path, "--init", str(init), "--out", str(first), "--steps", "2", "--precision", "bf16-mixed", *TINY)
    assert json.loads((first / "run.json").read_text())["precision"] == "bf16-mixed"
    run(tmp_path, "--init", str(init), "--out", str(second), "--steps", "3", "--resume", str(first / "last.ckpt"), *TINY)
    rows = list(csv.DictReader((second / "curve.csv").open()))
    assert [row["step"] for row in rows] == ["2", "3"]
    # The resumed run starts from the first run's final weights.
    assert rows[0]["val_cost"] == list(csv.DictReader((first / "curve.csv").open()))[-1]["val_cost"]
