"""Road layers: extraction from a real extract, simplification, storage, the shipped layers."""

import numpy as np
import pytest

from nco.cli.main import main
from nco.errors import InputError
from nco.paths import CITIES_DIR
from nco.pools import build_city, list_pools, load_pool
from nco.pools.roads import RoadLayer, build_roads, list_roads, load_roads, roads_for, roads_path, simplify


def test_simplify_keeps_ends_and_corners_and_drops_wiggles_within_tolerance():
    # An L-shaped street, ~550 m east then ~550 m north, with a 3 m wiggle (1e-5 degrees ~ 1.1 m).
    east = np.column_stack([np.linspace(7.40, 7.407, 8), np.full(8, 43.73)])
    north = np.column_stack([np.full(7, 7.407), np.linspace(43.73, 43.735, 8)[1:]])
    line = np.concatenate([east, north])
    line[3, 1] += 3e-5
    kept = simplify(line, tolerance=6.0)
    assert (kept == line[[0, 7, 14]]).all()
    assert (simplify(line, tolerance=1.0) == line[3]).all(axis=1).any()  # now the wiggle stays
    assert len(simplify(line[:2], tolerance=6.0)) == 2


def test_save_and_load_round_trip_to_a_metre(tmp_path):
    points = np.array([[7.4, 43.7], [7.41, 43.71], [7.42, 43.7], [7.43, 43.72], [7.44, 43.73]])
    layer = RoadLayer("toy", points, np.array([0, 2, 5]), np.array([0, 2], dtype=np.uint8), {"name": "toy"})
    path = layer.save(tmp_path)
    assert path == roads_path("toy", tmp_path) and path.name == "toy.roads.zip"
    loaded = load_roads("toy", tmp_path)
    assert np.abs(loaded.points - points).max() < 1e-5
    assert [len(line) for line in loaded.lines()] == [2, 3]
    assert len(list(loaded.lines(rank=2))) == 1 and loaded.card == {"name": "toy"}
    assert list_roads(tmp_path) == ["toy"]
    assert list_pools(tmp_path) == []  # never mistaken for a pool
    assert loaded.covers(np.array([[7.41, 43.71]])) and not loaded.covers(np.array([[7.5, 43.71]]))
    with pytest.raises(InputError, match="available: \\['toy'\\]"):
        load_roads("porto", tmp_path)


def test_build_from_the_monaco_extract(monaco_extract, tmp_path):
    pool = load_pool("monaco")
    layer = build_roads(monaco_extract, pool, tmp_path)
    assert layer.card["counts"]["points"] < layer.card["counts"]["points_before_simplify"]
    assert set(np.unique(layer.ranks)) <= {0, 1, 2, 3} and len(layer) > 500
    west, south, east, north = layer.card["bbox"]
    assert west < pool.coords[:, 0].min() and north > pool.coords[:, 1].max()
    # Pool points lie on routable roads: nearly all of them lie on a drawn line.
    assert np.mean(_metres_to_layer(pool.coords, layer) < 30) > 0.98
    assert roads_path("monaco", tmp_path).stat().st_size < 200_000


@pytest.mark.osrm
def test_building_a_city_builds_its_road_layer(monaco_extract, monaco_dataset, tmp_path):
    pool = build_city(monaco_extract, points=20, seed=1, directory=tmp_path, workdir=monaco_dataset.parent)
    assert list_roads(tmp_path) == [pool.name] == list_pools(tmp_path)


def test_cli_build_roads(monaco_extract, tmp_path, capsys):
    load_pool("monaco").save(tmp_path)
    assert main(["data", "build-roads", str(monaco_extract), "--city", "monaco", "--dir", str(tmp_path)]) == 0
    assert "road lines" in capsys.readouterr().out
    assert list_roads(tmp_path) == ["monaco"]


def test_every_shipped_pool_has_a_small_road_layer_that_covers_it():
    assert list_roads() == list_pools()
    for name in list_pools():
        assert roads_path(name).stat().st_size <= 1_000_000
        pool = load_pool(name, CITIES_DIR)
        assert roads_for(pool.coords[:10]).name == name
        assert "OpenStreetMap" in load_roads(name).card["attribution"]
    assert roads_for(np.array([[0.0, 0.0]])) is None


def _metres_to_layer(coords: np.ndarray, layer: RoadLayer) -> np.ndarray:
    """Flat-earth metres from each point to the nearest segment of the layer."""
    scale = np.array([np.cos(np.radians(coords[:, 1].mean())), 1.0]) * 111_320
    starts = np.concatenate([line[:-1] for line in layer.lines()]) * scale
    spans = np.concatenate([np.diff(line, axis=0) for line in layer.lines()]) * scale
    lengths = np.maximum((spans**2).sum(axis=1), 1e-9)
    nearest = []
    for chunk in np.array_split(coords * scale, max(1, len(coords) // 50)):
        offsets = chunk[:, None, :] - starts
        along = np.clip((offsets * spans).sum(axis=2) / lengths, 0, 1)
        nearest.append(np.linalg.norm(offsets - along[..., None] * spans, axis=2).min(axis=1))
    return np.concatenate(nearest)
