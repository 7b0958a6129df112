"""The OSRM toolchain: install binaries, build datasets, serve them, fetch matrices.

Typical use::

    from nco.osrm import build, OsrmServer, OsrmClient

    dataset = build("monaco.osm.pbf").dataset
    with OsrmServer(dataset) as server:
        table = OsrmClient(server.url, server.max_table_size).table(coords)
"""

from nco.osrm.binaries import Toolchain, example_extract, find_toolchain, install
from nco.osrm.build import BuildResult, build, city_name
from nco.osrm.dataset import osm_timestamp, road_bbox, road_nodes
from nco.osrm.server import OsrmServer, free_port
from nco.osrm.table import OsrmClient, OsrmResponseError, Table, TableRequest, UnreachableError

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
