import numpy as np
import pytest

from nco.errors import OsrmError
from nco.osrm import build, city_name, osm_timestamp, road_bbox, road_nodes


def test_monaco_dataset_is_complete(monaco_dataset):
    for suffix in ("mldgr", "cells", "partition", "cell_metrics", "nbg_nodes", "timestamp"):
        assert monaco_dataset.with_name(f"monaco.osrm.{suffix}").is_file()


def test_rebuild_reuses_an_up_to_date_dataset(monaco_extract, monaco_dataset):
    result = build(monaco_extract, workdir=monaco_dataset.parent)
    assert result.dataset == monaco_dataset
    assert result.timings == {"extract": 0.0, "partition": 0.0, "customize": 0.0}


def test_road_nodes_and_bbox_lie_in_monaco(monaco_dataset):
    nodes = road_nodes(monaco_dataset)
    assert len(nodes) > 1000
    min_lon, min_lat, max_lon, max_lat = road_bbox(monaco_dataset)
    assert 7.3 < min_lon < max_lon < 7.6 and 43.6 < min_lat < max_lat < 43.8
    assert np.all((nodes >= [min_lon, min_lat]) & (nodes <= [max_lon, max_lat]))
    # The Monaco test extract carries no replication timestamp (osrm-extract keeps it empty).
    assert osm_timestamp(monaco_dataset) is None


def test_corrupt_extract_fails_clearly(monaco_extract, tmp_path, osrm_bin):
    corrupt = tmp_path / "broken.osm.pbf"
    corrupt.write_bytes(monaco_extract.read_bytes()[:100_000])
    with pytest.raises(OsrmError, match="osrm-extract failed.*PBF error"):
        build(corrupt, workdir=tmp_path / "out")


def test_missing_extract_fails_clearly(tmp_path):
    with pytest.raises(OsrmError, match="extract not found"):
        build(tmp_path / "nowhere.osm.pbf")


@pytest.mark.parametrize(
    ("path", "name"),
    [("a/porto.osm.pbf", "porto"), ("oslo-east.osm.gz", "oslo-east"), ("x/lauf.osm", "lauf")],
)
def test_city_name(path, name):
    assert city_name(path) == name
