"""Session fixtures with a real OSRM toolchain: binaries, a built Monaco dataset, a server.

Every test folder may use ``monaco_server`` (the base URL of a real osrm-routed on a free
127.0.0.1 port, serving Monaco with ``--max-table-size 1000``). The dataset is built once
per session into a temporary folder; the server stops at the end of the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nco.osrm import OsrmServer, build, example_extract, install

SHARED_MONACO = Path("/work/shared/osm/monaco.osm.pbf")


@pytest.fixture(scope="session")
def osrm_bin() -> Path:
    """Folder holding osrm-extract, osrm-partition, osrm-customize and osrm-routed."""
    return install().bin_dir


@pytest.fixture(scope="session")
def monaco_extract(osrm_bin: Path) -> Path:
    """A real OpenStreetMap extract of Monaco (shared copy, else the osrm-bindings sdist's)."""
    return SHARED_MONACO if SHARED_MONACO.is_file() else example_extract()


@pytest.fixture(scope="session")
def monaco_dataset(monaco_extract: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``monaco.osrm`` base path of an MLD dataset built for this session."""
    return build(monaco_extract, workdir=tmp_path_factory.mktemp("osrm") / "monaco").dataset


@pytest.fixture(scope="session")
def monaco_osrm(monaco_dataset: Path) -> Iterator[OsrmServer]:
    """The running :class:`OsrmServer` behind ``monaco_server``."""
    with OsrmServer(monaco_dataset) as server:
        yield server


@pytest.fixture(scope="session")
def monaco_server(monaco_osrm: OsrmServer) -> str:
    """Base URL (``http://127.0.0.1:<port>``) of osrm-routed serving Monaco."""
    return monaco_osrm.url
