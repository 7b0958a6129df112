"""Batch throughput on Ray: problems per minute with 1 and 2 workers, and per-problem wall time.

Solves the 64 ACVRP n=100 test problems (``acvrp_n100_in`` and ``acvrp_n100_unseen``,
written as nco instance JSON files) with ``solve_batch`` at each time limit and worker
count, on one local Ray whose workers were warmed up first (the policy is loaded once per
worker process). Writes bench/results/batch.json and batch.md: throughput, and each
problem's wall time on its worker against the time limit + 10 %.

    nice -n 5 .venv/bin/python bench/batch.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from statistics import fmean

from nco.batch.engine import ray_session
from nco.batch.solve import Outcome, solve_batch
from nco.io import load_batch, save_json
from nco.paths import TESTSETS_DIR

RESULTS = Path(__file__).resolve().parent / "results"
TESTSETS = ("acvrp_n100_in", "acvrp_n100_unseen")


class Collect:
    """A ``solve_batch`` progress that keeps every outcome."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome] = []

    def start(self, total: int, skipped: int) -> None:
        self.outcomes.clear()

    def update(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limits", default="0.5,2", help="seconds per problem (default: %(default)s)")
    parser.add_argument("--workers", default="1,2", help="worker counts (default: %(default)s)")
    parser.add_argument("--method", default="nco")
    parser.add_argument("--limit-instances", type=int, help="first K problems only (a quick check)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    limits = [float(x) for x in args.limits.split(",")]
    worker_counts = [int(x) for x in args.workers.split(",")]

    instances = [inst for name in TESTSETS for inst in load_batch(TESTSETS_DIR / f"{name}.npz")]
    instances = instances[: args.limit_instances]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "problems"
        source.mkdir()
        for i, instance in enumerate(instances):
            save_json(instance, source / f"{i:03d}.json")
        start = time.perf_counter()
        with ray_session(max(worker_counts)):
            ray_start = time.perf_counter() - start
            # Untimed: every worker process loads the policy once, as a long batch would.
            warm = solve_batch(source, Path(tmp) / "warmup.jsonl", method=args.method, time_limit=0.1, seed=0)
            print(f"ray start {ray_start:.1f} s; warm-up {warm.solved + warm.failed} problems {warm.wall:.1f} s")
            for limit in limits:
                for workers in worker_counts:
                    collect = Collect()
                    output = Path(tmp) / f"w{workers}_t{limit}.jsonl"
                    summary = solve_batch(
                        source, output, method=args.method, time_limit=limit, workers=workers, progress=collect
                    )
                    rows.append(_row(workers, limit, summary.wall, collect.outcomes))
                    print(json.dumps(rows[-1]), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    meta = {
        "testsets": list(TESTSETS),
        "problems": len(instances),
        "method": args.method,
        "ray_start_s": round(ray_start, 1),
        "load_average": round(os.getloadavg()[0], 2),  # the machine may be shared: context for the timings
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count()},
        "command": " ".join(["bench/batch.py", *(argv if argv is not None else sys.argv[1:])]),
    }
    (args.out / "batch.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    (args.out / "batch.md").write_text(_markdown(meta, rows))
    print(f"wrote {args.out}/batch.json, .md")
    return 0


def _row(workers: int, limit: float, wall: float, outcomes: list[Outcome]) -> dict:
    walls = [o.wall for o in outcomes if o.wall is not None]
    solved = [o for o in outcomes if o.ok]
    costs = [o.answer["summary"]["cost"] for o in solved]
    # Workers sharing cores search less per problem: the refiner's iterations show it.
    iterations = [o.answer["nco"]["refiner_iterations"] or 0 for o in solved]
    return {
        "workers": workers,
        "time_limit": limit,
        "problems": len(outcomes),
        "solved": len(costs),
        "wall_s": round(wall, 2),
        "problems_per_min": round(60 * len(outcomes) / wall, 1),
        "ideal_per_min": round(60 * workers / limit, 1),
        "mean_cost": round(fmean(costs)) if costs else None,
        "mean_refiner_iterations": round(fmean(iterations)) if iterations else None,
        "fallbacks": sum(o.answer["nco"]["fallback"] is not None for o in solved),
        "mean_problem_wall_s": round(fmean(walls), 3),
        "max_problem_wall_s": round(max(walls), 3),
        "max_wall_over_limit": round(max(walls) / limit, 3),
        "over_limit_plus_10pct": sum(w > 1.1 * limit for w in walls),
        "workers_used": len({o.worker for o in outcomes}),
        # Where the over-runs went: nco.solve's own clock and its parts (ms).
        "late": [
            {
                "id": o.id,
                "wall_s": round(o.wall, 3),
                "runtime_s": round(o.answer["nco"]["runtime"], 3),
                "computing_times": o.answer["summary"]["computing_times"],
            }
            for o in solved
            if o.wall is not None and o.wall > 1.1 * limit
        ],
    }


def _markdown(meta: dict, rows: list[dict]) -> str:
    head = (
        "| workers | limit (s) | solved | batch wall (s) | problems/min | ideal/min | mean cost (m) "
        "| refiner iterations | mean / max problem wall (s) | max wall / limit | over limit + 10 % |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = [
        f"| {r['workers']} | {r['time_limit']:g} | {r['solved']}/{r['problems']} | {r['wall_s']:.1f} "
        f"| {r['problems_per_min']:.1f} | {r['ideal_per_min']:.0f} | {_num(r['mean_cost'])} "
        f"| {_num(r['mean_refiner_iterations'])} "
        f"| {r['mean_problem_wall_s']:.2f} / {r['max_problem_wall_s']:.2f} | {r['max_wall_over_limit']:.2f} "
        f"| {r['over_limit_plus_10pct']} |"
        for r in rows
    ]
    return (
        f"# Batch solving on Ray ({meta['method']}, {meta['problems']} ACVRP n=100 problems)\n\n"
        f"{meta['date']}, {meta['machine']['cpus']} CPUs, load average {meta['load_average']} at the end; "
        f"Ray start-up {meta['ray_start_s']} s (not counted). Problem wall = `nco.solve` on its worker. "
        f"Ideal = workers x 60 / limit.\n\n" + head + "\n".join(lines) + "\n"
    )


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


if __name__ == "__main__":
    sys.exit(main())
