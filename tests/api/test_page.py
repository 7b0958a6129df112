"""The planning page's HTTP side: the page, its static files and the city data it reads."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from nco.api.server import Access, create_app
from nco.pools import list_pools, load_pool
from nco.pools.roads import load_roads


@pytest.fixture(scope="module")
def client():
    # The server answers errors itself (JSON with a VROOM code); the client must not re-raise them.
    app = create_app(load_policy=False, access=Access(hosts=None))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_page_and_its_files_are_served_and_nothing_else(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "http" not in page.text.replace("http://www.w3.org", "")  # nothing from the internet
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/..%2Fpage.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_cities_list_the_shipped_pools_with_their_split(client):
    cities = client.get("/cities").json()
    assert [c["name"] for c in cities] == list_pools()
    porto = next(c for c in cities if c["name"] == "porto")
    assert porto["split"] == "test" and porto["roads"] and porto["points"] == 1000
    assert len(porto["bbox"]) == 4


def test_a_city_comes_with_its_points_and_road_layer(client):
    city = client.get("/cities/lauf").json()
    assert np.allclose(city["points"], load_pool("lauf").coords, atol=1e-6)
    roads, layer = city["roads"], load_roads("lauf")
    points = np.cumsum(np.reshape(roads["steps"], (-1, 2)), axis=0) * roads["resolution"]
    assert np.abs(points - layer.points).max() < 1e-9
    assert roads["offsets"] == layer.offsets.tolist() and len(roads["ranks"]) == len(layer)
    assert client.get("/cities/atlantis").status_code == 404
    assert client.get("/cities/..%2Fsplit").status_code == 404


def test_matrices_are_the_pool_cut_to_the_points(client):
    pool = load_pool("monaco")
    answer = client.post("/cities/monaco/matrices", json={"points": [5, 0, 999]}).json()
    assert answer["distances"] == pool.distances[np.ix_([5, 0, 999], [5, 0, 999])].tolist()
    assert answer["durations"][0][1] == pool.durations[5, 0]
    bad = client.post("/cities/monaco/matrices", json={"points": [1, 1000]})
    assert bad.status_code == 422 and bad.json()["field"] == "points[1]"
    assert client.post("/cities/monaco/matrices", json={"points": []}).status_code == 422
