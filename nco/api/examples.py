"""The example problems shipped in ``data/examples/``, built from the city pools.

Re-run ``python -m nco.api.examples`` after the pools change: the examples are a pure
function of the pools and the fixed seeds below. Each is a VROOM-shaped problem with both
``location`` (for maps) and ``location_index`` into the bundled road matrices (so no OSRM
server is needed to solve it).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from nco.paths import EXAMPLES_DIR
from nco.pools import CityPool, load_pool

# name -> how it is drawn from a pool. Demands are 1..9 units, as in the training generator.
EXAMPLES: dict[str, dict[str, Any]] = {
    "monaco_50": {"pool": "monaco", "stops": 50, "capacity": 40, "service": 120, "seed": 0},
    "liechtenstein_200": {"pool": "liechtenstein", "stops": 200, "capacity": 100, "service": 120, "seed": 0},
    "monaco_tw_30": {"pool": "monaco", "stops": 30, "capacity": 40, "service": 300, "seed": 1, "window": 7200},
}

# An 8-hour working day; with ``window``, each stop gets a window of that width inside it.
DAY = 8 * 3600


def make_example(
    pool: CityPool, stops: int, capacity: int, service: int = 0, seed: int = 0, window: int | None = None
) -> dict[str, Any]:
    """A VROOM-shaped problem: ``stops`` random pool points served from the pool's most central point.

    Parameters
    ----------
    pool
        The city pool to draw from.
    stops
        Number of jobs.
    capacity
        Capacity of each vehicle; enough vehicles are provided to carry the total demand
        with slack, so every method can find a feasible answer.
    service
        Seconds spent at each stop.
    seed
        Seed of the draw.
    window
        When given, the vehicles work an 8-hour day and each stop has a time window of
        ``window`` seconds placed at random in it (early enough to be reachable).
    """
    if stops + 1 > len(pool):
        raise ValueError(f"pool {pool.name} has {len(pool)} points, fewer than {stops} stops + depot")
    rng = np.random.default_rng(seed)
    # The depot sits where the round trips to all points are shortest: a central warehouse.
    depot = int(np.argmin(pool.distances.sum(axis=0) + pool.distances.sum(axis=1)))
    others = np.delete(np.arange(len(pool)), depot)
    nodes = np.r_[depot, rng.choice(others, size=stops, replace=False)]
    demands = rng.integers(1, 10, size=stops)
    vehicles = math.ceil(1.25 * demands.sum() / capacity) + 1
    pick = np.ix_(nodes, nodes)
    start = pool.coords[depot].round(6).tolist()
    jobs = [
        {
            "id": k,
            "location": pool.coords[node].round(6).tolist(),
            "location_index": k,
            "delivery": [int(demands[k - 1])],
            "service": service,
        }
        for k, node in enumerate(nodes[1:], start=1)
    ]
    shift: dict[str, Any] = {}
    if window is not None:
        # Windows close early enough that a stop can be served and the vehicle still be back
        # by the end of the day, so every stop is feasible on its own.
        back = pool.durations[nodes[1:], depot] + service
        for job, latest in zip(jobs, DAY - window - back):
            opens = int(rng.integers(0, max(1, latest)))
            job["time_windows"] = [[opens, opens + window]]
        shift = {"time_window": [0, DAY]}
        vehicles *= 2  # windows split loads that capacity alone would let share a vehicle
    return {
        "jobs": jobs,
        "vehicles": [
            {"id": v, "start": start, "end": start, "start_index": 0, "end_index": 0, "capacity": [capacity], **shift}
            for v in range(1, vehicles + 1)
        ],
        "matrices": {"car": {"distances": pool.distances[pick].tolist(), "durations": pool.durations[pick].tolist()}},
    }


def write_examples(directory: str | Path = EXAMPLES_DIR) -> list[Path]:
    """Write every example of :data:`EXAMPLES` as ``<name>.json`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, spec in EXAMPLES.items():
        spec = dict(spec)
        problem = make_example(load_pool(spec.pop("pool")), **spec)
        path = directory / f"{name}.json"
        path.write_text(json.dumps(problem, separators=(",", ":")) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_examples():
        print(f"wrote {path}")
