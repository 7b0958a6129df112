"""The planning page ``nco serve`` shows at ``/``, and the city data it reads.

The page (``nco/api/static/``: plain HTML, JavaScript and CSS, nothing fetched from the
internet) draws a city's road layer and pool as SVG, lets a dispatcher place stops and a
depot, and solves through the same ``POST /solve`` as every other client. Beside that it
reads:

- ``GET /cities``: the shipped cities, their split (train / test) and bounds;
- ``GET /cities/{name}``: a city's pool points and road layer;
- ``POST /cities/{name}/matrices`` ``{"points": [i, ...]}``: the pool's road matrices cut to
  those points, so that stops snapped to pool points solve on real road distances without an
  OSRM server.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from nco.errors import InputError
from nco.paths import CITIES_DIR
from nco.pools import CityPool, list_pools, load_pool, split
from nco.pools.roads import RESOLUTION, list_roads, load_roads

STATIC_DIR = Path(__file__).resolve().parent / "static"

router = APIRouter()


class PointsRequest(BaseModel):
    """Pool indices to cut the matrices to, in the order the problem will use."""

    model_config = ConfigDict(extra="forbid")
    points: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=1)]


@router.get("/", include_in_schema=False)
async def page() -> FileResponse:
    """The planning page."""
    return FileResponse(STATIC_DIR / "index.html")


@router.get("/static/{name}", include_in_schema=False)
async def static(name: str) -> FileResponse:
    """The page's scripts and styles: only the files shipped in ``nco/api/static/``."""
    if name not in _static_files():
        raise HTTPException(404, f"no file {name!r}")
    return FileResponse(STATIC_DIR / name)


# The data endpoints are plain functions: FastAPI runs them in its thread pool, so loading a
# pool or encoding a big city's roads never holds up the event loop (and /health).
@router.get("/cities")
def cities() -> list[dict[str, Any]]:
    """The shipped cities: name, split (``train`` or ``test``), points and bounds of the points."""
    held_out = set(split()["test"])
    with_roads = set(list_roads())
    answer = []
    for name in list_pools():
        card = json.loads((CITIES_DIR / f"{name}.json").read_text())  # the card: no matrices to load
        answer.append({
            "name": name,
            "split": "test" if name in held_out else "train",
            "points": card["counts"]["points"],
            "bbox": card["points_bbox"],
            "roads": name in with_roads,
        })
    return answer


@router.get("/cities/{name}")
def city(name: str) -> dict[str, Any]:
    """A city's pool points (lon/lat) and road layer.

    The roads come as integer steps of ``resolution`` degrees between consecutive points
    (``steps``, flat: lon, lat, lon, lat, ...; a running sum restores them), the
    ``offsets`` where each line starts and a ``rank`` per line (0 major .. 3 service roads and tracks):
    a city's layer stays small as JSON.
    """
    pool = _pool(name)
    roads = None
    if name in list_roads():
        layer = load_roads(name)
        steps = np.diff(np.rint(layer.points / RESOLUTION).astype(np.int64), axis=0, prepend=0)
        roads = {
            "resolution": RESOLUTION,
            "steps": steps.ravel().tolist(),
            "offsets": layer.offsets.tolist(),
            "ranks": layer.ranks.tolist(),
            "attribution": layer.card.get("attribution", ""),
        }
    return {"name": name, "points": pool.coords.round(6).tolist(), "roads": roads}


@router.post("/cities/{name}/matrices")
def matrices(name: str, body: PointsRequest) -> dict[str, Any]:
    """The pool's distances (m) and durations (s) between ``points``, as ``matrices.car`` wants them."""
    pool = _pool(name)
    for k, point in enumerate(body.points):
        if point >= len(pool):
            raise InputError(f"points[{k}]", f"{point} is outside the pool of {len(pool)} points")
    pick = np.ix_(body.points, body.points)
    return {"distances": pool.distances[pick].tolist(), "durations": pool.durations[pick].tolist()}


@functools.lru_cache(maxsize=4)
def _loaded(name: str) -> CityPool:
    return load_pool(name)


def _pool(name: str) -> CityPool:
    # Only shipped names reach the loader (and its cache): a path-like name is just unknown.
    if name not in list_pools():
        raise HTTPException(404, f"no city {name!r}; available: {', '.join(list_pools())}")
    return _loaded(name)


@functools.cache
def _static_files() -> frozenset[str]:
    return frozenset(path.name for path in STATIC_DIR.iterdir() if path.is_file())
