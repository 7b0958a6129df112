import numpy as np
import osrm
import pytest

from nco.errors import InputError, OsrmError
from nco.osrm import OsrmClient, OsrmResponseError, OsrmServer, TableRequest, free_port, road_nodes


@pytest.fixture(scope="module")
def client(monaco_osrm):
    return OsrmClient(monaco_osrm.url, monaco_osrm.max_table_size)


@pytest.fixture(scope="module")
def points(monaco_dataset, client):
    """50 real road points of Monaco: graph nodes that routing uses where they are.

    (Nodes of tiny road islands at the extract's edge snap elsewhere, so they are left out.)
    """
    nodes = road_nodes(monaco_dataset)
    nodes = nodes[np.random.default_rng(1).choice(len(nodes), 200, replace=False)]
    _, moved = client.snap(nodes)
    return nodes[moved < 1][:50]


@pytest.fixture(scope="module")
def full(client, points):
    return client.table(points)


def test_table_is_a_50x50_integer_road_matrix(full):
    for matrix in (full.distances, full.durations):
        assert matrix.shape == (50, 50)
        assert matrix.dtype == np.int64
        assert (np.diagonal(matrix) == 0).all()
        assert (matrix >= 0).all()
    off = ~np.eye(50, dtype=bool)
    assert (full.distances[off] > 0).mean() > 0.95
    assert full.source_locations.shape == (50, 2)


def test_road_matrices_are_asymmetric(full):
    assert (full.distances != full.distances.T).any()
    assert (full.durations != full.durations.T).any()


def test_table_agrees_with_the_route_service(client, points, full):
    for i, j in [(0, 1), (5, 17), (42, 3), (49, 0)]:
        route = client.route(
            coordinates=[points[i].tolist(), points[j].tolist()], overview=osrm.overview.false
        )["routes"][0]
        assert abs(route["duration"] - full.durations[i, j]) <= 1
        assert abs(route["distance"] - full.distances[i, j]) <= 1


def test_block_split_table_equals_single_call(monaco_osrm, points, full):
    small = OsrmClient(monaco_osrm.url, max_table_size=7)  # blocks of 49 pairs
    split = small.table(points)
    assert (split.durations == full.durations).all()
    # OSRM sums a path's metres in floating point in an order that depends on the request,
    # so a x.5 m distance may round either way.
    assert np.abs(split.distances - full.distances).max() <= 1


def test_sources_and_destinations_include_index_zero(client, points, full):
    part = client.table(points, sources=[0, 3], destinations=[0, 5, 7])
    assert (part.distances == full.distances[np.ix_([0, 3], [0, 5, 7])]).all()
    assert (part.durations == full.durations[np.ix_([0, 3], [0, 5, 7])]).all()


def test_table_request_encodes_index_zero():
    request = TableRequest(coordinates=[[7.4, 43.7]] * 3, sources=[0], destinations=[0, 2])
    options = request.get_options()
    assert options["sources"] == "0" and options["destinations"] == "0;2"


def test_snap_matches_table_locations(client, points, full):
    locations, distances = client.snap(points)
    assert np.allclose(locations, full.source_locations)
    assert np.allclose(locations, points, atol=1e-5)
    assert (distances < 1).all()


def test_coordinates_outside_the_map(client, points):
    outside = np.vstack([points[:3], [[0.0, 0.0]]])
    with pytest.raises(InputError, match=r"coordinates\[3\].*from any road"):
        client.table(outside)
    with pytest.raises(InputError, match="latitude"):
        client.table([[7.42, 43.73], [7.42, 95.0]])


def test_server_down_is_a_clear_error(points):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(OsrmError, match="not reachable.*is it running"):
        OsrmClient(url).table(points[:3])


def test_table_larger_than_the_server_limit(monaco_dataset, points):
    with OsrmServer(monaco_dataset, max_table_size=10) as server:
        # A client that believes the limit is higher sends 20 x 20 in one request.
        with pytest.raises(OsrmResponseError, match="TooBig") as info:
            OsrmClient(server.url, max_table_size=20).table(points[:20])
        assert info.value.code == "TooBig"
        # Told the true limit, the client splits into blocks the server accepts.
        assert OsrmClient(server.url, max_table_size=10).table(points[:20]).distances.shape == (20, 20)


def test_bad_indices(client, points):
    with pytest.raises(InputError, match="sources"):
        client.table(points, sources=[50])
