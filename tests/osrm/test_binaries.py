from pathlib import Path

import pytest

from nco.errors import OsrmError
from nco.osrm import binaries
from nco.osrm.binaries import TOOLS, find_toolchain, install


def test_install_is_idempotent_and_finds_all_tools(osrm_bin):
    first, second = install(), install()
    assert first == second
    assert first.bin_dir == osrm_bin
    for tool in TOOLS:
        assert first.tool(tool).is_file()
    assert first.car_profile.is_file()
    assert first.version().startswith("v")


def test_env_var_takes_precedence(osrm_bin, monkeypatch):
    monkeypatch.setenv("NCO_OSRM_BIN", str(osrm_bin))
    assert find_toolchain().bin_dir == osrm_bin


def test_env_var_without_tools_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("NCO_OSRM_BIN", str(tmp_path))
    with pytest.raises(OsrmError, match="NCO_OSRM_BIN"):
        install()


def test_nothing_to_fetch_is_a_clear_error(tmp_path, monkeypatch):
    # An empty cache, no binaries on PATH and a package index with nothing in it.
    monkeypatch.setattr(binaries, "OSRM_CACHE", tmp_path / "cache" / "osrm")
    monkeypatch.delenv("NCO_OSRM_BIN", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(OsrmError, match="could not download the osrm-bindings wheel"):
        install()
    assert not (tmp_path / "cache" / "osrm").exists()


def test_example_extract_is_a_real_pbf(monaco_extract):
    assert Path(monaco_extract).stat().st_size > 100_000
    with open(monaco_extract, "rb") as handle:
        assert b"OSMHeader" in handle.read(64)
