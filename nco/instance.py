"""The one problem description every part of nco speaks: :class:`Instance`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nco.errors import InputError

DEPOT = 0


@dataclass(frozen=True, eq=False)
class Instance:
    """A routing instance on a real (asymmetric) road matrix.

    Node 0 is the depot; nodes ``1..n`` are the customers. All matrices have shape
    ``(n + 1, n + 1)`` with ``matrix[i, j]`` the cost of driving from ``i`` to ``j``.

    Parameters
    ----------
    distances
        Integer metres, non-negative, zero diagonal.
    durations
        Integer seconds, non-negative, zero diagonal. Defaults to ``distances`` when the
        problem has no separate notion of time.
    demands
        Integer demand per node, shape ``(n + 1,)``; ``demands[0]`` (the depot) is 0.
    capacity
        Vehicle capacity; every demand must fit in one vehicle.
    num_vehicles
        Optional limit on the number of routes. ATSP is ``num_vehicles=1`` with zero demands.
    coords
        Optional ``(n + 1, 2)`` lon/lat (degrees) for maps and coordinate features.
    time_windows
        Optional ``(n + 1, 2)`` earliest/latest start of service, in seconds. Row 0 is the
        depot's opening hours: vehicles leave at its start and must be back by its end.
    service_times
        Optional ``(n + 1,)`` seconds spent at each node; the depot's is 0.
    name
        A human-readable name.
    source
        Where it came from, e.g. ``{"city": "porto", "seed": 3}``.

    Raises
    ------
    InputError
        When any field is malformed; the error names the field.
    """

    distances: np.ndarray
    durations: np.ndarray | None = None
    demands: np.ndarray | None = None
    capacity: int = 1
    num_vehicles: int | None = None
    coords: np.ndarray | None = None
    time_windows: np.ndarray | None = None
    service_times: np.ndarray | None = None
    name: str = ""
    source: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        dist = _matrix("distances", self.distances)
        size = dist.shape[0]
        durations = dist if self.durations is None else _matrix("durations", self.durations)
        if durations.shape != dist.shape:
            raise InputError("durations", f"shape {durations.shape} differs from distances {dist.shape}")
        demands = np.zeros(size, np.int64) if self.demands is None else _vector("demands", self.demands, size)
        if demands[DEPOT] != 0:
            raise InputError("demands[0]", "the depot must have demand 0")
        capacity = _positive_int("capacity", self.capacity)
        over = np.flatnonzero(demands > capacity)
        if over.size:
            raise InputError(
                f"demands[{over[0]}]", f"demand {demands[over[0]]} exceeds vehicle capacity {capacity}"
            )
        if self.num_vehicles is not None:
            vehicles = _positive_int("num_vehicles", self.num_vehicles)
            if demands.sum() > vehicles * capacity:
                raise InputError(
                    "num_vehicles",
                    f"{vehicles} vehicles of capacity {capacity} cannot carry total demand {demands.sum()}",
                )
            object.__setattr__(self, "num_vehicles", vehicles)
        object.__setattr__(self, "distances", dist)
        object.__setattr__(self, "durations", durations)
        object.__setattr__(self, "demands", demands)
        object.__setattr__(self, "capacity", capacity)
        if self.coords is not None:
            object.__setattr__(self, "coords", _coords(self.coords, size))
        if self.service_times is not None:
            service = _vector("service_times", self.service_times, size)
            if service[DEPOT] != 0:
                raise InputError("service_times[0]", "the depot must have service time 0")
            object.__setattr__(self, "service_times", service)
        if self.time_windows is not None:
            object.__setattr__(self, "time_windows", _time_windows(self, size))

    @property
    def num_customers(self) -> int:
        """Number of customers ``n`` (the depot excluded)."""
        return self.distances.shape[0] - 1

    @property
    def has_time_windows(self) -> bool:
        """Whether the instance has time windows (ACVRPTW)."""
        return self.time_windows is not None

    @property
    def service(self) -> np.ndarray:
        """Service time per node; zeros when none were given."""
        if self.service_times is None:
            return np.zeros(self.num_customers + 1, np.int64)
        return self.service_times

    def replace(self, **changes: Any) -> Instance:
        """Return a copy with some fields changed (validated again)."""
        return replace(self, **changes)


def _matrix(name: str, value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InputError(name, f"must be a square matrix, got shape {arr.shape}")
    if arr.shape[0] < 2:
        raise InputError(name, "needs the depot and at least one customer")
    arr = _integral(name, arr)
    if (arr < 0).any():
        i, j = np.argwhere(arr < 0)[0]
        raise InputError(f"{name}[{i}][{j}]", f"negative value {arr[i, j]}")
    diagonal = np.flatnonzero(np.diag(arr))
    if diagonal.size:
        i = diagonal[0]
        raise InputError(f"{name}[{i}][{i}]", f"diagonal must be 0, got {arr[i, i]}")
    return arr


def _vector(name: str, value: Any, size: int) -> np.ndarray:
    arr = np.asarray(value)
    if arr.shape != (size,):
        raise InputError(name, f"expected shape ({size},), got {arr.shape}")
    arr = _integral(name, arr)
    if (arr < 0).any():
        i = np.flatnonzero(arr < 0)[0]
        raise InputError(f"{name}[{i}]", f"negative value {arr[i]}")
    return arr


def _integral(name: str, arr: np.ndarray) -> np.ndarray:
    """Cast to int64, refusing NaN, infinities, non-numbers and fractional values."""
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind not in "fb":
        raise InputError(name, f"must be numeric, got dtype {arr.dtype}")
    bad = ~np.isfinite(arr)
    if bad.any():
        index = "][".join(map(str, np.argwhere(bad)[0]))
        raise InputError(f"{name}[{index}]", "NaN or infinite value")
    rounded = np.rint(arr)
    if not np.array_equal(rounded, arr):
        raise InputError(name, "must hold integers (metres, seconds, units of demand)")
    return rounded.astype(np.int64)


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(name, f"must be a positive integer, got {value!r}")
    return int(value)


def _coords(value: Any, size: int) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (size, 2):
        raise InputError("coords", f"expected shape ({size}, 2) as [lon, lat], got {arr.shape}")
    if not np.isfinite(arr).all():
        raise InputError("coords", "NaN or infinite coordinate")
    if (np.abs(arr[:, 0]) > 180).any() or (np.abs(arr[:, 1]) > 90).any():
        raise InputError("coords", "lon must lie in [-180, 180] and lat in [-90, 90]")
    return arr


def _time_windows(instance: Instance, size: int) -> np.ndarray:
    arr = np.asarray(instance.time_windows)
    if arr.shape != (size, 2):
        raise InputError("time_windows", f"expected shape ({size}, 2) as [early, late], got {arr.shape}")
    arr = _integral("time_windows", arr)
    early, late = arr[:, 0], arr[:, 1]
    bad = np.flatnonzero(early > late)
    if bad.size:
        i = bad[0]
        raise InputError(f"time_windows[{i}]", f"early {early[i]} is after late {late[i]}")
    # A customer is reachable only if a vehicle leaving the depot at opening time can start
    # service by its late time and still get back before the depot closes.
    depart = early[0]
    arrive = np.maximum(depart + instance.durations[0], early)
    back = arrive + instance.service + instance.durations[:, 0]
    unreachable = np.flatnonzero((arrive > late) | (back > late[0]))
    unreachable = unreachable[unreachable != DEPOT]
    if unreachable.size:
        i = unreachable[0]
        raise InputError(
            f"time_windows[{i}]",
            f"customer {i} cannot be served within its window and returned to the depot by {late[0]}",
        )
    return arr
