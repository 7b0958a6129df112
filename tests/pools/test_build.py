import numpy as np
import pytest

from nco.cli.main import main
from nco.errors import NcoError
from nco.pools import build_city, load_pool


@pytest.fixture(scope="module")
def small_pool(monaco_extract, monaco_dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("cities")
    pool = build_city(monaco_extract, points=60, seed=3, directory=out,
                      workdir=monaco_dataset.parent)
    return pool, out


def test_build_city_makes_a_valid_asymmetric_pool(small_pool):
    pool, out = small_pool
    assert pool.name == "monaco" and len(pool) == 60
    off = ~np.eye(60, dtype=bool)
    assert (pool.distances[off] > 0).all() and (pool.durations[off] >= 0).all()
    assert (pool.distances != pool.distances.T).any()
    assert len(np.unique(pool.coords, axis=0)) == 60
    card = pool.card
    assert card["counts"]["points"] == 60
    assert card["source"]["file"] == "monaco.osm.pbf" and len(card["source"]["sha256"]) == 64
    assert card["build"]["seed"] == 3 and card["license"] == "ODbL-1.0"
    min_lon, min_lat, max_lon, max_lat = card["road_bbox"]
    assert (pool.coords >= [min_lon, min_lat]).all() and (pool.coords <= [max_lon, max_lat]).all()
    loaded = load_pool("monaco", out)
    assert (loaded.distances == pool.distances).all() and loaded.card == card


def test_same_seed_same_pool(small_pool, monaco_extract, monaco_dataset):
    pool, _ = small_pool
    again = build_city(monaco_extract, points=60, seed=3, directory=None,
                       workdir=monaco_dataset.parent)
    assert np.allclose(again.coords, pool.coords)
    assert (again.durations == pool.durations).all()


def test_too_few_points_is_an_error(monaco_extract):
    with pytest.raises(NcoError, match="at least 2"):
        build_city(monaco_extract, points=1)


def test_cli_list_and_show_with_plot(tmp_path, capsys):
    assert main(["data", "list"]) == 0
    listing = capsys.readouterr().out
    assert "monaco" in listing and "train" in listing
    png = tmp_path / "monaco.png"
    assert main(["data", "show", "monaco", "--plot", str(png)]) == 0
    assert png.stat().st_size > 10_000
    assert '"license": "ODbL-1.0"' in capsys.readouterr().out


def test_cli_unknown_pool_is_one_line_error(capsys):
    assert main(["data", "show", "atlantis"]) == 2
    assert "no pool 'atlantis'" in capsys.readouterr().err
