"""A city's drivable road network, simplified to ship beside its pool and to draw under routes.

nco has no internet at run time, so maps cannot fetch tiles: the roads come from the same
OpenStreetMap extract as the pool. :func:`build_roads` keeps the car-drivable ways inside the
pool's bounding box (plus a margin), simplifies each with Douglas-Peucker in metres and writes
``data/cities/<name>.roads.zip``: a numpy archive of the points as integer steps of
``1e-5`` degrees (about a metre, finer than the simplification) between consecutive points,
the offsets where each line starts and a rank per line (0 major roads .. 3 service roads and
tracks). The file's name does not end in ``.npz`` so that it is never taken for a pool.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nco.errors import InputError
from nco.paths import CITIES_DIR
from nco.pools.pool import CityPool

SUFFIX = ".roads.zip"
# Highway classes a car may drive on -> drawing rank (0 major roads .. 3 service roads and
# tracks, drawn faintest). Pool points lie on whatever OSRM's car profile routes: without
# rank 3 and private ways, 3-7 % of them sat more than 30 m from any drawn road; with, < 1 %.
CAR_ROADS: dict[str, int] = {
    **dict.fromkeys(("motorway", "trunk", "primary", "motorway_link", "trunk_link", "primary_link"), 0),
    **dict.fromkeys(("secondary", "tertiary", "secondary_link", "tertiary_link"), 1),
    **dict.fromkeys(("unclassified", "residential", "living_street", "road"), 2),
    **dict.fromkeys(("service", "track"), 3),
}
CLOSED = "no"  # access=no; private ways stay (residents and deliveries drive them)
# Degrees per stored integer step: ~1.1 m of latitude, below the default tolerance.
RESOLUTION = 1e-5
DEFAULT_TOLERANCE_M = 6.0
DEFAULT_MARGIN_M = 1000.0
METRES_PER_DEGREE = 111_320.0


@dataclass(frozen=True)
class RoadLayer:
    """Polylines of one city's car roads, for drawing.

    Attributes
    ----------
    name
        The city (the pool's name).
    points
        (P, 2) float64 lon/lat of all lines' points, line after line.
    offsets
        (L + 1,) int64: line ``k`` is ``points[offsets[k]:offsets[k + 1]]``.
    ranks
        (L,) uint8: 0 motorways to primary roads, 1 secondary and tertiary, 2 minor streets,
        3 service roads and tracks.
    card
        Provenance: extract, tolerance, counts, licence.
    """

    name: str
    points: np.ndarray
    offsets: np.ndarray
    ranks: np.ndarray
    card: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ranks)

    def lines(self, rank: int | None = None) -> Iterator[np.ndarray]:
        """Each line as a (k, 2) lon/lat array; only those of ``rank`` when given."""
        for k in range(len(self)):
            if rank is None or self.ranks[k] == rank:
                yield self.points[self.offsets[k] : self.offsets[k + 1]]

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(min lon, min lat, max lon, max lat)`` of the layer's points."""
        low, high = self.points.min(axis=0), self.points.max(axis=0)
        return float(low[0]), float(low[1]), float(high[0]), float(high[1])

    def covers(self, coords: np.ndarray) -> bool:
        """Whether every lon/lat in ``coords`` lies inside the layer's bounding box."""
        return bool(inside(np.asarray(coords, dtype=np.float64).reshape(-1, 2), self.bbox).all())

    def save(self, directory: str | Path = CITIES_DIR) -> Path:
        """Write ``<name>.roads.zip`` into ``directory``; returns its path."""
        path = roads_path(self.name, directory)
        path.parent.mkdir(parents=True, exist_ok=True)
        steps = np.rint(self.points / RESOLUTION).astype(np.int64)
        with path.open("wb") as handle:  # a handle, so numpy keeps the name as given
            np.savez_compressed(
                handle,
                steps=np.diff(steps, axis=0, prepend=0).astype(np.int32),
                offsets=self.offsets.astype(np.int32),
                ranks=self.ranks.astype(np.uint8),
                card=np.array(json.dumps(self.card)),
            )
        return path


def inside(coords: np.ndarray, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Per (lon, lat) row of ``coords``: whether it lies in ``(min lon, min lat, max lon, max lat)``."""
    west, south, east, north = bbox
    lon, lat = coords[:, 0], coords[:, 1]
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def roads_path(name: str, directory: str | Path = CITIES_DIR) -> Path:
    """Where the road layer of city ``name`` lives."""
    return Path(directory) / f"{name}{SUFFIX}"


def load_roads(name: str, directory: str | Path = CITIES_DIR) -> RoadLayer:
    """Load the road layer of city ``name`` (e.g. ``"monaco"``).

    Raises
    ------
    InputError
        When the city has no road layer (the message lists those that do).
    """
    path = roads_path(name, directory)
    if not path.is_file():
        raise InputError("roads", f"no road layer {name!r} in {directory}; available: {list_roads(directory)}")
    with np.load(path) as data:
        points = np.cumsum(data["steps"], axis=0, dtype=np.int64) * RESOLUTION
        card = json.loads(str(data["card"]))
        return RoadLayer(name, points, data["offsets"].astype(np.int64), data["ranks"], card)


def list_roads(directory: str | Path = CITIES_DIR) -> list[str]:
    """Names of the cities in ``directory`` that have a road layer, sorted."""
    return sorted(path.name.removesuffix(SUFFIX) for path in Path(directory).glob(f"*{SUFFIX}"))


def roads_for(coords: np.ndarray, directory: str | Path = CITIES_DIR) -> RoadLayer | None:
    """The first shipped road layer (by name) whose bounding box holds all ``coords``, if any."""
    for name in list_roads(directory):
        layer = load_roads(name, directory)
        if layer.covers(coords):
            return layer
    return None


def build_roads(
    extract: str | Path,
    pool: CityPool,
    directory: str | Path | None = CITIES_DIR,
    tolerance: float = DEFAULT_TOLERANCE_M,
    margin: float = DEFAULT_MARGIN_M,
) -> RoadLayer:
    """Extract, simplify and (by default) save the road layer that goes with ``pool``.

    Parameters
    ----------
    extract
        The OpenStreetMap extract the pool was built from (``.osm.pbf``, ``.osm``, ...).
    pool
        The city's pool: names the layer and bounds it (its points' box plus ``margin``).
    directory
        Where to write ``<name>.roads.zip``; None skips saving.
    tolerance
        Metres; Douglas-Peucker drops points closer than this to the simplified line.
    margin
        Metres of roads kept around the pool's points.

    Raises
    ------
    InputError
        When the extract cannot be read or has no car roads near the pool.
    """
    from nco.pools.build import ATTRIBUTION, LICENSE, spatial_order  # build pulls in the OSRM client

    start = time.perf_counter()
    extract = Path(extract)
    low, high = pool.coords.min(axis=0), pool.coords.max(axis=0)
    pad = margin / METRES_PER_DEGREE
    pad_lon = pad / np.cos(np.radians((low[1] + high[1]) / 2))
    bbox = (low[0] - pad_lon, low[1] - pad, high[0] + pad_lon, high[1] + pad)
    ways = _read_ways(extract)
    lines, ranks, unsimplified = [], [], 0
    for coords, rank in ways:
        for piece in _clip(coords, bbox):
            lines.append(simplify(piece, tolerance))
            ranks.append(rank)
            unsimplified += len(piece)
    if not lines:
        raise InputError(str(extract), f"no car roads inside the box of pool {pool.name!r}")
    # Neighbouring lines one after another keep the steps between them small (better packing).
    order = spatial_order(np.array([line[0] for line in lines]))
    lines = [lines[k] for k in order]
    offsets = np.cumsum([0, *(len(line) for line in lines)])
    card = {
        "name": pool.name,
        "source": {"file": extract.name},
        "license": LICENSE,
        "attribution": f"Map data {ATTRIBUTION}, available under the Open Database License (ODbL 1.0). "
                       "This road layer is a derivative database under the same licence.",
        "highways": sorted(CAR_ROADS),
        "tolerance_m": tolerance,
        "margin_m": margin,
        "bbox": [float(x) for x in bbox],
        "counts": {"ways": len(ways), "lines": len(lines), "points": int(offsets[-1]),
                   "points_before_simplify": unsimplified},
        "build": {"seconds": round(time.perf_counter() - start, 1),
                  "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
    }
    layer = RoadLayer(pool.name, np.concatenate(lines), offsets, np.asarray(ranks, dtype=np.uint8)[order], card)
    if directory is not None:
        layer.save(directory)
    return layer


def simplify(line: np.ndarray, tolerance: float) -> np.ndarray:
    """Douglas-Peucker on a (k, 2) lon/lat line with a tolerance in metres; keeps both ends."""
    if len(line) < 3:
        return line
    # Local flat metres: over one street a degree of longitude is cos(latitude) of one of latitude.
    xy = line * METRES_PER_DEGREE
    xy[:, 0] *= np.cos(np.radians(line[:, 1].mean()))
    keep = np.zeros(len(line), dtype=bool)
    keep[[0, -1]] = True
    stack = [(0, len(line) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        chord = xy[last] - xy[first]
        offsets = xy[first + 1 : last] - xy[first]
        length = np.hypot(*chord)
        if length > 0:
            distance = np.abs(chord[0] * offsets[:, 1] - chord[1] * offsets[:, 0]) / length
        else:  # a closed loop: distance from the shared end point
            distance = np.hypot(offsets[:, 0], offsets[:, 1])
        worst = int(np.argmax(distance))
        if distance[worst] > tolerance:
            middle = first + 1 + worst
            keep[middle] = True
            stack += [(first, middle), (middle, last)]
    return line[keep]


def _read_ways(extract: Path) -> list[tuple[np.ndarray, int]]:
    """Car-drivable ways of the extract as (lon/lat array, rank)."""
    import osmium  # only building a layer needs the OSM reader

    if not extract.is_file():
        raise InputError(str(extract), "no such extract")
    ways = []
    try:
        reader = osmium.FileProcessor(str(extract)).with_locations()
        reader = reader.with_filter(osmium.filter.KeyFilter("highway"))
        for way in reader:
            if not way.is_way():
                continue
            rank = CAR_ROADS.get(way.tags.get("highway", ""))
            if rank is None or way.tags.get("access") == CLOSED or way.tags.get("area") == "yes":
                continue
            coords = np.array([(node.lon, node.lat) for node in way.nodes if node.location.valid()])
            if len(coords) >= 2:
                ways.append((coords, rank))
    except RuntimeError as exc:  # libosmium's read errors
        raise InputError(str(extract), f"not a readable OSM extract ({exc})") from None
    return ways


def _clip(coords: np.ndarray, bbox: tuple[float, float, float, float]) -> list[np.ndarray]:
    """The runs of ``coords`` that touch the box; a segment with one end inside is kept whole."""
    kept = inside(coords, bbox)
    if kept.all():
        return [coords]
    segment = kept[:-1] | kept[1:]
    pieces, start = [], None
    for k, keep in enumerate([*segment, False]):
        if keep and start is None:
            start = k
        elif not keep and start is not None:
            pieces.append(coords[start : k + 1])
            start = None
    return pieces
