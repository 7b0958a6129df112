"""How fast REINFORCE trains: instances per second of one POMO step at n = 100, one torch thread.

A step is what ``nco train`` does per batch: reset the environment on sampled instances, roll
the policy out ``K`` times per instance from ``K`` different first customers, the shared-baseline
loss, backward, one Adam step. Sampling the instances is timed apart (it is the same code in any
checkout). The policy is freshly initialised (seeded), so that checkouts whose checkpoints differ
decode the same model.

``--checkout DIR`` times another checkout of this repository (a ``git worktree``) with this
script, so that a change to the policy or the environment can be measured before and after it:

    git worktree add /tmp/before 1f98783   # the last commit that decoded through rl4co
    .venv/bin/python bench/train_speed.py --label "before (1f98783)" --checkout /tmp/before
    .venv/bin/python bench/train_speed.py --label after

Each run is stored under its label in bench/results/train_speed.json/.md, next to the others.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
CASES = {"B=16, K=16 (fine-tuning)": (16, 16), "B=64, K=8 (stage 1)": (64, 8)}


def import_checkout(checkout: Path) -> None:
    """Make ``import nco`` read ``checkout`` instead of the installed (editable) tree.

    The project maps subpackages onto top-level folders (``nco.policies`` is ``policies/``);
    a temporary folder of links rebuilds that layout for the checkout, and the editable
    install's import hook, which would answer first, is removed.
    """
    mapping = tomllib.loads((checkout / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    root = Path(tempfile.mkdtemp(prefix="nco_checkout_"))
    (root / "nco").mkdir()
    for item in (checkout / mapping["nco"]).iterdir():
        (root / "nco" / item.name).symlink_to(item)
    for package, folder in mapping.items():
        if package != "nco":
            (root / "nco" / package.split(".", 1)[1]).symlink_to(checkout / folder)
    sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
    sys.path_importer_cache.clear()
    importlib.machinery.PathFinder.invalidate_caches()
    sys.path.insert(0, str(root))


def time_steps(batch: int, starts: int, reps: int, seed: int = 0) -> dict:
    """Median seconds of sampling a batch and of one REINFORCE step on it, over ``reps`` steps
    after one untimed warm-up step."""
    import torch

    from nco.envs import ACVRPEnv
    from nco.policies.policy import MatrixPolicy

    torch.manual_seed(seed)
    policy = MatrixPolicy().train()
    optimizer = torch.optim.Adam(policy.parameters(), lr=1e-4)
    env = ACVRPEnv(generator_params={"num_loc": 100, "seed": seed})
    samples, steps = [], []
    for rep in range(reps + 1):
        tic = time.perf_counter()
        data = env.generator(batch)
        sampled = time.perf_counter()
        td = env.reset(data)
        out = policy(td, env, decode_type="multistart_sampling", num_starts=starts)
        # The shared baseline, in the few lines both old and new checkouts can run.
        reward = out["reward"].view(starts, batch)
        advantage = (reward - reward.mean(0)) / reward.abs().mean(0).clamp(min=1.0)
        loss = -(advantage * out["log_likelihood"].view(starts, batch)).mean()
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()
        if rep:  # the first step pays torch's one-time set-up
            samples.append(sampled - tic)
            steps.append(time.perf_counter() - sampled)
    step = statistics.median(steps)
    return {
        "batch": batch,
        "starts": starts,
        "reps": reps,
        "decoding_steps": out["actions"].shape[1],
        "sample_s": round(statistics.median(samples), 4),
        "step_s": round(step, 4),
        "max_step_s": round(max(steps), 4),
        "instances_per_s": round(batch / step, 2),
        "rollouts_per_s": round(batch * starts / step, 1),
    }


def markdown(runs: dict) -> str:
    """One row per label and case."""
    lines = [
        "One REINFORCE step (POMO: K rollouts per instance from K first customers, shared baseline,",
        "backward, Adam) of a freshly initialised policy at n = 100 on one torch thread: median over",
        "the reps, after one warm-up step. Sampling the batch's instances is timed apart. The load",
        "average is the machine's when the run started (2 cores; a second job halves a core's speed).",
        "",
        "| label | commit | case | decoding steps | step s (median / max) | instances/s | rollouts/s | sampling s | load avg (1 min) |",
        "|---|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for label, run in runs.items():
        for case, row in run["cases"].items():
            lines.append(
                f"| {label} | {run['commit']} | {case} | {row['decoding_steps']} | {row['step_s']} / "
                f"{row['max_step_s']} | {row['instances_per_s']} | {row['rollouts_per_s']} | "
                f"{row['sample_s']} | {run['load_before'][0]:.1f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", required=True, help="the name this run is stored under")
    parser.add_argument("--checkout", type=Path, help="time this checkout of the repository instead")
    parser.add_argument("--reps", type=int, default=5, help="timed steps per case (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS / "train_speed.json")
    args = parser.parse_args()
    tree = args.checkout or Path(__file__).resolve().parents[1]
    if args.checkout:
        import_checkout(args.checkout.resolve())
    import torch

    import nco

    torch.set_num_threads(1)
    commit = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    run = {
        "commit": commit.stdout.strip(),
        "imported": str(Path(nco.__file__).resolve().parent),  # which checkout was timed
        "torch": torch.__version__,
        "load_before": os.getloadavg(),
        "cases": {},
    }
    for case, (batch, starts) in CASES.items():
        run["cases"][case] = time_steps(batch, starts, args.reps)
        print(case, json.dumps(run["cases"][case]), flush=True)
    run["load_after"] = os.getloadavg()
    runs = json.loads(args.out.read_text()) if args.out.is_file() else {}
    runs[args.label] = run
    args.out.write_text(json.dumps(runs, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(runs))
    print(markdown(runs))


if __name__ == "__main__":
    main()
