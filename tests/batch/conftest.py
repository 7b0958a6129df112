"""A real local Ray with 2 CPUs for the batch tests, and small problems to feed it.

Ray takes 5-15 s to start on a busy machine, so one Ray serves the whole session;
``solve_batch`` uses a Ray that the process already connected to as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nco.batch.engine import ray_session
from nco.instance import Instance
from nco.io import load_batch, save_json
from nco.paths import TESTSETS_DIR


@pytest.fixture(scope="session")
def ray_2cpus() -> Iterator[None]:
    with ray_session(workers=2):
        yield


@pytest.fixture(scope="session")
def instances() -> list[Instance]:
    """Four 50-customer ACVRP instances from a shipped test set (read directly: the test-set
    module would import the training stack)."""
    return load_batch(TESTSETS_DIR / "acvrp_n50_in.npz")[:4]


@pytest.fixture
def problem_folder(tmp_path: Path, instances: list[Instance]) -> Path:
    """A folder of four nco instance JSON files, ``p0.json`` .. ``p3.json``."""
    folder = tmp_path / "problems"
    folder.mkdir()
    for i, instance in enumerate(instances):
        save_json(instance, folder / f"p{i}.json")
    return folder

