"""Mean gap of every arm of several bench/refiner.py runs on the same instances, each against
the best cost known to any of them (the lower of the reference and every run's cost).

    .venv/bin/python bench/results/refiner_arms_oslo/compare_runs.py bench/results/refiner_arms_oslo/{base,v1,v2}
"""

import collections
import json
import sys
from pathlib import Path

for n in (200, 500, 1000):
    costs: dict[tuple[str, float], dict[int, float]] = collections.defaultdict(dict)
    best: dict[int, float] = {}
    for folder in map(Path, sys.argv[1:]):
        path = folder / f"refiner_n{n}.json"
        for run in json.loads(path.read_text())["runs"] if path.is_file() else []:
            best[run["index"]] = min(best.get(run["index"], run["ref"]), run["ref"], run["cost"] or run["ref"])
            if run["cost"] is not None:
                costs[(f"{folder.name}: {run['method']}", run["budget"])][run["index"]] = run["cost"]
    budgets = sorted({budget for _, budget in costs})
    print(f"n = {n}, budgets {budgets} s")
    for label in sorted({label for label, _ in costs}):
        gaps = [[100 * (c - best[i]) / best[i] for i, c in costs[(label, b)].items()] for b in budgets]
        print(f"  {label:36s}", " ".join(f"{sum(g) / len(g):6.2f}" if g else "     -" for g in gaps))
