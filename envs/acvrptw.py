"""Asymmetric CVRP with time windows on real road matrices: :class:`ACVRPTWEnv`."""

from __future__ import annotations

import torch
from tensordict import TensorDict

from nco.envs import dynamics
from nco.envs.acvrp import ACVRPEnv


class ACVRPTWEnv(ACVRPEnv):
    """ACVRP where the duration matrix (integer seconds) drives a clock.

    Each route leaves the depot when it opens; waiting for a window to open is allowed.
    A customer is offered only if service can start by its late time *and* the vehicle can
    still get back before the depot closes, so no rollout can get stuck. ``current_time``
    is when the vehicle is free to leave its current node (service done), normalised by
    ``time_scale`` (the depot's closing time); ``current_time_raw`` is the same in seconds.
    """

    name = "acvrptw"

    def _reset(self, td: TensorDict, batch_size: list[int] | None = None) -> TensorDict:
        opening = td["time_windows_raw"][:, 0, 0:1]
        td = td.copy()
        td.update({"current_time_raw": opening.clone(), "current_time": opening / td["time_scale"]})
        td = super()._reset(td, batch_size)
        td.set("action_mask", self.get_action_mask(td))  # the shared dynamics know no clock
        return td

    def _step(self, td: TensorDict) -> TensorDict:
        node = td["action"].reshape(-1, 1)
        arrival = _arrival_times(td).gather(1, node)
        ready = arrival + td["service_time_raw"].gather(1, node)
        # Back at the depot, the next vehicle leaves when the depot opens.
        time = torch.where(node == 0, td["time_windows_raw"][:, 0, 0:1], ready)
        td.update({"current_time_raw": time, "current_time": time / td["time_scale"]})
        td = super()._step(td)
        td.set("action_mask", self.get_action_mask(td))  # the shared dynamics know no clock
        return td

    def get_action_mask(self, td: TensorDict) -> torch.Tensor:
        """ACVRP's mask, less the customers that cannot be served in time and left in time."""
        mask = dynamics.action_mask(td, "acvrp")
        windows = td["time_windows_raw"]
        arrival = _arrival_times(td)
        back = arrival + td["service_time_raw"] + td["dur_raw"][:, :, 0]
        in_time = (arrival <= windows[..., 1]) & (back <= windows[:, 0:1, 1])
        return mask & torch.cat([torch.ones_like(in_time[:, :1]), in_time[:, 1:]], -1)

    @staticmethod
    def check_solution_validity(td: TensorDict, actions: torch.Tensor) -> None:
        """ACVRP's checks, then a replay of the clock: raise ``ValueError`` on a late arrival."""
        ACVRPEnv.check_solution_validity(td, actions)
        windows, service = td["time_windows_raw"], td["service_time_raw"]
        opening = windows[:, 0, 0:1]
        time, node = opening, torch.zeros_like(actions[:, :1])
        for step in range(actions.shape[1] + 1):
            nxt = actions[:, step : step + 1] if step < actions.shape[1] else torch.zeros_like(node)
            leg = _row(td["dur_raw"], node).gather(1, nxt)
            arrival = torch.maximum(time + leg, windows[..., 0].gather(1, nxt))
            if (arrival > windows[..., 1].gather(1, nxt)).any():
                raise ValueError("a vehicle arrives after a time window closes")
            time = torch.where(nxt == 0, opening, arrival + service.gather(1, nxt))
            node = nxt


def _arrival_times(td: TensorDict) -> torch.Tensor:
    """When service could start at each node if the vehicle went there next (B, M)."""
    row = _row(td["dur_raw"], td["current_node"])
    return torch.maximum(td["current_time_raw"] + row, td["time_windows_raw"][..., 0])


def _row(matrix: torch.Tensor, node: torch.Tensor) -> torch.Tensor:
    """``matrix[b, node[b], :]`` for each instance: (B, M, M) and (B, 1) -> (B, M)."""
    return matrix.gather(1, node[..., None].expand(-1, 1, matrix.shape[-1])).squeeze(1)
