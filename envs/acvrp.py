"""Asymmetric CVRP on a real road matrix: :class:`ACVRPEnv`."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from rl4co.envs.common.base import RL4COEnvBase
from tensordict import TensorDict
from torchrl.data import Bounded, Composite, Unbounded

from nco.envs import dynamics
from nco.envs.generator import CityGenerator


class ACVRPEnv(RL4COEnvBase):
    """Capacitated vehicle routing on an asymmetric distance matrix (integer metres).

    The vehicle starts at the depot (node 0); each action is the next node. Visiting the
    depot starts a new route with an empty vehicle. The episode ends back at the depot
    once every customer is served; the reward is minus the total distance of all routes,
    exactly the validator's cost. See :mod:`nco.envs` for the tensor keys.

    Parameters
    ----------
    generator
        Where instances come from when ``reset`` gets no data; by default a
        :class:`~nco.envs.generator.CityGenerator` built from ``generator_params``.
    generator_params
        Keyword arguments of the default generator (``num_loc``, ``pools``, ``mode``, ``seed``).
    **kwargs
        Passed to rl4co's ``RL4COEnvBase`` (``check_solution``, ``device``, ...).
    """

    name = "acvrp"

    def __init__(
        self,
        generator: CityGenerator | None = None,
        generator_params: dict | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if generator is None:
            generator = CityGenerator(problem=self.name, **(generator_params or {}))
        self.generator = generator
        self._make_spec(generator)

    def _reset(self, td: TensorDict, batch_size: list[int] | None = None) -> TensorDict:
        state = dynamics.reset(td, self.name)
        del state["done"]  # rl4co's reset adds its own
        td_reset = td.copy()
        td_reset.update(state)
        return td_reset

    def _step(self, td: TensorDict) -> TensorDict:
        td.update(dynamics.step(td, td["action"], self.name))
        td.set("reward", torch.zeros_like(td["done"], dtype=torch.float32))
        return td

    def get_action_mask(self, td: TensorDict) -> torch.Tensor:
        """True where an action is allowed (see :func:`nco.envs.dynamics.action_mask`)."""
        return dynamics.action_mask(td, self.name)

    def _get_reward(self, td: TensorDict, actions: torch.Tensor) -> torch.Tensor:
        return -dynamics.tour_distance(td["dist_raw"], actions)

    @staticmethod
    def check_solution_validity(td: TensorDict, actions: torch.Tensor) -> None:
        """Raise ``ValueError`` unless every customer is served once within capacity."""
        _check_served_once(td, actions)
        demand = F.pad(td["demand_raw"], (1, 0)).gather(1, actions)
        route = (actions == 0).cumsum(1)  # a depot visit opens the next route
        load = torch.zeros(actions.shape[0], actions.shape[1] + 1, device=actions.device)
        load.scatter_add_(1, route, demand)
        if (load > td["capacity"]).any():
            raise ValueError("a route exceeds the vehicle capacity")

    def get_num_starts(self, td: TensorDict) -> int:
        """POMO starts: one per customer (the depot is never a first move)."""
        return td["action_mask"].shape[-1] - 1

    def select_start_nodes(self, td: TensorDict, num_starts: int) -> torch.Tensor:
        """First actions for POMO multistart: customers ``1..n`` in turn, start-major
        (``batchify`` order: all instances' first start, then all second starts, ...)."""
        customers = td["action_mask"].shape[-1] - 1
        starts = torch.arange(num_starts, device=td.device) % customers + 1
        return starts.repeat_interleave(td.shape[0])

    def _make_spec(self, generator: CityGenerator) -> None:
        nodes = generator.num_loc + 1
        self.observation_spec = Composite(
            current_node=Unbounded(shape=(1,), dtype=torch.int64),
            action_mask=Unbounded(shape=(nodes,), dtype=torch.bool),
            shape=(),
        )
        self.action_spec = Bounded(shape=(1,), dtype=torch.int64, low=0, high=nodes)
        self.reward_spec = Unbounded(shape=(1,))
        self.done_spec = Unbounded(shape=(1,), dtype=torch.bool)


def _check_served_once(td: TensorDict, actions: torch.Tensor) -> None:
    visits = torch.zeros_like(td["visited"], dtype=torch.long)
    visits.scatter_add_(1, actions, torch.ones_like(actions))
    if (visits[:, 1:] != 1).any():
        raise ValueError("every customer must be visited exactly once")
