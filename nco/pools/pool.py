"""A city pool: road points of one city with their full distance and duration matrices.

Training and test instances are drawn from pools (the RRNCO idea): pick a depot and
customers among a pool's points and slice its matrices. Pools are stored as
``data/cities/<name>.npz`` next to ``<name>.json`` (the card: provenance, counts,
asymmetry, licence). The npz holds ``coords`` and the matrices as row differences
(``distances_row_delta``, ``durations_row_delta``; ``np.cumsum(..., axis=0)`` restores
them); use :func:`load_pool` rather than reading it by hand.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nco.errors import InputError
from nco.paths import CITIES_DIR

SPLIT_FILE = "split.json"


def check_matrices(distances: np.ndarray, durations: np.ndarray, coords: np.ndarray) -> None:
    """Raise :class:`InputError` unless the matrices fit a pool of ``len(coords)`` points.

    Square and the same size as ``coords``, integer, no negatives, zero diagonal.
    (Missing routes cannot appear: they would have no integer value.)
    """
    n = len(coords)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise InputError("coords", f"expected shape (n, 2) lon/lat, got {coords.shape}")
    for key, matrix in (("distances", distances), ("durations", durations)):
        if matrix.shape != (n, n):
            raise InputError(key, f"expected shape ({n}, {n}), got {matrix.shape}")
        if not np.issubdtype(matrix.dtype, np.integer):
            raise InputError(key, f"expected integers, got {matrix.dtype}")
        if (matrix < 0).any():
            raise InputError(key, "negative entries")
        if np.diagonal(matrix).any():
            raise InputError(key, "diagonal must be zero")


@dataclass
class CityPool:
    """Points on one city's road network and the road matrices between them.

    Attributes
    ----------
    name
        The pool's name (the extract's stem, e.g. ``"monaco"``).
    coords
        (N, 2) float64 lon/lat of the points, as snapped by OSRM.
    distances
        (N, N) int64 road distances in metres, ``distances[i, j]`` from i to j.
    durations
        (N, N) int64 travel times in seconds.
    card
        Provenance and statistics (see :func:`nco.pools.build_city`).
    """

    name: str
    coords: np.ndarray
    distances: np.ndarray
    durations: np.ndarray
    card: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.coords = np.asarray(self.coords, dtype=np.float64)
        self.distances = np.asarray(self.distances)
        self.durations = np.asarray(self.durations)
        check_matrices(self.distances, self.durations, self.coords)
        self.distances = self.distances.astype(np.int64)
        self.durations = self.durations.astype(np.int64)

    def __len__(self) -> int:
        return len(self.coords)

    def summary(self) -> dict[str, Any]:
        """Points, median trip length (km) and time (minutes), and the source extract."""
        off_diagonal = ~np.eye(len(self), dtype=bool)
        return {
            "points": len(self),
            "median_km": float(np.median(self.distances[off_diagonal])) / 1000,
            "median_minutes": float(np.median(self.durations[off_diagonal])) / 60,
            "source": self.card.get("source", {}).get("file", "unknown"),
        }

    def save(self, directory: str | Path = CITIES_DIR) -> Path:
        """Write ``<name>.npz`` and ``<name>.json`` into ``directory``; returns the npz path."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.npz"
        # Row differences: neighbouring points (pools are built in a space-filling order)
        # have nearly equal rows, so the differences are small and compress ~5x better
        # than the matrices themselves. int32 holds any city's metres and seconds.
        np.savez_compressed(
            path,
            coords=self.coords,
            distances_row_delta=np.diff(self.distances, axis=0, prepend=0).astype(np.int32),
            durations_row_delta=np.diff(self.durations, axis=0, prepend=0).astype(np.int32),
        )
        (directory / f"{self.name}.json").write_text(json.dumps(self.card, indent=2) + "\n")
        return path


def load_pool(name: str, directory: str | Path = CITIES_DIR) -> CityPool:
    """Load the pool ``name`` (e.g. ``"monaco"``) from ``directory``.

    Raises
    ------
    InputError
        When no such pool exists (the message lists the available ones) or it is invalid.
    """
    directory = Path(directory)
    path = directory / f"{name}.npz"
    if not path.is_file():
        raise InputError("pool", f"no pool {name!r} in {directory}; available: {list_pools(directory)}")
    card_path = directory / f"{name}.json"
    card = json.loads(card_path.read_text()) if card_path.is_file() else {}
    with np.load(path) as data:
        distances = np.cumsum(data["distances_row_delta"], axis=0, dtype=np.int64)
        durations = np.cumsum(data["durations_row_delta"], axis=0, dtype=np.int64)
        return CityPool(name, data["coords"], distances, durations, card)


def list_pools(directory: str | Path = CITIES_DIR) -> list[str]:
    """Names of the pools in ``directory``, sorted."""
    return sorted(path.stem for path in Path(directory).glob("*.npz"))


def split(directory: str | Path = CITIES_DIR) -> dict[str, list[str]]:
    """The committed train/test split of the pools: ``{"train": [...], "test": [...]}``.

    Test cities are held out: never train on them.
    """
    path = Path(directory) / SPLIT_FILE
    if not path.is_file():
        raise InputError("split", f"{path} is missing")
    data = json.loads(path.read_text())
    return {"train": list(data["train"]), "test": list(data["test"])}


def training_pools(names: Sequence[str] | None) -> list[str]:
    """``names`` checked against the split's training cities (``None``: all of them).

    Raises
    ------
    InputError
        Naming ``pools`` when a name is not a training city: a test city must never be trained
        on or labelled.
    """
    train = split()["train"]
    if names is None:
        return train
    wrong = [name for name in names if name not in train]
    if wrong or not names:
        raise InputError("pools", f"must name training cities ({', '.join(train)}), got {', '.join(wrong) or 'none'}")
    return list(names)
