"""rl4co environments on real road matrices (installed as ``nco.envs``).

Three problems share one layout: :class:`ACVRPEnv`, :class:`ATSPEnv` and
:class:`ACVRPTWEnv`, fed by :class:`CityGenerator` (samples from the city pools) or by
:func:`instances_to_td` (real user instances). ``B`` = batch, ``N`` = customers,
``M = N + 1`` nodes, node 0 = the depot (the start city for ATSP).

Input keys (generator and :func:`instances_to_td`)
-------------------------------------------------
``locs``          (B, M, 2) float32  lon/lat min-max scaled to [0, 1] per instance and axis
                                     (zeros when the instance has no coordinates)
``dist``          (B, M, M) float32  distances / the instance's largest distance
``dist_raw``      (B, M, M) float32  integer metres (the reward uses these)
``demand``        (B, N)    float32  customer demand / capacity (zeros for ATSP)
``demand_raw``    (B, N)    float32  integer demand units (the capacity mask uses these)
``capacity``      (B, 1)    float32  raw vehicle capacity

ACVRPTW adds (times normalised by ``time_scale``, the depot's closing time):
``dur`` / ``dur_raw``                     (B, M, M)  durations; raw = integer seconds
``time_windows`` / ``time_windows_raw``   (B, M, 2)  [early, late]; row 0 = depot opening hours
``service_time`` / ``service_time_raw``   (B, M)     service per node (depot 0)
``time_scale``                            (B, 1)     seconds

State after ``reset`` (updated by ``step``)
-------------------------------------------
``current_node``   (B, 1) long   where the vehicle is (0 at reset)
``used_capacity``  (B, 1) float  load of the current route / capacity
``used_load``      (B, 1) float  the same in raw demand units
``visited``        (B, M) bool   customers served so far; column 0 (depot) is always True
``action_mask``    (B, M) bool   True = allowed
``i``              (B, 1) long   steps taken
ACVRPTW: ``current_time`` / ``current_time_raw`` (B, 1): when the vehicle is free to leave its
current node (normalised / seconds). ``step`` also sets ``done`` and ``reward`` (0) of shape (B,).

Actions and reward
------------------
An action is a node index ``0..N``; 0 returns to the depot (ending the route). ACVRP(TW) follows
rl4co's CVRP depot rules: no depot right after the depot while customers remain; once every
customer is served only the depot is allowed; the episode is done back at the depot. ATSP is
``N`` steps over customers ``1..N`` (done then); the closing leg back to node 0 is implied.
The reward of an action sequence is ``-(total raw metres of the closed route(s))``, equal to
``nco.validate(instance, actions_to_routes(actions)).cost``. POMO multistart is supported:
``get_num_starts`` = N and ``select_start_nodes`` sends start ``k`` to customer ``k % N + 1``.
"""

from __future__ import annotations

import importlib
from typing import Any

from nco.envs.convert import actions_to_routes, arrays_to_td, instances_to_td, instances_to_tensors

# The environments and the generator subclass rl4co's classes (about 8 s of imports: hydra,
# Lightning, torchrl); they load on first use so that solving, which needs only
# :mod:`nco.envs.dynamics` and :mod:`nco.envs.convert`, never pays for them.
_LAZY = {
    "ACVRPEnv": "nco.envs.acvrp",
    "ATSPEnv": "nco.envs.atsp",
    "ACVRPTWEnv": "nco.envs.acvrptw",
    "CityGenerator": "nco.envs.generator",
    "capacity_for": "nco.envs.sampling",
}


def __getattr__(name: str) -> Any:
    if name == "ENVS":
        return {env.name: env for env in (__getattr__("ACVRPEnv"), __getattr__("ATSPEnv"), __getattr__("ACVRPTWEnv"))}
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nco.envs' has no attribute {name!r}")


__all__ = [
    "ACVRPEnv",
    "ACVRPTWEnv",
    "ATSPEnv",
    "CityGenerator",
    "ENVS",
    "actions_to_routes",
    "arrays_to_td",
    "capacity_for",
    "instances_to_td",
    "instances_to_tensors",
]
