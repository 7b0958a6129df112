import json

import numpy as np
import pytest

from nco.errors import InputError
from nco.pools import CityPool, check_matrices, list_pools, load_pool, split
from nco.pools.build import _cover, asymmetry, spatial_order


def _pool(n: int = 6, seed: int = 0) -> CityPool:
    rng = np.random.default_rng(seed)
    coords = np.column_stack([rng.uniform(7.40, 7.44, n), rng.uniform(43.72, 43.75, n)])
    distances = rng.integers(100, 20_000, (n, n))
    durations = rng.integers(10, 2_000, (n, n))
    np.fill_diagonal(distances, 0)
    np.fill_diagonal(durations, 0)
    return CityPool("toy", coords, distances, durations, {"source": {"file": "toy.osm.pbf"}})


def test_round_trip_keeps_everything(tmp_path):
    pool = _pool()
    path = pool.save(tmp_path)
    assert path == tmp_path / "toy.npz"
    loaded = load_pool("toy", tmp_path)
    assert loaded.name == "toy"
    assert loaded.distances.dtype == np.int64 and loaded.durations.dtype == np.int64
    assert loaded.coords.dtype == np.float64 and loaded.coords.shape == (6, 2)
    assert (loaded.distances == pool.distances).all()
    assert (loaded.durations == pool.durations).all()
    assert (loaded.coords == pool.coords).all()
    assert loaded.card == pool.card
    assert list_pools(tmp_path) == ["toy"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d, t: (d[:, :-1], t), "distances: expected shape"),
        (lambda d, t: (d.astype(float), t), "distances: expected integers"),
        (lambda d, t: (d, t - 50), "durations: negative"),
        (lambda d, t: (d + 1, t), "distances: diagonal"),
    ],
)
def test_invalid_matrices_are_rejected(change, message):
    pool = _pool()
    distances, durations = change(pool.distances.copy(), pool.durations.copy())
    with pytest.raises(InputError, match=message):
        check_matrices(distances, durations, pool.coords)


def test_missing_pool_lists_the_available_ones(tmp_path):
    _pool().save(tmp_path)
    with pytest.raises(InputError, match=r"no pool 'paris'.*\['toy'\]"):
        load_pool("paris", tmp_path)


def test_summary():
    summary = _pool().summary()
    assert summary["points"] == 6 and summary["source"] == "toy.osm.pbf"
    assert 0.1 < summary["median_km"] < 20 and summary["median_minutes"] > 0


def test_spatial_order_is_a_permutation_that_keeps_neighbours_close():
    rng = np.random.default_rng(0)
    coords = rng.uniform(0, 1, (400, 2))
    order = spatial_order(coords)
    assert sorted(order) == list(range(400))
    step = np.linalg.norm(np.diff(coords[order], axis=0), axis=1).mean()
    assert step < np.linalg.norm(np.diff(coords, axis=0), axis=1).mean() / 3


def test_asymmetry_statistics():
    symmetric = np.array([[0, 5], [5, 0]])
    assert asymmetry(symmetric)["asymmetric_pairs"] == 0
    skewed = np.array([[0, 10], [30, 0]])
    stats = asymmetry(skewed)
    assert stats["asymmetric_pairs"] == 1 and stats["mean_relative_difference"] == 1.0


def test_cover_drops_the_island_first():
    # Point 2 is unreachable from and to everyone; pair (0, 1) is one extra bad pair.
    pairs = np.array([[2, 0], [2, 1], [2, 3], [0, 2], [1, 2], [3, 2], [0, 1]])
    dropped = _cover(4, pairs)
    assert dropped[0] == 2 and len(dropped) == 2


# The pools shipped in data/cities.


def test_split_holds_out_one_european_and_one_american_city():
    parts = split()
    assert sorted(parts["test"]) == ["baltimore", "porto"]
    assert not set(parts["train"]) & set(parts["test"])


@pytest.mark.parametrize("name", list_pools())
def test_shipped_pool_is_valid(name):
    pool = load_pool(name)
    assert len(pool) == 1000
    assert (pool.distances[~np.eye(len(pool), dtype=bool)] > 0).all()
    assert pool.card["license"] == "ODbL-1.0"
    assert "OpenStreetMap contributors" in pool.card["attribution"]
    assert pool.card["asymmetry"]["durations"]["asymmetric_pairs"] > 0.5
    assert name in split()["train"] + split()["test"]


def test_every_split_city_is_shipped():
    parts = split()
    assert sorted(parts["train"] + parts["test"]) == list_pools()


def test_attribution_file_names_every_pool():
    from nco.paths import CITIES_DIR

    text = (CITIES_DIR / "ATTRIBUTION.md").read_text()
    assert "ODbL" in text and "OpenStreetMap contributors" in text
    for name in list_pools():
        assert f"| {name} |" in text
    assert json.loads((CITIES_DIR / "split.json").read_text())["test"]
