import requests
import pytest

from nco.errors import OsrmError
from nco.osrm import OsrmServer, free_port


def test_fixture_server_binds_loopback_and_answers(monaco_osrm, monaco_server):
    assert monaco_osrm.host == "127.0.0.1"
    assert monaco_server.startswith("http://127.0.0.1:")
    answer = requests.get(f"{monaco_server}/nearest/v1/driving/7.4246,43.7384", timeout=5).json()
    assert answer["code"] == "Ok"


def test_context_manager_shuts_the_server_down(monaco_dataset):
    with OsrmServer(monaco_dataset, max_table_size=10) as server:
        assert server.running
        url = server.url
    assert not server.running
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/nearest/v1/driving/7.4246,43.7384", timeout=2)


def test_unbuilt_dataset_is_a_clear_error(tmp_path):
    with pytest.raises(OsrmError, match="not a built MLD dataset"):
        OsrmServer(tmp_path / "nothing.osrm").start()


def test_port_in_use_is_a_clear_error(monaco_dataset, monaco_osrm):
    with pytest.raises(OsrmError, match="cannot listen"):
        OsrmServer(monaco_dataset, port=monaco_osrm.port, startup_timeout=10).start()


def test_free_port_is_bindable():
    assert 0 < free_port() < 65536
