import numpy as np
import pytest

from nco.cli.main import main
from nco.errors import NcoError
from nco.osrm import OsrmClient, OsrmServer, build, road_bbox
from nco.pools import build_city, load_pool
from nco.pools.build import _reachable_table, _Sampler


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


# A hand-made OSM XML town: a 32 x 32 street grid 50 m apart (over OSRM's 1000-node
# threshold for the main network) and, 600 m east, a three-node road island.
GRID, LON0, LAT0, DLON, DLAT = 32, 11.27, 49.5, 0.0007, 0.00045
ISLAND = [(11.3117, 49.5050), (11.3117, 49.5059), (11.3127, 49.5059)]


def _town_xml(path) -> None:
    nodes, ways = [], []
    for row in range(GRID):
        for col in range(GRID):
            nodes.append((1 + row * GRID + col, LON0 + col * DLON, LAT0 + row * DLAT))
    for k in range(GRID):
        ways.append([1 + k * GRID + col for col in range(GRID)])  # a street along row k
        ways.append([1 + row * GRID + k for row in range(GRID)])  # a street along column k
    island = [(10_001 + k, lon, lat) for k, (lon, lat) in enumerate(ISLAND)]
    ways.append([node for node, _, _ in island])
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="nco tests">']
    lines += [f'<node id="{i}" version="1" lat="{lat:.6f}" lon="{lon:.6f}"/>' for i, lon, lat in nodes + island]
    for w, refs in enumerate(ways, start=1):
        lines.append(f'<way id="{w}" version="1">')
        lines += [f'<nd ref="{ref}"/>' for ref in refs]
        lines += ['<tag k="highway" v="residential"/>', "</way>"]
    lines.append("</osm>")
    path.write_text("\n".join(lines))


@pytest.fixture(scope="module")
def town(osrm_bin, tmp_path_factory):
    """The town's .osm file and its OSRM dataset, built once."""
    folder = tmp_path_factory.mktemp("town")
    extract = folder / "town.osm"
    _town_xml(extract)
    return extract, build(extract, workdir=folder / "osrm").dataset


def test_island_points_are_replaced_not_fatal(town):
    # Alone, an island point keeps its place (routing snaps it to the island); routed with
    # the main grid it moves 600 m, beyond max_snap. It must be dropped and replaced.
    extract, dataset = town
    grid = [(round(LON0 + c * DLON, 6), round(LAT0 + r * DLAT, 6)) for r, c in [(3, 4), (10, 20), (25, 7), (30, 30)]]

    class FirstTheseThenRandom(_Sampler):
        given = [ISLAND[1], *grid]

        def take(self, count):
            first, self.given = self.given[:count], []
            return first + super().take(count - len(first))

    with OsrmServer(dataset, max_table_size=100) as server:
        client = OsrmClient(server.url, server.max_table_size, max_snap=200.0)
        sampler = FirstTheseThenRandom(client, road_bbox(dataset), np.random.default_rng(0), 200.0)
        coords, table, _ = _reachable_table(sampler, 12)
    assert len(coords) == 12 and sampler.counts["small_component"] >= 1
    assert not np.isclose(coords, ISLAND[1], atol=1e-4).all(axis=1).any()
    assert (table.distances[~np.eye(12, dtype=bool)] > 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_build_city_on_an_osm_xml_town(town, seed):
    extract, dataset = town
    pool = build_city(extract, points=80, seed=seed, directory=None, workdir=dataset.parent)
    assert len(pool) == 80 and pool.card["source"]["file"] == "town.osm"
    island = np.array(ISLAND)
    assert (pool.coords[:, 0] < island[:, 0].min() - 0.001).all()  # nothing on the island survives
