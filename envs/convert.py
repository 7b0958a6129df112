"""Instances in, tensors out: the bridge between :class:`~nco.instance.Instance` and the envs.

Integer metres, seconds and demand units stay integer-valued (``*_raw`` keys, float32 holds
integers exactly up to 2**24) for masks and rewards; the network sees normalised copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from nco.errors import InputError
from nco.instance import Instance

if TYPE_CHECKING:
    from tensordict import TensorDict

PROBLEMS = ("acvrp", "atsp", "acvrptw")


def arrays_to_tensors(
    problem: str,
    distances: np.ndarray,
    demands: np.ndarray,
    capacity: np.ndarray,
    coords: np.ndarray | None = None,
    durations: np.ndarray | None = None,
    time_windows: np.ndarray | None = None,
    service_times: np.ndarray | None = None,
) -> TensorDict:
    """Build the env input of a batch from stacked integer arrays.

    Parameters
    ----------
    problem
        ``"acvrp"``, ``"atsp"`` or ``"acvrptw"``.
    distances
        ``(B, M, M)`` integer metres, node 0 the depot.
    demands
        ``(B, M)`` integer demand, ``demands[:, 0] == 0``; ignored for ATSP.
    capacity
        ``(B,)`` vehicle capacity.
    coords
        Optional ``(B, M, 2)`` lon/lat; ``locs`` is zeros without them.
    durations, time_windows, service_times
        ``(B, M, M)``, ``(B, M, 2)``, ``(B, M)`` integer seconds; required for ACVRPTW.

    Returns
    -------
    dict
        The keys documented in :mod:`nco.envs`, as plain tensors (the policy's input;
        :func:`arrays_to_td` wraps them for the rl4co environments).
    """
    _check_problem(problem)
    batch, size = distances.shape[:2]
    dist_raw = torch.as_tensor(np.asarray(distances, np.float32))
    if problem == "atsp":
        demands = np.zeros((batch, size), np.int64)
    demand_raw = torch.as_tensor(np.asarray(demands[:, 1:], np.float32))
    capacity_t = torch.as_tensor(np.asarray(capacity, np.float32)).reshape(batch, 1)
    td = {
        "locs": _scaled_locs(coords, batch, size),
        "dist": dist_raw / _per_instance_max(dist_raw),
        "dist_raw": dist_raw,
        "demand": demand_raw / capacity_t,
        "demand_raw": demand_raw,
        "capacity": capacity_t,
    }
    if problem == "acvrptw":
        if durations is None or time_windows is None:
            raise InputError("time_windows", "ACVRPTW needs durations and time windows")
        if service_times is None:
            service_times = np.zeros((batch, size), np.int64)
        dur_raw = torch.as_tensor(np.asarray(durations, np.float32))
        windows_raw = torch.as_tensor(np.asarray(time_windows, np.float32))
        service_raw = torch.as_tensor(np.asarray(service_times, np.float32))
        # The depot's closing time bounds every time in the instance: times become [0, 1].
        scale = windows_raw[:, 0, 1:2].clamp(min=1.0)
        td.update(
            {
                "dur": dur_raw / scale[:, :, None],
                "dur_raw": dur_raw,
                "time_windows": windows_raw / scale[:, :, None],
                "time_windows_raw": windows_raw,
                "service_time": service_raw / scale,
                "service_time_raw": service_raw,
                "time_scale": scale,
            }
        )
    return td


def arrays_to_td(problem: str, **arrays: np.ndarray | None) -> TensorDict:
    """:func:`arrays_to_tensors` as a TensorDict, the rl4co environments' input."""
    from tensordict import TensorDict  # training only: a 2 s import that solving never pays

    tensors = arrays_to_tensors(problem, **arrays)
    return TensorDict(tensors, batch_size=tensors["dist_raw"].shape[:1])


def instances_to_td(instances: Sequence[Instance], problem: str) -> TensorDict:
    """:func:`instances_to_tensors` as a TensorDict, the rl4co environments' input."""
    from tensordict import TensorDict

    tensors = instances_to_tensors(instances, problem)
    return TensorDict(tensors, batch_size=tensors["dist_raw"].shape[:1])


def instances_to_tensors(instances: Sequence[Instance], problem: str) -> dict[str, torch.Tensor]:
    """Stack equal-size instances into a policy input batch (how user instances meet the policy).

    Parameters
    ----------
    instances
        Instances with the same number of customers.
    problem
        ``"acvrp"``, ``"atsp"`` (demands ignored) or ``"acvrptw"`` (time windows required).

    Raises
    ------
    InputError
        When the batch is empty, sizes differ, or ACVRPTW instances lack time windows.
    """
    _check_problem(problem)
    if not instances:
        raise InputError("instances", "empty batch")
    sizes = {inst.num_customers for inst in instances}
    if len(sizes) > 1:
        raise InputError("instances", f"all instances must have the same size, got {sorted(sizes)}")
    if problem == "acvrptw" and any(inst.time_windows is None for inst in instances):
        raise InputError("time_windows", "ACVRPTW needs time windows on every instance")
    timed = problem == "acvrptw"
    has_coords = all(inst.coords is not None for inst in instances)
    return arrays_to_tensors(
        problem,
        distances=np.stack([inst.distances for inst in instances]),
        demands=np.stack([inst.demands for inst in instances]),
        capacity=np.array([inst.capacity for inst in instances]),
        coords=np.stack([inst.coords for inst in instances]) if has_coords else None,
        durations=np.stack([inst.durations for inst in instances]) if timed else None,
        time_windows=np.stack([inst.time_windows for inst in instances]) if timed else None,
        service_times=np.stack([inst.service for inst in instances]) if timed else None,
    )


def actions_to_routes(actions: torch.Tensor | np.ndarray | Sequence[int]) -> list[list[int]]:
    """Split one action sequence on depot visits (0) into routes of customers.

    ``[3, 1, 0, 2, 0, 0]`` -> ``[[3, 1], [2]]``; empty routes (padding) are dropped.
    """
    routes: list[list[int]] = [[]]
    for node in np.asarray(torch.as_tensor(actions).cpu()).reshape(-1).tolist():
        if node == 0:
            routes.append([])
        else:
            routes[-1].append(int(node))
    return [route for route in routes if route]


def _check_problem(problem: str) -> None:
    if problem not in PROBLEMS:
        raise InputError("problem", f"must be one of {', '.join(PROBLEMS)}, got {problem!r}")


def _per_instance_max(values: torch.Tensor) -> torch.Tensor:
    top = values.flatten(1).amax(1).clamp(min=1.0)
    return top.reshape(-1, *([1] * (values.dim() - 1)))


def _scaled_locs(coords: np.ndarray | None, batch: int, size: int) -> torch.Tensor:
    """Lon/lat min-max scaled per instance and axis to [0, 1]; zeros without coordinates."""
    if coords is None:
        return torch.zeros(batch, size, 2)
    locs = torch.as_tensor(np.asarray(coords, np.float64))
    low = locs.amin(1, keepdim=True)
    span = (locs.amax(1, keepdim=True) - low).clamp(min=1e-12)
    return ((locs - low) / span).float()
