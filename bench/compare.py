"""Standard comparison: every baseline at equal budgets on the unseen-city ACVRP test sets.

Writes bench/results/compare.json (rows and every run per test set), compare.md (one table
per test set) and compare.png (one cost-vs-time panel per test set). Fixed seeds; OR-Tools'
time-limited search still varies with machine load.

    nice -n 10 .venv/bin/python bench/compare.py --sizes 100,200 --limit-instances 10
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

from nco.baselines import get_solver
from nco.harness import Comparison, compare, load_testset, markdown_table

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,200,500", help="customer counts (default: %(default)s)")
    parser.add_argument("--split", default="unseen", help="test-set split (default: %(default)s)")
    parser.add_argument("--methods", default="nn,savings,ortools,pyvrp")
    parser.add_argument("--budgets", default="0.5,1,2", help="seconds (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--limit-instances", type=int, help="first K instances of each set")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--keep", action="store_true", help="keep the other test sets already in compare.json (run sizes one at a time)"
    )
    args = parser.parse_args(argv)

    methods = {name: get_solver(name) for name in args.methods.split(",")}
    budgets = [float(b) for b in args.budgets.split(",")]
    saved = args.out / "compare.json"
    results = {}
    if args.keep and saved.is_file():
        results = {k: Comparison.from_dict(v) for k, v in json.loads(saved.read_text())["results"].items()}
    for size in args.sizes.split(","):
        name = f"acvrp_n{size}_{args.split}"
        instances, refs = load_testset(name)
        instances = instances[: args.limit_instances]
        refs = None if refs is None else refs[: args.limit_instances]
        start = time.perf_counter()
        result = compare(instances, refs, methods, budgets, range(args.seeds), workers=args.workers)
        result.meta.update(
            testset=name,
            size=int(size),
            instances=len(instances),
            load_average=round(os.getloadavg()[0], 2),  # the machine may be shared: context for the timings
            seconds=round(time.perf_counter() - start, 1),
            date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        )
        results[name] = result
        print(f"## {name} ({len(instances)} instances)\n\n{markdown_table(result)}", flush=True)

    results = dict(sorted(results.items(), key=lambda item: item[1].meta.get("size", 0)))
    args.out.mkdir(parents=True, exist_ok=True)
    machine = {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": _cpus()}
    payload = {"machine": machine, "seeds": args.seeds, "results": {k: r.to_dict() for k, r in results.items()}}
    saved.write_text(json.dumps(payload, indent=1))
    tables = [f"## {k} ({r.meta['instances']} instances)\n\n{markdown_table(r)}" for k, r in results.items()]
    (args.out / "compare.md").write_text("# Baselines at equal budgets\n\n" + "\n".join(tables))
    _plot(results, args.out / "compare.png")
    print(f"wrote {args.out}/compare.json, .md, .png")
    return 0


def _plot(results: dict, path: Path) -> None:
    from matplotlib.figure import Figure

    from nco.plotting.cost_time import plot_cost_time

    figure = Figure(figsize=(5.5 * len(results), 4.4), layout="constrained")
    for ax, (name, result) in zip(figure.subplots(1, len(results), squeeze=False)[0], results.items()):
        plot_cost_time(result.rows, ax, ylabel=f"mean gap vs {result.ref_kind} (%)")
        ax.set_title(f"{name} ({result.meta['instances']} instances)")
    figure.savefig(path, dpi=120)


def _cpus() -> int:
    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
