"""``nco data``: build, list and show the city pools."""

from __future__ import annotations

import argparse

from nco.errors import NcoError
from nco.paths import CITIES_DIR
from nco.pools import list_pools, load_pool, split
from nco.pools.roads import DEFAULT_TOLERANCE_M


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("data", help="city pools: build-city, build-roads, list, show; test sets")
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    p = sub.add_parser("build-city", help="build a city pool from an OSM extract with OSRM")
    p.add_argument("extract", help="an .osm.pbf, .osm or .osm.gz file")
    p.add_argument("--points", type=int, default=1000, help="points in the pool (default 1000)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", help="pool name (default: the extract's stem)")
    p.add_argument("--out", default=str(CITIES_DIR), help="folder for <name>.npz/.json")
    p.set_defaults(func=_build_city)

    p = sub.add_parser("build-roads", help="extract the road layer drawn under a pool's maps")
    p.add_argument("extract", help="the .osm.pbf the pool was built from")
    p.add_argument("--city", required=True, help="the pool's name, e.g. monaco")
    p.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE_M,
                   help=f"simplification in metres (default {DEFAULT_TOLERANCE_M:g})")
    p.add_argument("--dir", default=str(CITIES_DIR), help="folder of the pool and its road layer")
    p.set_defaults(func=_build_roads)

    p = sub.add_parser("list", help="list the city pools and their sizes")
    p.set_defaults(func=_list)

    p = sub.add_parser("show", help="print a pool's card; --plot draws its points")
    p.add_argument("name")
    p.add_argument("--plot", metavar="PNG", help="write a map of the points to this file")
    p.set_defaults(func=_show)

    p = sub.add_parser("testsets", help="write the fixed, seeded test sets to data/testsets/")
    p.add_argument("names", nargs="*", help="only these sets (default: all)")
    p.add_argument("--overwrite", action="store_true", help="rebuild existing sets (drops their refs)")
    p.set_defaults(func=_testsets)


def _build_city(args: argparse.Namespace) -> int:
    from nco.pools.build import build_city

    pool = build_city(args.extract, points=args.points, seed=args.seed, name=args.name,
                      directory=args.out)
    print(f"{pool.name}: {len(pool)} points in {pool.card['build']['seconds']} s -> {args.out}")
    return 0


def _build_roads(args: argparse.Namespace) -> int:
    from nco.pools.roads import build_roads, roads_path  # reads OSM with pyosmium: only here

    layer = build_roads(args.extract, load_pool(args.city, args.dir), args.dir, tolerance=args.tolerance)
    path = roads_path(layer.name, args.dir)
    print(f"{layer.name}: {len(layer)} road lines, {len(layer.points)} points, "
          f"{path.stat().st_size / 1e6:.2f} MB -> {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    try:
        held_out = set(split()["test"])
    except NcoError:  # no split file: still list the pools
        held_out = set()
    print(f"{'pool':<14} {'points':>6} {'MB':>5} {'median km':>9} {'median min':>10} {'split':>5}  source")
    for name in list_pools():
        pool = load_pool(name)
        size = (CITIES_DIR / f"{name}.npz").stat().st_size / 1e6
        stats = pool.summary()
        role = "test" if name in held_out else "train"
        print(
            f"{name:<14} {len(pool):>6} {size:>5.2f} {stats['median_km']:>9.1f} "
            f"{stats['median_minutes']:>10.1f} {role:>5}  {stats['source']}"
        )
    return 0


def _show(args: argparse.Namespace) -> int:
    import json

    pool = load_pool(args.name)
    print(json.dumps(pool.card, indent=2))
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from nco.plotting.pool import plot_pool

        fig, ax = plt.subplots(figsize=(7, 6))
        plot_pool(pool, ax=ax)
        fig.savefig(args.plot, dpi=120, bbox_inches="tight")
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0


def _testsets(args: argparse.Namespace) -> int:
    from nco.envs.testsets import make_testsets  # loads torch: only for this action

    make_testsets(names=args.names or None, overwrite=args.overwrite)
    return 0
