"""Asymmetric TSP on a real road matrix: :class:`ATSPEnv`."""

from __future__ import annotations

import torch
from tensordict import TensorDict

from nco.envs.acvrp import ACVRPEnv, _check_served_once


class ATSPEnv(ACVRPEnv):
    """One closed tour through every city on an asymmetric matrix (integer metres).

    Node 0 is the start city. A tour is ``n`` actions over the customers ``1..n``; the
    closing leg back to node 0 is implied (and costed) by the reward, so the episode is done
    after ``n`` steps. Afterwards only node 0 stays allowed, which pads at no cost. The
    tensor keys are those of ACVRP with zero demands (see :mod:`nco.envs`).
    """

    name = "atsp"

    @staticmethod
    def check_solution_validity(td: TensorDict, actions: torch.Tensor) -> None:
        """Raise ``ValueError`` unless the actions are one tour over all cities."""
        _check_served_once(td, actions)
        back = (actions == 0).cummax(1).values
        if (actions[back] != 0).any():
            raise ValueError("an ATSP tour returns to its start city only at the end")
