"""Maps on roads: shipped size of each city's road layer, and the time to draw a 200-stop map.

Writes bench/results/maps.json, and the route maps the README shows (docs/route_map_*.png): the
shipped Monaco example (a training city) and 100 stops drawn from held-out Porto's pool, each
solved by PyVRP for 1 s on the pool's road matrices, drawn as chords over the road layer and,
when the city's extract is at hand, along OSRM's road geometry (``*_osrm.png``).

    nice -n 10 .venv/bin/python bench/maps.py
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from matplotlib.figure import Figure

import nco
from nco.api.examples import make_example
from nco.osrm import OsrmServer, build
from nco.paths import CITIES_DIR, EXAMPLES_DIR
from nco.plotting.routes import plot_routes, save_route_map
from nco.pools import load_pool
from nco.pools.roads import list_roads, load_roads, roads_path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs"


def draw_seconds(result: dict, roads: str | None, repeats: int) -> list[float]:
    """Seconds to draw ``result`` and write it as a 120 dpi PNG, ``repeats`` times."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        figure = Figure(figsize=(9, 9))
        plot_routes(result, ax=figure.subplots(), roads=roads)
        figure.savefig(DOCS / ".bench.png", dpi=120, bbox_inches="tight")
        times.append(time.perf_counter() - start)
    (DOCS / ".bench.png").unlink()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--osm", type=Path, default=Path("/work/shared/osm"),
                        help="folder of <city>.osm.pbf extracts for the OSRM-geometry maps (skipped if absent)")
    args = parser.parse_args(argv)

    layers = {}
    for name in list_roads(CITIES_DIR):
        start = time.perf_counter()
        layer = load_roads(name)
        layers[name] = {
            "bytes": roads_path(name).stat().st_size,
            "lines": len(layer),
            "points": len(layer.points),
            "points_before_simplify": layer.card["counts"]["points_before_simplify"],
            "tolerance_m": layer.card["tolerance_m"],
            "load_seconds": round(time.perf_counter() - start, 4),
        }

    big = nco.solve(EXAMPLES_DIR / "liechtenstein_200.json", time_limit=1.0, method="pyvrp", seed=0)
    draw = {}
    for label, roads in (("with_roads", "auto"), ("without_roads", None)):
        times = draw_seconds(big, roads, args.repeats)
        draw[label] = {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
                       "runs": [round(t, 3) for t in times]}

    maps = {
        "monaco": EXAMPLES_DIR / "monaco_50.json",
        "porto": make_example(load_pool("porto"), stops=100, capacity=50, service=120, seed=0),
    }
    for city, problem in maps.items():
        result = nco.solve(problem, time_limit=1.0, method="pyvrp", seed=0)
        save_route_map(result, DOCS / f"route_map_{city}.png", dpi=90)
        extract = args.osm / f"{city}.osm.pbf"
        if extract.is_file():  # the same routes along OSRM's road geometry
            with TemporaryDirectory() as workdir, OsrmServer(build(extract, workdir=workdir).dataset) as server:
                save_route_map(result, DOCS / f"route_map_{city}_osrm.png", geometry=server.url, dpi=90)

    report = {
        "command": " ".join(["python", *sys.argv]),
        "machine": f"{platform.machine()}, {platform.python_version()}; shared 2-core VM",
        "road_layers": layers,
        "draw_200_stops": {"instance": "data/examples/liechtenstein_200.json", "routes": big["summary"]["routes"],
                           "what": "plot_routes + savefig PNG at 120 dpi, 9x9 in", **draw},
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "maps.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
