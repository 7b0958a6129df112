"""Unseen-city ACVRP instances beyond the shipped test sets, shared by the bench scripts.

The held-out cities of ``data/cities/split.json`` (porto, baltimore), or other cities where a
caller names them (a training city, to tune on without touching the test cities), are sampled with
:class:`nco.envs.CityGenerator`, the test sets' convention (mixed uniform/clustered points,
demands 1..9, capacity by size, 100 from n = 500 up), either from their shipped 1000-point
pools or from 2000-point pools built from ``../shared/osm`` into the cache when missing (a few
minutes, once). :func:`cached_set` keeps a sampled set and a long PyVRP reference cost per
instance under ``~/.cache/nco/`` so that a re-run neither re-samples nor re-solves.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

from nco.instance import Instance
from nco.paths import CACHE_DIR

OSM = Path(__file__).resolve().parents[2] / "shared" / "osm"
BIG_POOLS = CACHE_DIR / "pools2k"
SETS = CACHE_DIR / "unseen_sets"


def unseen_cities() -> list[str]:
    """The held-out cities (never trained on)."""
    from nco.pools import split

    return split()["test"]


def unseen_pools(big: bool = True, cities: Sequence[str] | None = None) -> list:
    """The pools of ``cities`` (default: the held-out ones): 2000 points from the cache (built
    when missing), else the shipped 1000."""
    from nco.pools import load_pool

    cities = cities or unseen_cities()
    if not big:
        return [load_pool(city) for city in cities]
    return [load_pool(f"{city}2k", BIG_POOLS) if (BIG_POOLS / f"{city}2k.npz").is_file() else _build(city) for city in cities]


def _build(city: str):
    from nco.pools import build_city, load_pool

    build_city(OSM / f"{city}.osm.pbf", points=2001, seed=0, name=f"{city}2k", directory=BIG_POOLS)
    return load_pool(f"{city}2k", BIG_POOLS)


def sample_unseen(
    n: int, count: int, seed: int, big: bool = True, name: str = "", cities: Sequence[str] | None = None
) -> list[Instance]:
    """``count`` ACVRP instances of ``n`` customers from ``cities`` (default: the held-out ones), seeded."""
    from nco.envs import CityGenerator

    return CityGenerator(n, "acvrp", unseen_pools(big, cities), seed=seed).instances(count, name or f"acvrp_n{n}")


def cached_set(
    name: str,
    n: int,
    count: int,
    seed: int,
    big: bool,
    ref_seconds: float,
    ref_seed: int = 0,
    limit: int | None = None,
    cities: Sequence[str] | None = None,
) -> tuple[list[Instance], list[float]]:
    """The first ``limit`` instances of a sampled set of ``count`` (all by default) from
    ``cities`` (default: the held-out ones) and their references, from :data:`SETS` or made
    (and stored) now. ``name`` keys the cache, so it must differ between cities.

    The reference of each instance is the validated cost of one seeded PyVRP run of
    ``ref_seconds``; references of another length or seed are not reused. They are stored
    after each instance, so a stopped run resumes where it was.
    """
    from nco.baselines.pyvrp_solver import solve as pyvrp_solve
    from nco.io import load_batch, save_batch
    from nco.validate import check

    SETS.mkdir(parents=True, exist_ok=True)
    batch = SETS / f"{name}_seed{seed}_{count}.npz"
    if not batch.is_file():
        save_batch(sample_unseen(n, count, seed, big, name, cities), batch)
    instances = load_batch(batch)[:limit]
    refs_path = SETS / "refs.json"
    stored = json.loads(refs_path.read_text()) if refs_path.is_file() else {}
    key = f"{batch.stem}@pyvrp{ref_seconds:g}s_seed{ref_seed}"
    costs = stored.setdefault(key, [None] * count)
    for index, instance in enumerate(instances):
        if costs[index] is not None:
            continue
        tic = time.perf_counter()
        costs[index] = check(instance, pyvrp_solve(instance, ref_seconds, seed=ref_seed).routes).cost
        tmp = refs_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stored, indent=1) + "\n")
        os.replace(tmp, refs_path)
        print(f"{key}[{index}]: ref {costs[index]} ({time.perf_counter() - tic:.1f} s)", flush=True)
    return instances, [float(c) for c in costs[: len(instances)]]
