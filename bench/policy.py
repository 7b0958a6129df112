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
bench/results/policy_curve.json/.md); ``--speed LABEL`` times greedy decoding of the shipped
ACVRP checkpoint on one torch thread and stores it under LABEL next to the labels already in
bench/results/policy_speed.json/.md (run it before and after a change to the decoder):

    .venv/bin/python bench/policy.py --speed after --reps 7
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from nco.baselines import get_solver
from nco.baselines.heuristics import perturbed_savings_routes
from nco.envs import CityGenerator
from nco.envs.convert import instances_to_tensors
from nco.envs.testsets import load_testset, testset_names
from nco.instance import Instance
from nco.policies.checkpoint import DEFAULT_CHECKPOINT, load_policy, shipped_policy
from nco.policies.evaluate import PolicyEval, evaluate, evaluate_checkpoint, write_eval
from nco.policies.evaluate import markdown as markdown_rows
from nco.policies.inference import MERGE_NOISE, MERGE_WEIGHT, PolicySolver
from nco.policies.policy import PolicyConfig
from nco.policies.training import TrainConfig, train
from nco.pools import load_pool
from nco.solution import Solution
from nco.validate import validated_solution

RESULTS = Path(__file__).parent / "results"


def perturbed_savings(instance: Instance, time_limit: float = 0.0, count: int = 32, seed: int = 0) -> Solution:
    """The control of ``"merge:32"``: the same ``count`` merges (:data:`MERGE_NOISE`, weight
    :data:`MERGE_WEIGHT`) with an all-zero guide instead of the policy's, i.e. savings and
    ``count - 1`` randomised savings; the best, validated."""
    size = instance.num_customers + 1
    unlimited = instance.replace(num_vehicles=None)
    samples = perturbed_savings_routes(
        unlimited, np.zeros((size, size)), MERGE_WEIGHT, count, MERGE_NOISE, np.random.default_rng(seed)
    )
    return min((validated_solution(instance, routes, "savings", 0.0) for routes in samples), key=lambda sol: sol.cost)


