"""Time the OSRM pipeline on one city: build, serve, one full 1000 x 1000 table.

Usage: ``python bench/osrm_table.py [EXTRACT] [--points 1000]``; writes
``bench/results/osrm_table_<city>.json``. The table's points are the city's shipped pool
(when its size matches) so the numbers are reproducible.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from nco.osrm import OsrmClient, OsrmServer, build, city_name
from nco.pools import list_pools, load_pool

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("extract", nargs="?", default="/work/shared/osm/porto.osm.pbf")
    parser.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()

    name = city_name(args.extract)
    built = build(args.extract, force=True)
    start = time.perf_counter()
    with OsrmServer(built.dataset, max_table_size=args.points) as server:
        startup = time.perf_counter() - start
        if name not in list_pools() or len(load_pool(name)) < args.points:
            raise SystemExit(f"no shipped pool {name!r} with {args.points} points")
        coords = load_pool(name).coords[: args.points]
        client = OsrmClient(server.url, server.max_table_size)
        start = time.perf_counter()
        table = client.table(coords)
        seconds = time.perf_counter() - start
    result = {
        "city": name,
        "points": args.points,
        "build_seconds": {k: round(v, 2) for k, v in built.timings.items()},
        "server_startup_seconds": round(startup, 2),
        "table_seconds": round(seconds, 2),
        "median_distance_m": float(np.median(table.distances)),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"osrm_table_{name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
