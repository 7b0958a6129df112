"""Reading facts out of a built OSRM dataset (road node coordinates, OSM timestamp).

OSRM stores its files as tar archives of named blobs; we read the two we need with the
standard library instead of shipping a parser.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import numpy as np

from nco.errors import OsrmError

# OSRM keeps coordinates as fixed-point int32 in 1e-6 degrees.
_COORDINATE_SCALE = 1e-6


def _read_member(path: Path, member: str) -> bytes:
    try:
        with tarfile.open(path) as archive:
            blob = archive.extractfile(member)
            if blob is None:
                raise KeyError(member)
            return blob.read()
    except (OSError, KeyError, tarfile.TarError) as exc:
        raise OsrmError(f"cannot read {member} from {path}: {exc}") from exc


def road_nodes(dataset: str | Path) -> np.ndarray:
    """Coordinates (N, 2) lon/lat of every node of the routable road graph."""
    raw = _read_member(Path(f"{dataset}.nbg_nodes"), "/common/nbn_data/coordinates")
    fixed = np.frombuffer(raw, dtype="<i4").reshape(-1, 2)
    return fixed.astype(np.float64) * _COORDINATE_SCALE


def road_bbox(dataset: str | Path) -> tuple[float, float, float, float]:
    """Bounding box ``(min_lon, min_lat, max_lon, max_lat)`` of the road graph."""
    nodes = road_nodes(dataset)
    if len(nodes) == 0:
        raise OsrmError(f"{dataset} has no road nodes")
    lo, hi = nodes.min(axis=0), nodes.max(axis=0)
    return (float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


def osm_timestamp(dataset: str | Path) -> str | None:
    """The extract's ``osmosis_replication_timestamp`` that osrm-extract kept, if any."""
    raw = _read_member(Path(f"{dataset}.timestamp"), "/common/timestamp")
    text = raw.decode("utf-8", "replace").strip()
    return text or None
