"""Does one clock hold at every size? nco.solve and `nco solve` from 100 to 2000 stops.

For each size n and time limit T, on unseen cities (porto, baltimore), one worker:

- wall time of ``nco.solve(instance, T, method="nco")`` in a warm process (max over instances),
  of the first call in a fresh process (torch's import included, checkpoint loading inside
  the limit), and of the whole ``nco solve`` command reading the problem as JSON and as npz;
- the gap of nco, PyVRP at T and at 10 T, OR-Tools at T and Clarke-Wright savings, each to the
  best cost known for the instance (this run's best, or the test set's PyVRP reference).

n <= 500 uses the shipped unseen test sets; n = 1000 and 2000 sample pools of 2000 points that
are built from ``../shared/osm`` into the cache when missing (a few minutes, once).

    nice -n 5 .venv/bin/python bench/scale.py --instances 2     # -> bench/results/scale.{json,md}
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nco
from nco.baselines import get_solver
from nco.instance import Instance
from nco.io import instance_to_dict, save_batch
from unseen import sample_unseen  # bench/unseen.py, next to this script

RESULTS = Path(__file__).resolve().parent / "results"
FRESH_CALL = """
import json, sys, time
from nco.io import instance_from_dict
instance = instance_from_dict(json.load(open(sys.argv[1])))
tic = time.perf_counter()
import nco
answer = nco.solve(instance, time_limit=float(sys.argv[2]), method="nco", seed=0)
print(json.dumps({"wall": time.perf_counter() - tic, "cost": answer["summary"]["cost"]}))
"""


def instances(n: int, count: int) -> list[tuple[Instance, float | None]]:
    """``count`` unseen-city instances of ``n`` customers with their reference cost, if any."""
    if n <= 500:
        from nco.envs.testsets import load_testset

        found, refs = load_testset(f"acvrp_n{n}_unseen")
        return list(zip(found[:count], (refs or [None] * count)[:count]))
    return [(inst, None) for inst in sample_unseen(n, count, seed=n)]


def run_size(n: int, limits: list[float], count: int, cli: bool) -> list[dict]:
    rows = []
    for index, (instance, ref) in enumerate(instances(n, count)):
        costs: dict[str, float | None] = {}
        walls: dict[str, float] = {}

        def run(name: str, call) -> None:
            tic = time.perf_counter()
            costs[name] = call()
            walls[name] = time.perf_counter() - tic

        run("savings", lambda: get_solver("savings")(instance, 0.0).cost)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "instance.json"
            path.write_text(json.dumps(instance_to_dict(instance)))
            binary = Path(tmp) / "instance.npz"
            save_batch([instance], binary)
            for limit in limits:
                run(f"nco@{limit}", lambda: nco.solve(instance, time_limit=limit, method="nco", seed=0)["summary"]["cost"])
                run(f"pyvrp@{limit}", lambda: get_solver("pyvrp")(instance, limit, 0).cost)
                run(f"pyvrp@{10 * limit}", lambda: get_solver("pyvrp")(instance, 10 * limit, 0).cost)
                run(f"ortools@{limit}", lambda: get_solver("ortools")(instance, limit, 0).cost)
                if index == 0:  # process-level timings: one instance per size is enough
                    walls[f"fresh@{limit}"] = _fresh_call(path, limit)
                    if cli:
                        walls[f"cli@{limit}"] = _cli(path, limit)
                        walls[f"cli_npz@{limit}"] = _cli(binary, limit)
        feasible = [c for c in [*costs.values(), ref] if c is not None]
        best = min(feasible)
        rows.append(
            {
                "n": n,
                "instance": instance.name,
                "ref": ref,
                "best": best,
                "gap": {k: None if c is None else round(100 * (c - best) / best, 3) for k, c in costs.items()},
                "wall": {k: round(v, 3) for k, v in walls.items()},
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _fresh_call(path: Path, limit: float) -> float:
    out = subprocess.run([sys.executable, "-c", FRESH_CALL, str(path), str(limit)], capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["wall"] if out.returncode == 0 else float("nan")


def _cli(path: Path, limit: float) -> float:
    nco_cli = Path(sys.executable).with_name("nco")
    tic = time.perf_counter()
    cmd = [str(nco_cli), "solve", str(path), "--time-limit", str(limit), "--quiet", "-o", os.devnull]
    done = subprocess.run(cmd, capture_output=True, text=True)
    return time.perf_counter() - tic if done.returncode == 0 else float("nan")


def summarise(rows: list[dict], limits: list[float]) -> list[dict]:
    """One line per (n, limit): max walls and mean gaps of every method."""
    table = []
    for n in sorted({r["n"] for r in rows}):
        mine = [r for r in rows if r["n"] == n]
        for limit in limits:

            def mean_gap(key: str) -> float | None:
                gaps = [r["gap"].get(key) for r in mine]
                return None if any(g is None for g in gaps) else round(float(np.mean(gaps)), 2)

            walls = [r["wall"][f"nco@{limit}"] for r in mine]
            line = {
                "n": n,
                "limit": limit,
                "instances": len(mine),
                "nco_wall_max": round(max(walls), 3),
                "wall_target": round(1.1 * limit + 0.1, 3),
                "fresh_wall": next((r["wall"][f"fresh@{limit}"] for r in mine if f"fresh@{limit}" in r["wall"]), None),
                "cli_wall": next((r["wall"][f"cli@{limit}"] for r in mine if f"cli@{limit}" in r["wall"]), None),
                "cli_npz_wall": next((r["wall"][f"cli_npz@{limit}"] for r in mine if f"cli_npz@{limit}" in r["wall"]), None),
                "gap_nco": mean_gap(f"nco@{limit}"),
                "gap_pyvrp": mean_gap(f"pyvrp@{limit}"),
                "gap_pyvrp_10x": mean_gap(f"pyvrp@{10 * limit}"),
                "gap_ortools": mean_gap(f"ortools@{limit}"),
                "gap_savings": mean_gap("savings"),
                "pyvrp_wall_max": round(max(r["wall"][f"pyvrp@{limit}"] for r in mine), 3),
            }
            table.append(line)
    return table


def markdown(table: list[dict], meta: dict) -> str:
    head = (
        "| n | T (s) | nco wall max (s) | target 1.1T+0.1 | first call, fresh process (s) | `nco solve` JSON (s) "
        "| `nco solve` npz (s) | gap nco | PyVRP T | PyVRP 10T | OR-Tools T | savings | PyVRP wall max (s) |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    fmt = lambda v: "n/a" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))  # noqa: E731
    lines = [
        f"| {r['n']} | {r['limit']} | {fmt(r['nco_wall_max'])} | {fmt(r['wall_target'])} | {fmt(r['fresh_wall'])} "
        f"| {fmt(r['cli_wall'])} | {fmt(r.get('cli_npz_wall'))} | {fmt(r['gap_nco'])} | {fmt(r['gap_pyvrp'])} | {fmt(r['gap_pyvrp_10x'])} "
        f"| {fmt(r['gap_ortools'])} | {fmt(r['gap_savings'])} | {fmt(r['pyvrp_wall_max'])} |"
        for r in table
    ]
    note = (
        f"\nGaps (%) to the best cost known per instance (this run's best or the test set's PyVRP reference); "
        f"{meta['instances']} instance(s) per size, unseen cities, seed 0, one worker. "
        f"Load average at start {meta['load_start']}, at end {meta['load_end']}.\n"
    )
    return head + "\n".join(lines) + "\n" + note


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,200,500,1000,2000")
    parser.add_argument("--limits", default="0.25,0.5,1,2,5")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--no-cli", action="store_true", help="skip the `nco solve` process timings")
    parser.add_argument("--out", type=Path, default=RESULTS / "scale")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    sizes = [int(s) for s in args.sizes.split(",")]
    limits = [float(t) for t in args.limits.split(",")]
    meta = {"command": " ".join(sys.argv), "instances": args.instances, "load_start": os.getloadavg()[0]}
    nco.solve(*instances(100, 1)[0][:1], time_limit=0.1)  # warm-up: torch and the checkpoint, untimed
    rows = [row for n in sizes for row in run_size(n, limits, args.instances, not args.no_cli)]
    meta["load_end"] = os.getloadavg()[0]
    table = summarise(rows, limits)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "table": table, "rows": rows}, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(table, meta))
    print(markdown(table, meta))


if __name__ == "__main__":
    main()
