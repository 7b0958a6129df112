"""Policy ablation on the unseen-city split: same training budget, different encoders.

Rows (each trained from scratch with the same REINFORCE loop, curriculum, batch, rollouts, lr
and seed; then greedy and best-of-16-samples on every test set):
  * ``matrix``      nco's policy: edge-biased encoder over (d_ij, d_ji) + distance term;
  * ``no-edge``     the same without the matrix in the encoder (distance term kept);
(rl4co's coordinate-only AttentionModel was a row until nco decoded without rl4co; its last
numbers are in bench/results/policy_ablation_400.md),
plus ``nearest neighbour`` (nco.baselines) and, when it exists, the shipped checkpoint with its
own (much larger) budget. Writes bench/results/policy_ablation.json and .md.

    .venv/bin/python bench/policy.py --steps 200 --threads 1

Two more modes: ``--shipped`` evaluates the shipped checkpoints on every ACVRP/ATSP test set and
decoding (bench/results/policy_shipped.json/.md); ``--curve DIR`` evaluates the per-epoch
snapshots ``DIR/epoch_<k>.pt`` of a run greedily (gap vs instances seen,
bench/results/policy_curve.json/.md).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from nco.baselines import get_solver
from nco.envs.testsets import load_testset, testset_names
from nco.policies.checkpoint import DEFAULT_CHECKPOINT, load_policy
from nco.policies.evaluate import PolicyEval, evaluate, evaluate_checkpoint, write_eval
from nco.policies.evaluate import markdown as markdown_rows
from nco.policies.inference import PolicySolver
from nco.policies.policy import PolicyConfig
from nco.policies.training import TrainConfig, train

RESULTS = Path(__file__).parent / "results"


def nearest_neighbour(instances, refs) -> dict:
    nn = get_solver("nn")
    start = time.perf_counter()
    costs = np.array([nn(inst, 10.0).cost for inst in instances], dtype=float)
    ms = 1000 * (time.perf_counter() - start) / len(instances)
    gaps = [100 * (c - r) / r for c, r in zip(costs, refs or []) if r]
    return {"mean_cost": float(costs.mean()), "mean_gap": float(np.mean(gaps)) if gaps else None, "ms": ms, "with_ref": len(gaps)}


def row(solver: PolicySolver, instances, refs, decode: str) -> dict:
    cost, gap, _, ms = evaluate(solver, instances, refs, decode)
    return {"mean_cost": cost, "mean_gap": gap, "ms": ms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=150, help="REINFORCE steps per model (default: %(default)s)")
    parser.add_argument("--curriculum", default="20,50", help="sizes, steps split evenly (default: %(default)s)")
    parser.add_argument("--testsets", default="acvrp_n50_unseen,acvrp_n100_unseen")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS / "policy_ablation.json")
    parser.add_argument("--shipped", action="store_true", help="evaluate the shipped checkpoints only")
    parser.add_argument("--curve", type=Path, metavar="DIR", help="evaluate DIR/epoch_<k>.pt snapshots only")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.shipped:
        return shipped_report()
    if args.curve:
        return learning_curve(args.curve, args.testsets.split(","))

    sizes = [int(s) for s in args.curriculum.split(",")]
    steps_per_size = args.steps // len(sizes)
    base = TrainConfig(
        curriculum=[(size, 1) for size in sizes],
        batch_size=args.batch_size,
        train_size=args.batch_size * steps_per_size,
        val_size=64,
        lr=1e-3,
        seed=0,
        baseline="pomo",
        num_samples=8,
        threads=args.threads,
    )
    models = {"matrix": PolicyConfig(), "no-edge": PolicyConfig(edge_bias=False)}
    testsets = {name: load_testset(name) for name in args.testsets.split(",")}
    budget = {k: v for k, v in vars(base).items() if k in ("batch_size", "lr", "seed", "baseline", "num_samples")}
    budget.update(steps=steps_per_size * len(sizes), curriculum=sizes, threads=args.threads)
    results: dict = {"budget": budget, "rows": {}}
    for name, config in models.items():
        torch.manual_seed(0)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            solver = load_policy(train(replace(base, out=Path(tmp), policy=config)))
            train_s = time.perf_counter() - start
        results["rows"][name] = {"train_s": round(train_s, 1)}
        for testset, (instances, refs) in testsets.items():
            for decode in ("greedy", "sample:16"):
                results["rows"][name][f"{testset} {decode}"] = row(solver, instances, refs, decode)
        print(name, json.dumps(results["rows"][name]), flush=True)
    if DEFAULT_CHECKPOINT.is_file():
        shipped = load_policy()
        results["rows"]["shipped"] = {"meta": shipped.meta}
        for testset, (instances, refs) in testsets.items():
            for decode in ("greedy", "sample:16"):
                results["rows"]["shipped"][f"{testset} {decode}"] = row(shipped, instances, refs, decode)
    results["rows"]["nearest neighbour"] = {
        f"{testset} greedy": nearest_neighbour(instances, refs) for testset, (instances, refs) in testsets.items()
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))


def shipped_report() -> None:
    """Every decoding of the shipped ACVRP policy on the ACVRP sets, and of the ATSP policy on ATSP."""
    rows = []
    for testset in testset_names():
        problem, size = testset.split("_")[0], int(testset.split("_")[1][1:])
        if problem == "acvrptw":
            continue
        checkpoint = DEFAULT_CHECKPOINT.with_name(f"{problem}.pt")
        # The targets are about ACVRP n<=100; elsewhere greedy and a small sample keep it short.
        decodes = ["greedy", "sample:64", "multistart"] if problem == "acvrp" and size <= 100 else ["greedy", "sample:16"]
        for decode in decodes:
            rows.append(evaluate_checkpoint(checkpoint, testset, decode))
            print(markdown_rows(rows[-1:]), end="", flush=True)
        instances, refs = load_testset(testset)
        nn = nearest_neighbour(instances, refs)  # the yardstick where a set has no refs (ATSP)
        rows.append(
            PolicyEval(testset, "nearest neighbour", "-", len(instances), nn["mean_cost"], nn["mean_gap"],
                       nn["with_ref"], nn["ms"], len(instances))
        )
    write_eval(rows, RESULTS, "policy_shipped")


def learning_curve(folder: Path, testsets: list[str]) -> None:
    """Greedy gap of each epoch snapshot (with the instances it had seen) on ``testsets``."""
    rows = []
    snapshots = sorted(folder.glob("epoch_*.pt"), key=lambda p: int(p.stem.split("_")[1]))
    for path in snapshots:
        meta = load_policy(path).meta
        for testset in testsets:
            result = evaluate_checkpoint(path, testset, "greedy")
            rows.append({**meta, "testset": testset, "mean_gap": result.mean_gap, "mean_cost": result.mean_cost})
            print(json.dumps(rows[-1]), flush=True)
    (RESULTS / "policy_curve.json").write_text(json.dumps(rows, indent=2) + "\n")
    lines = ["| epoch | size | steps | instances seen | test set | greedy gap |", "|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        gap = "n/a" if r["mean_gap"] is None else f"{r['mean_gap']:.2f} %"
        lines.append(f"| {r['epoch']} | {r['num_loc']} | {r['steps']} | {r['instances_seen']:,} | {r['testset']} | {gap} |")
    (RESULTS / "policy_curve.md").write_text("\n".join(lines) + "\n")


def markdown(results: dict) -> str:
    columns = sorted({key for r in results["rows"].values() for key in r if " " in key and "_n" in key})
    lines = [
        f"Same budget: {results['budget']['steps']} REINFORCE steps (POMO, 8 rollouts, batch "
        f"{results['budget']['batch_size']}) over sizes {results['budget']['curriculum']}; gaps vs refs.",
        "",
        "| model | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for name, r in results["rows"].items():
        cells = []
        for col in columns:
            cell = r.get(col)
            if cell is None:
                cells.append("")
            elif cell["mean_gap"] is None:
                cells.append(f"{cell['mean_cost']:,.0f} m")
            else:
                cells.append(f"{cell['mean_gap']:.1f} %")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
