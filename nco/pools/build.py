"""Building a city pool from an OpenStreetMap extract with a real OSRM server.

Steps: build the OSRM dataset; sample random positions in the road network's bounding box
and snap them with the nearest service (dropping far snaps and duplicates); fetch the full
distance and duration tables, dropping points that routing moves off road islands once
routed together and points that are not mutually reachable (and topping up with fresh
samples); check the matrices; write the pool and its card. A point far from the main
roads is always replaced, never a reason to fail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np

from nco.errors import NcoError, OsrmError
from nco.osrm import (
    OsrmClient, OsrmServer, Table, UnreachableError, build, city_name, find_toolchain,
    osm_timestamp, road_bbox,
)
from nco.paths import CITIES_DIR
from nco.pools.pool import CityPool, check_matrices

ATTRIBUTION = "© OpenStreetMap contributors"
LICENSE = "ODbL-1.0"
# Give up when this many random positions per wanted point found no road close by.
_MAX_TRIES_PER_POINT = 50
_MAX_ROUNDS = 20
# Degrees; about 1 m. Two snaps this close are the same spot.
_SAME_SPOT = 1e-5


class _Sampler:
    """Random road points: uniform in the bbox, snapped with nearest, far/duplicate dropped."""

    def __init__(self, client: OsrmClient, bbox: tuple[float, float, float, float],
                 rng: np.random.Generator, max_snap: float):
        self.client = client
        self.bbox = bbox
        self.rng = rng
        self.max_snap = max_snap
        self.seen: set[tuple[float, float]] = set()
        self.counts = {"tried": 0, "far": 0, "duplicate": 0, "small_component": 0}

    def take(self, count: int) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        budget = _MAX_TRIES_PER_POINT * max(count, 1)
        while len(points) < count:
            if budget <= 0:
                raise NcoError(f"only {len(points)} of {count} random positions snapped to a road")
            candidates = self._nearest(count - len(points))
            budget -= count - len(points)
            points += self._routable(candidates)
        return points

    def _nearest(self, count: int) -> list[tuple[float, float]]:
        """Snap ``count`` random positions with the nearest service; drop far and repeated."""
        min_lon, min_lat, max_lon, max_lat = self.bbox
        found = []
        for _ in range(count):
            self.counts["tried"] += 1
            position = [self.rng.uniform(min_lon, max_lon), self.rng.uniform(min_lat, max_lat)]
            waypoint = self.client.nearest(coordinates=[position])["waypoints"][0]
            if waypoint["distance"] > self.max_snap:
                self.counts["far"] += 1
                continue
            location = (round(waypoint["location"][0], 6), round(waypoint["location"][1], 6))
            if location in self.seen:
                self.counts["duplicate"] += 1
                continue
            self.seen.add(location)
            found.append(location)
        return found

    def _routable(self, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Keep points that routing uses as they are (not moved off a tiny road island)."""
        if not points:
            return []
        moved = self.moved(points)
        return [p for p, m in zip(points, moved) if not m]

    def moved(self, points: list[tuple[float, float]]) -> np.ndarray:
        """Which of ``points`` routing moves when they are routed together (counted as dropped).

        OSRM keeps a point on a tiny road island only when no point of the same request is
        on the main network, so a batch of island points passes alone and is moved, up to
        far beyond ``max_snap``, once routed with the rest: the whole set is checked too.
        """
        locations, _ = self.client.snap(points)
        moved = np.abs(locations - np.array(points)).max(axis=1) > _SAME_SPOT
        self.counts["small_component"] += int(moved.sum())
        return moved


def _cover(n: int, pairs: np.ndarray) -> list[int]:
    """A small set of points whose removal leaves none of ``pairs`` (greedy cover).

    A point on a road island misses routes to and from everyone, so it has by far the most
    unreachable pairs; drop such points first.
    """
    remaining = pairs
    dropped: list[int] = []
    while len(remaining):
        worst = int(np.bincount(remaining.ravel(), minlength=n).argmax())
        dropped.append(worst)
        remaining = remaining[(remaining != worst).all(axis=1)]
    return dropped


def _coincident(table: Table) -> list[int]:
    """Points to drop so that no two distinct points are zero metres apart by road.

    Table snapping can put two points on one spot, and OSRM measures points a metre
    apart on one segment as 0 m; either would give the pool zero-length trips.
    """
    zero = np.argwhere(table.distances == 0)
    pairs = zero[zero[:, 0] != zero[:, 1]]
    return _cover(len(table.distances), pairs)


def _reachable_table(sampler: _Sampler, count: int) -> tuple[np.ndarray, Table, dict[str, int]]:
    """``count`` mutually reachable, distinct points and their full table."""
    points = sampler.take(count)
    dropped = {"unreachable": 0, "coincident": 0}
    for _ in range(_MAX_ROUNDS):
        coords = np.array(points, dtype=np.float64)
        bad = np.flatnonzero(sampler.moved(points)).tolist()
        if not bad:
            try:
                table = sampler.client.table(coords)
            except UnreachableError as exc:
                bad = _cover(len(coords), exc.pairs)
                dropped["unreachable"] += len(bad)
            else:
                bad = _coincident(table)
                dropped["coincident"] += len(bad)
                if not bad:
                    return table.source_locations, table, dropped
        drop = set(bad)
        points = [p for k, p in enumerate(points) if k not in drop]
        points += sampler.take(count - len(points))
    raise NcoError(f"no mutually reachable set of {count} points after {_MAX_ROUNDS} rounds")


