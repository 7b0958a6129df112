"""Fixtures for the solve API: small problems and a real uvicorn server on a free loopback port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn

from nco.api.server import Limits, create_app
from nco.osrm.server import free_port

# Small on purpose: the tests exercise the limits without building big bodies.
TEST_LIMITS = Limits(max_jobs=50, max_vehicles=10, max_matrix_size=60, max_body_bytes=200_000, max_time_limit=2.0)


def matrix_problem(n: int = 6, vehicles: int = 3, capacity: int = 10, seed: int = 0) -> dict:
    """A VROOM problem on an explicit asymmetric matrix: depot at index 0, jobs 1..n."""
    import numpy as np

    rng = np.random.default_rng(seed)
    points = rng.uniform(0, 5000, size=(n + 1, 2))
    dist = np.rint(np.abs(points[:, None] - points[None]).sum(-1) * rng.uniform(1.0, 1.2, (n + 1, n + 1)))
    np.fill_diagonal(dist, 0)
    return {
        "jobs": [{"id": 100 + i, "location_index": i, "delivery": [int(rng.integers(1, 5))]} for i in range(1, n + 1)],
        "vehicles": [{"id": v, "start_index": 0, "end_index": 0, "capacity": [capacity]} for v in range(vehicles)],
        "matrices": {"car": {"distances": dist.astype(int).tolist(), "durations": (dist // 10).astype(int).tolist()}},
    }


@pytest.fixture
def make_problem():
    """The :func:`matrix_problem` factory (test modules cannot import conftest)."""
    return matrix_problem


@contextmanager
def running(app) -> Iterator[str]:
    """Serve ``app`` with a real uvicorn in a thread on a free loopback port; yields its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve():
    """The :func:`running` context manager, for tests that need an app of their own."""
    return running


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Base URL of the service with the test limits, shut down after the session."""
    with running(create_app(TEST_LIMITS)) as url:
        yield url


@pytest.fixture(scope="session")
def osrm_server_url(monaco_server: str) -> Iterator[str]:
    """The service answering problems without matrices from the real Monaco OSRM server."""
    with running(create_app(TEST_LIMITS, osrm_url=monaco_server)) as url:
        yield url
