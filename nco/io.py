"""Reading and writing instances: JSON (one), compressed npz (batches), VRPLIB files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from nco.errors import InputError
from nco.instance import Instance

_ARRAYS = ("distances", "durations", "demands", "coords", "time_windows", "service_times")
_MATRICES = ("distances", "durations")
_DELTA = "_row_delta"  # npz key suffix of a matrix stored as differences between rows


def instance_to_dict(instance: Instance) -> dict[str, Any]:
    """Plain JSON-serialisable form of ``instance`` (inverse of :func:`instance_from_dict`)."""
    data: dict[str, Any] = {"name": instance.name, "source": instance.source}
    for key in _ARRAYS:
        value = getattr(instance, key)
        if value is not None:
            data[key] = value.tolist()
    data["capacity"] = instance.capacity
    data["num_vehicles"] = instance.num_vehicles
    return data


def instance_from_dict(data: dict[str, Any]) -> Instance:
    """Build an :class:`Instance` from :func:`instance_to_dict`'s form (validated).

    Raises
    ------
    InputError
        Naming the field that is missing, unknown, ragged or of the wrong type.
    """
    if "distances" not in data:
        raise InputError("distances", "missing")
    known = {*_ARRAYS, "capacity", "num_vehicles", "name", "source"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(unknown[0], "unknown field")
    if not isinstance(data.get("name", ""), str):
        raise InputError("name", "must be a string")
    if not isinstance(data.get("source", {}), dict):
        raise InputError("source", "must be an object")
    arrays = {key: _numeric_array(key, data[key]) for key in _ARRAYS if data.get(key) is not None}
    return Instance(**{**data, **arrays})


def _numeric_array(key: str, value: Any) -> np.ndarray:
    """``value`` as a rectangular array of numbers (JSON booleans are not numbers)."""
    try:
        arr = np.asarray(value)
    except (ValueError, OverflowError):  # ragged nesting; integers beyond 64 bits
        arr = None
    if arr is None or arr.dtype.kind not in "iuf":
        raise InputError(key, "must be a rectangular array of numbers (equal-length rows, integers within 64 bits)")
    return arr


def save_json(instance: Instance, path: str | Path) -> None:
    """Write one instance as JSON."""
    Path(path).write_text(json.dumps(instance_to_dict(instance)))


def load_json(path: str | Path) -> Instance:
    """Read one instance written by :func:`save_json`."""
    return instance_from_dict(json.loads(Path(path).read_text()))


def save_batch(instances: Sequence[Instance], path: str | Path) -> None:
    """Write instances of equal size into one compressed npz.

    Arrays are stacked along a leading batch axis and stored as the smallest integer type
    that holds them, which keeps test sets small. Matrices are stored as differences
    between consecutive rows: on road networks with nearby nodes numbered consecutively
    those compress three to four times better than raw metres and seconds.
    """
    if not instances:
        raise ValueError("no instances to save")
    arrays: dict[str, np.ndarray] = {}
    for key in _ARRAYS:
        values = [getattr(inst, key) for inst in instances]
        if key == "durations" and all(np.array_equal(inst.durations, inst.distances) for inst in instances):
            continue  # the Instance default (durations = distances): storing it twice doubles the file
        if key in _MATRICES and all(v is not None for v in values):
            arrays[f"{key}{_DELTA}"] = _compact(np.diff(np.stack(values), axis=1, prepend=0))
        elif all(v is not None for v in values):
            arrays[key] = _compact(np.stack(values))
        elif any(v is not None for v in values):
            raise ValueError(f"{key} is set on some instances but not all")
    arrays["capacity"] = np.array([inst.capacity for inst in instances])
    arrays["num_vehicles"] = np.array([inst.num_vehicles or 0 for inst in instances])
    meta = [{"name": inst.name, "source": inst.source} for inst in instances]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)


def load_batch(path: str | Path) -> list[Instance]:
    """Read the instances written by :func:`save_batch`."""
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {key: data[key].astype(_dtype(key)) for key in _ARRAYS if key in data}
        for key in _MATRICES:
            if f"{key}{_DELTA}" in data:
                arrays[key] = np.cumsum(data[f"{key}{_DELTA}"].astype(np.int64), axis=1)
        capacity, vehicles = data["capacity"], data["num_vehicles"]
    return [
        Instance(
            **{key: value[b] for key, value in arrays.items()},
            capacity=int(capacity[b]),
            num_vehicles=int(vehicles[b]) or None,
            name=meta[b]["name"],
            source=meta[b]["source"],
        )
        for b in range(len(meta))
    ]


def read_vrplib(path: str | Path) -> Instance:
    """Read a CVRPLIB-style ``.vrp`` file (EUC_2D distances rounded to integers, or explicit).

    The depot becomes node 0 whatever its number in the file. Coordinates are kept as
    given, not as lon/lat, so maps of VRPLIB instances are drawn on a plain plane.
    """
    import vrplib

    path = Path(path)
    try:
        data = vrplib.read_instance(str(path), compute_edge_weights=True)
        weights = np.asarray(data["edge_weight"], dtype=np.float64)
        demand = np.asarray(data.get("demand", np.zeros(len(weights))), dtype=np.float64)
        coords = data.get("node_coord")
        coords = None if coords is None else np.asarray(coords, dtype=np.float64)
        depot = int(np.atleast_1d(data.get("depot", [0]))[0])
        capacity = None if data.get("capacity") is None else float(data["capacity"])
    except Exception as exc:  # vrplib raises bare ValueErrors/KeyErrors/IndexErrors on bad files
        raise InputError(str(path), f"not a readable VRPLIB instance ({type(exc).__name__}: {exc})") from None
    size = len(weights)
    # vrplib reads short sections without complaint; the arrays below must line up.
    if demand.shape != (size,):
        raise InputError(f"{path}: DEMAND_SECTION", f"has {len(demand)} entries for {size} nodes (DIMENSION)")
    if coords is not None and coords.shape != (size, 2):
        raise InputError(f"{path}: NODE_COORD_SECTION", f"has {len(coords)} entries for {size} nodes (DIMENSION)")
    if not 0 <= depot < size:
        raise InputError(f"{path}: DEPOT_SECTION", f"depot {depot + 1} is not one of the {size} nodes")
    if capacity is not None and not capacity.is_integer():
        raise InputError(f"{path}: CAPACITY", f"must be an integer, got {capacity:g}")
    if data.get("edge_weight_type", "EUC_2D") == "EUC_2D":
        weights = np.rint(weights)  # CVRPLIB convention: rounded Euclidean distances
    order = np.r_[depot, np.delete(np.arange(size), depot)]
    demands = demand[order]
    return Instance(
        distances=weights[np.ix_(order, order)],
        demands=demands,
        capacity=max(1, int(demands.sum())) if capacity is None else int(capacity),
        coords=None if coords is None else _plane_coords(coords[order]),
        name=str(data.get("name", path.stem)),
        source={"vrplib": str(path)},
    )


def read_vrplib_solution(path: str | Path) -> tuple[list[list[int]], float]:
    """Read a CVRPLIB ``.sol`` file: routes (customers numbered 1..n) and its cost (the BKS)."""
    import vrplib

    sol = vrplib.read_solution(str(path))
    return [list(map(int, r)) for r in sol["routes"]], float(sol["cost"])


def _plane_coords(coords: np.ndarray) -> np.ndarray | None:
    """VRPLIB coordinates are planar; keep them only if they also pass as lon/lat."""
    if (np.abs(coords[:, 0]) <= 180).all() and (np.abs(coords[:, 1]) <= 90).all():
        return coords
    return None


def _compact(arr: np.ndarray) -> np.ndarray:
    if arr.dtype.kind == "f":
        return arr
    for dtype in (np.uint8, np.uint16, np.uint32) if arr.min() >= 0 else (np.int8, np.int16, np.int32):
        if np.iinfo(dtype).min <= arr.min() and arr.max() <= np.iinfo(dtype).max:
            return arr.astype(dtype)
    return arr


def _dtype(key: str) -> type:
    return np.float64 if key == "coords" else np.int64