def spatial_order(coords: np.ndarray) -> np.ndarray:
    """Indices that sort lon/lat points along a Z-order (Morton) curve.

    Points close in this order are close on the map, which makes the stored matrices
    compress well (see :meth:`CityPool.save`).
    """
    span = np.ptp(coords, axis=0)
    cells = ((coords - coords.min(axis=0)) / np.where(span > 0, span, 1) * 0xFFFF).astype(np.uint64)
    code = np.zeros(len(coords), dtype=np.uint64)
    for bit in range(16):
        for axis in range(2):
            code |= ((cells[:, axis] >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + axis)
    return np.argsort(code, kind="stable")


def asymmetry(matrix: np.ndarray) -> dict[str, float]:
    """How asymmetric a road matrix is, over pairs i < j.

    Returns the share of pairs with ``m[i, j] != m[j, i]`` and the mean and max of
    ``|m[i, j] - m[j, i]| / mean(m[i, j], m[j, i])``.
    """
    upper = np.triu_indices(len(matrix), k=1)
    there, back = matrix[upper].astype(np.float64), matrix.T[upper].astype(np.float64)
    mean = (there + back) / 2
    relative = np.abs(there - back) / np.where(mean > 0, mean, 1)
    return {
        "asymmetric_pairs": float(np.mean(there != back)) if len(there) else 0.0,
        "mean_relative_difference": float(relative.mean()) if len(there) else 0.0,
        "max_relative_difference": float(relative.max()) if len(there) else 0.0,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def build_city(
    extract: str | Path,
    points: int = 1000,
    seed: int = 0,
    name: str | None = None,
    directory: str | Path | None = CITIES_DIR,
    max_snap: float = 200.0,
    workdir: str | Path | None = None,
) -> CityPool:
    """Build (and by default save) the pool of ``points`` road points of one extract.

    Parameters
    ----------
    extract
        OpenStreetMap extract of the city.
    points
        Number of points in the pool.
    seed
        Seed of the random positions; the same extract and seed give the same pool.
    name
        Pool name; defaults to the extract's stem (``porto.osm.pbf`` -> ``porto``).
    directory
        Where to write ``<name>.npz`` and ``<name>.json``; None skips saving.
    max_snap
        Metres; random positions further than this from a road are dropped.
    workdir
        OSRM dataset folder (see :func:`nco.osrm.build`).

    Raises
    ------
    NcoError
        When the map has too few road points, OSRM fails, or a check fails.
    """
    if points < 2:
        raise NcoError("points: a pool needs at least 2 points")
    start = time.perf_counter()
    extract = Path(extract)
    name = name or city_name(extract)
    dataset = build(extract, workdir=workdir).dataset
    bbox = road_bbox(dataset)
    # The table must fit in one request per block of sources; a 1000-point pool in one call.
    with OsrmServer(dataset, max_table_size=max(points, 100)) as server:
        client = OsrmClient(server.url, server.max_table_size, max_snap=max_snap)
        sampler = _Sampler(client, bbox, np.random.default_rng(seed), max_snap)
        coords, table, dropped = _reachable_table(sampler, points)

    order = spatial_order(coords)
    coords = coords[order]
    distances = table.distances[np.ix_(order, order)]
    durations = table.durations[np.ix_(order, order)]
    check_matrices(distances, durations, coords)
    stats = {"distances": asymmetry(distances), "durations": asymmetry(durations)}
    if stats["distances"]["asymmetric_pairs"] == 0 and stats["durations"]["asymmetric_pairs"] == 0:
        raise OsrmError(f"{name}: matrices are exactly symmetric; road data looks wrong")
    card = _card(name, extract, dataset, bbox, coords, seed, max_snap, sampler.counts, dropped,
                 stats, time.perf_counter() - start)
    pool = CityPool(name, coords, distances, durations, card)
    if directory is not None:
        pool.save(directory)
        from nco.pools.roads import build_roads  # the road layer drawn under maps of this city

        build_roads(extract, pool, directory)
    return pool


def _card(
    name: str, extract: Path, dataset: Path, bbox: tuple[float, float, float, float],
    coords: np.ndarray, seed: int, max_snap: float, sampled: dict[str, int],
    dropped: dict[str, int], stats: dict[str, dict[str, float]], seconds: float,
) -> dict[str, Any]:
    return {
        "name": name,
        "source": {
            "file": extract.name,
            "sha256": _sha256(extract),
            "osm_timestamp": osm_timestamp(dataset) or "unknown",
        },
        "license": LICENSE,
        "attribution": f"Map data {ATTRIBUTION}, available under the Open Database License "
                       "(ODbL 1.0). This pool is a derivative database under the same licence.",
        "road_bbox": list(bbox),
        "points_bbox": [*coords.min(axis=0).tolist(), *coords.max(axis=0).tolist()],
        "counts": {"points": len(coords), "positions_tried": sampled["tried"],
                   "dropped_far_snap": sampled["far"], "dropped_duplicate": sampled["duplicate"],
                   "dropped_small_component": sampled["small_component"],
                   "dropped_unreachable": dropped["unreachable"],
                   "dropped_coincident": dropped["coincident"]},
        "build": {
            "seed": seed,
            "max_snap_m": max_snap,
            "profile": "car",
            "algorithm": "mld",
            "osrm": find_toolchain().version(),
            "seconds": round(seconds, 1),
            "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "units": {"distances": "metres", "durations": "seconds", "coords": "lon/lat"},
        "asymmetry": stats,
    }
