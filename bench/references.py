"""Reference costs of the ACVRP test sets: the best of one long, seeded PyVRP run per instance.

Every gap in nco is reported against these. Results go to data/testsets/refs.json as
``{set name: [cost or null per instance]}``, written after each instance; a re-run skips
instances that already have a reference, so the script can be stopped and resumed.

    nice -n 10 .venv/bin/python bench/references.py            # all ACVRP sets (~48 CPU-min)
    .venv/bin/python bench/references.py --sets acvrp_n50_in --limit 2
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from nco.baselines.pyvrp_solver import solve as pyvrp_solve
from nco.envs.testsets import REFS_FILE, TESTSETS, load_refs
from nco.io import load_batch
from nco.paths import TESTSETS_DIR
from nco.validate import check

# Seconds of PyVRP per instance, by number of customers.
BUDGETS = {50: 5.0, 100: 10.0, 200: 30.0, 500: 60.0}
SEED = 0


def main(argv: list[str] | None = None) -> int:
    acvrp = [spec.name for spec in TESTSETS if spec.problem == "acvrp"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(acvrp), help="comma-separated test sets (default: all ACVRP)")
    parser.add_argument("--directory", type=Path, default=TESTSETS_DIR)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, help="only the first K instances of each set")
    parser.add_argument("--budget-scale", type=float, default=1.0, help="multiply every budget (for smoke runs)")
    args = parser.parse_args(argv)

    sizes = {spec.name: spec.size for spec in TESTSETS}
    refs = load_refs(args.directory)
    for name in args.sets.split(","):
        path = args.directory / f"{name}.npz"
        if not path.is_file():
            print(f"{name}: no test set yet, skipped (run `nco data testsets`)", flush=True)
            continue
        instances = load_batch(path)
        costs = refs.setdefault(name, [None] * len(instances))
        budget = BUDGETS[sizes[name]] * args.budget_scale
        for index, instance in enumerate(instances[: args.limit]):
            if costs[index] is not None:
                continue
            start = time.perf_counter()
            solution = pyvrp_solve(instance, budget, seed=args.seed)
            if solution.cost is not None:
                costs[index] = check(instance, solution.routes).cost  # integer metres
            _write(args.directory / REFS_FILE, refs)
            print(
                f"{name}[{index}]: ref {costs[index]} ({len(solution.routes)} routes, "
                f"{solution.stats.iterations} iterations, {time.perf_counter() - start:.1f} s)",
                flush=True,
            )
    return 0


def _write(path: Path, refs: dict) -> None:
    """Replace ``path`` atomically, so a stopped run never leaves a torn file."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(refs, indent=1) + "\n")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
