"""ACVRP and ATSP dynamics in plain torch: reset, step, action mask, an in-place rollout, tour distance.

This is the one definition of the two problems' rules. The rl4co environments
(:class:`~nco.envs.ACVRPEnv`, :class:`~nco.envs.ATSPEnv`) delegate to it for training, and the
policy's own decoding loop steps a :class:`Rollout` (the same rules with fewer operations per
action; tests/policies/test_decoding.py holds it to :func:`step`), so that solving needs torch
only, not rl4co, Lightning or tensordict (about 8 s of imports on a small machine). A state is a
plain ``dict[str, Tensor]`` with the keys documented in :mod:`nco.envs`; a TensorDict works too.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import torch
import torch.nn.functional as F
from torch import Tensor

State = MutableMapping[str, Tensor]


def reset(inputs: Mapping[str, Tensor], problem: str) -> dict[str, Tensor]:
    """The start state of a batch: every vehicle empty at the depot (node 0)."""
    batch, size = inputs["dist_raw"].shape[:2]
    device = inputs["dist_raw"].device
    visited = torch.zeros(batch, size, dtype=torch.bool, device=device)
    visited[:, 0] = True  # the depot counts as visited: it is never a customer to serve
    state = dict(inputs)
    state.update(
        current_node=torch.zeros(batch, 1, dtype=torch.long, device=device),
        used_capacity=torch.zeros(batch, 1, device=device),
        used_load=torch.zeros(batch, 1, device=device),
        visited=visited,
        i=torch.zeros(batch, 1, dtype=torch.long, device=device),
        done=torch.zeros(batch, dtype=torch.bool, device=device),
    )
    state["action_mask"] = action_mask(state, problem)
    return state


def step(state: State, action: Tensor, problem: str) -> dict[str, Tensor]:
    """The keys that change when every row of the batch takes ``action`` (B,) or (B, 1).

    Returned as a new dict, so callers choose ``state | step(...)`` or ``td.update(...)``.
    """
    node = action.reshape(-1, 1)
    away = node != 0
    demand = state["demand_raw"].gather(1, (node - 1).clamp(min=0)) * away
    # Integer units keep the capacity test exact; the fraction is the network's view.
    used_load = (state["used_load"] + demand) * away
    new = {
        "current_node": node,
        "used_load": used_load,
        "used_capacity": used_load / state["capacity"],
        "visited": state["visited"].scatter(1, node, True),
        "i": state["i"] + 1,
    }
    served = new["visited"][:, 1:].all(-1)
    new["done"] = served if problem == "atsp" else served & (node[:, 0] == 0)
    new["action_mask"] = action_mask({**state, **new}, problem)
    return new


def action_mask(state: Mapping[str, Tensor], problem: str) -> Tensor:
    """True where an action is allowed.

    ACVRP (rl4co's CVRP depot rules): unserved customers that fit, and the depot except right
    after leaving it while customers remain. ATSP: unvisited cities; node 0 only once the tour
    is complete (the closing leg is implied by :func:`tour_distance`).
    """
    unserved = ~state["visited"][:, 1:]
    all_served = ~unserved.any(-1, keepdim=True)
    if problem == "atsp":
        return torch.cat([all_served, unserved], -1)
    fits = state["used_load"] + state["demand_raw"] <= state["capacity"]
    depot = (state["current_node"] != 0) | all_served
    return torch.cat([depot, unserved & fits], -1)


class Rollout:
    """A batch of rollouts stepped with the fewest tensor operations: :func:`step`'s rules.

    The same masks and values as :func:`reset` then :func:`step` after every action
    (tests/policies/test_decoding.py compares them) in half the operations: a greedy rollout at
    n = 1000 is ~1050 actions, and on one CPU thread the fixed cost of each operation is most of
    an action's time. The load and the unserved customers are updated in place, with the depot
    folded in (demand 0, never unserved) so that any action is one gather and one scatter; what
    the policy reads, :attr:`state`, is new tensors every action, as autograd needs the masks it
    saved.

    Parameters
    ----------
    state
        A :func:`reset` state (rows may repeat an instance per rollout).
    problem
        ``"acvrp"`` or ``"atsp"``.
    """

    def __init__(self, state: Mapping[str, Tensor], problem: str):
        self.problem = problem
        self.state = {key: state[key] for key in ("current_node", "used_capacity", "action_mask", "done")}
        self._capacity = state["capacity"]
        self._load = state["used_load"].clone()
        self._open = ~state["visited"]  # unserved customers; the depot's column stays False
        self._false = torch.zeros_like(state["current_node"], dtype=torch.bool)  # what a visit writes there
        self._demand = F.pad(state["demand_raw"], (1, 0))
        # used_load + demand <= capacity as used_load <= capacity - demand: one operation per
        # action, and the same answers, since the floats hold integers well below 2**24.
        self._slack = state["capacity"] - self._demand

    def step(self, action: Tensor) -> None:
        """Every row takes ``action`` (B,) or (B, 1)."""
        node = action.reshape(-1, 1)
        away = node.bool()  # node != 0 without wrapping a Python 0 into a tensor every action
        load = self._load.add_(self._demand.gather(1, node)).mul_(away)  # emptied at the depot
        self._open.scatter_(1, node, self._false)
        served = ~self._open.any(-1, keepdim=True)
        if self.problem == "atsp":
            mask, depot, done = self._open.clone(), served, served.view(-1)
        else:
            mask, depot, done = self._open & (load <= self._slack), away | served, (served & ~away).view(-1)
        mask[:, :1] = depot  # the depot is never open: its column was False
        used = load / self._capacity
        self.state = {"current_node": node, "used_capacity": used, "action_mask": mask, "done": done}


def tour_distance(dist_raw: Tensor, actions: Tensor) -> Tensor:
    """Total metres of the closed route(s) ``0 -> actions... -> 0``.

    ``actions`` is ``(B, T)`` or ``(B, R, T)`` (R rollouts per instance); the result is
    ``(B,)`` or ``(B, R)``. Depot-to-depot steps (padding after the end) cost 0. Summed in
    float64 so that long tours stay exact, returned as float32 like every rl4co reward.
    """
    tour = F.pad(actions, (1, 1), value=0)
    size = dist_raw.shape[-1]
    legs = tour[..., :-1] * size + tour[..., 1:]
    metres = dist_raw.flatten(1).gather(1, legs.flatten(1)).view(legs.shape)
    return metres.double().sum(-1).float()
