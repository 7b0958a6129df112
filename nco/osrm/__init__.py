"""The OSRM toolchain: install binaries, build datasets, serve them, fetch matrices.

Typical use::

    from nco.osrm import build, OsrmServer, OsrmClient

    dataset = build("monaco.osm.pbf").dataset
    with OsrmServer(dataset) as server:
        table = OsrmClient(server.url, server.max_table_size).table(coords)
"""

from typing import Any

from nco.osrm.binaries import Toolchain, example_extract, find_toolchain, install
from nco.osrm.build import BuildResult, build, city_name
from nco.osrm.dataset import osm_timestamp, road_bbox, road_nodes
from nco.osrm.server import OsrmServer, free_port

# The table client stands on osrm-py and aiohttp (about 0.5 s of imports): loaded on first
# use, so that every `nco` command (they all build one parser) does not pay for it.
_TABLE = ("OsrmClient", "OsrmResponseError", "Table", "TableRequest", "UnreachableError")


def __getattr__(name: str) -> Any:
    if name in _TABLE:
        from nco.osrm import table

        return getattr(table, name)
    raise AttributeError(f"module 'nco.osrm' has no attribute {name!r}")


__all__ = [
    "BuildResult",
    "OsrmClient",
    "OsrmResponseError",
    "OsrmServer",
    "Table",
    "TableRequest",
    "Toolchain",
    "UnreachableError",
    "build",
    "city_name",
    "example_extract",
    "find_toolchain",
    "free_port",
    "install",
    "osm_timestamp",
    "road_bbox",
    "road_nodes",
]