def heuristic(instances, refs, name: str | Callable[..., Solution] = "nn") -> dict:
    """Mean cost, gap and ms of the construction heuristic ``name`` (nco.baselines), or of a
    solver function."""
    solver = get_solver(name) if isinstance(name, str) else name
    start = time.perf_counter()
    costs = np.array([solver(inst, 10.0).cost for inst in instances], dtype=float)
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
    parser.add_argument("--speed", metavar="LABEL", help="time greedy decoding only, stored under LABEL")
    parser.add_argument("--reps", type=int, default=7, help="repetitions of each --speed timing (default: %(default)s)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.shipped:
        return shipped_report()
    if args.speed:
        return speed_report(args.speed, args.reps)
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
        f"{testset} greedy": heuristic(instances, refs) for testset, (instances, refs) in testsets.items()
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
        # "+split" rows: the same rollouts read route first (the optimal split of their order);
        # "+aug" rows: the same decoding in the map's eight orientations, best kept (POMO's x8);
        # "merge" rows: savings joins in the order the policy's pointer steers (no rollout).
        if problem == "acvrp" and size <= 100:
            decodes = ["greedy", "greedy+split", "greedy+aug", "sample:64", "multistart", "multistart+split"]
            decodes += ["multistart+aug", "multistart+aug+split", "multistart:100+aug+split"]  # all 99 first customers
            decodes += ["merge", "merge+aug", "merge:32", "merge:32+aug"]
        elif problem == "acvrp":
            decodes = ["greedy", "greedy+split", "greedy+aug", "sample:16", "merge", "merge+aug", "merge:32"]
        else:
            decodes = ["greedy", "greedy+aug", "sample:16"]
        for decode in decodes:
            rows.append(evaluate_checkpoint(checkpoint, testset, decode))
            print(markdown_rows(rows[-1:]), end="", flush=True)
        instances, refs = load_testset(testset)
        # The yardsticks: nearest neighbour (also where a set has no refs: ATSP) and, for ACVRP,
        # Clarke-Wright savings, which the policy has to beat.
        # And the control of "merge:32": the same 31 perturbations on savings without the policy.
        yardsticks = [("nn", "nearest neighbour")]
        yardsticks += [("savings", "savings"), (perturbed_savings, "savings, best of 32 perturbed")] if problem == "acvrp" else []
        for name, label in yardsticks:
            found = heuristic(instances, refs, name)
            rows.append(
                PolicyEval(testset, label, "-", len(instances), found["mean_cost"], found["mean_gap"],
                           found["with_ref"], found["ms"], len(instances))
            )
    write_eval(rows, RESULTS, "policy_shipped")


def speed_cases() -> dict[str, tuple[list[Instance], bool]]:
    """The issue's timing cases: name -> (instances, decoded as one batch)."""
    porto = load_pool("porto")  # 1000 points: the largest instance it holds has 999 customers
    return {
        "n100 batched": (load_testset("acvrp_n100_unseen")[0], True),
        "n500 single": (load_testset("acvrp_n500_unseen")[0], False),
        "n999 single": (CityGenerator(len(porto.coords) - 1, "acvrp", [porto], seed=0).instances(3), False),
    }


def speed_report(label: str, reps: int) -> None:
    """Median wall time per instance of greedy ``PolicySolver.solve`` on one torch thread.

    A batched case times one ``solve`` of the whole set; a single case times each instance
    alone. Each case also records the encoder's share and the decoding steps taken, so that
    the per-step cost of the loop can be read off. Background load skews every timing on a
    shared machine, so the load average is stored with the numbers.
    """
    solver = shipped_policy("acvrp")  # loaded and warmed up once, as nco.solve does
    result: dict = {"torch": torch.__version__, "threads": solver.threads, "reps": reps, "load_before": os.getloadavg()}
    for case, (instances, batched) in speed_cases().items():
        groups = [instances] if batched else [[inst] for inst in instances]
        times = [_timed(lambda: solver.solve(group, "greedy"), len(group)) for _ in range(reps) for group in groups]
        walls, cpus = zip(*times)
        inputs = instances_to_tensors(instances[:1], "acvrp")
        with torch.inference_mode():
            encoder = statistics.median(_timed(lambda: solver.policy.encoder(inputs))[0] for _ in range(reps))
            steps = solver.policy(inputs, decode_type="greedy")["actions"].shape[1]
        result[case] = {
            "instances": len(instances),
            "median_ms": round(1000 * statistics.median(walls), 1),
            "max_ms": round(1000 * max(walls), 1),
            "median_cpu_ms": round(1000 * statistics.median(cpus), 1),
            "encoder_ms": round(1000 * encoder, 1),
            "steps": steps,
        }
        print(case, json.dumps(result[case]), flush=True)
    result["load_after"] = os.getloadavg()
    path = RESULTS / "policy_speed.json"
    runs = json.loads(path.read_text()) if path.is_file() else {}
    runs[label] = result
    path.write_text(json.dumps(runs, indent=2) + "\n")
    path.with_suffix(".md").write_text(speed_markdown(runs))
    print(speed_markdown(runs))


def _timed(call, share: int = 1) -> tuple[float, float]:
    """Wall and CPU seconds of ``call()``, divided by ``share``."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return (time.perf_counter() - wall) / share, (time.thread_time() - cpu) / share


def speed_markdown(runs: dict) -> str:
    """One row per label and case: median and worst wall time per instance, encoder share."""
    lines = [
        "Greedy `PolicySolver.solve` of the shipped ACVRP checkpoint on one torch thread: wall time per",
        "instance (median and worst over reps x instances; batched = the whole set in one call, per",
        "instance), the median CPU time of the same calls, the encoder's wall time on the first",
        "instance and its decoding steps. Targets: n100 batched <= 20 ms, n500 <= 200 ms, n1000 <= 600 ms",
        "(n999: the whole porto pool). The load average is the machine's when the run started.",
        "",
        "| label | case | instances | median ms | max ms | median CPU ms | encoder ms | steps | load avg (1 min) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, run in runs.items():
        for case, row in run.items():
            if isinstance(row, dict):
                lines.append(
                    f"| {label} | {case} | {row['instances']} | {row['median_ms']} | {row['max_ms']} | "
                    f"{row['median_cpu_ms']} | {row['encoder_ms']} | {row['steps']} | {run['load_before'][0]:.1f} |"
                )
    return "\n".join(lines) + "\n"


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
