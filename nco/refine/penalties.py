"""Adaptive penalties for excess load and time warp (HGS's feasibility control).

The search may visit infeasible solutions; their cost is distance plus a penalty per unit of
violation. Each penalty grows when too few recent offspring were feasible in its dimension
and shrinks when too many were, steering the search along the feasibility boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvrp

from nco.instance import Instance


@dataclass(frozen=True)
class PenaltyParams:
    """How penalties adapt.

    Attributes
    ----------
    solutions_between_updates
        Offspring registered between two updates of each penalty.
    target_feasible
        Desired share of offspring feasible in a dimension.
    feas_tolerance
        No update while the observed share is this close to the target.
    penalty_increase, penalty_decrease
        Multipliers applied when too few / too many offspring were feasible.
    repair_booster
        Repair educates an infeasible offspring again with penalties this many times higher.
    min_penalty, max_penalty
        Bounds on every penalty.
    """

    solutions_between_updates: int = 50
    target_feasible: float = 0.5
    feas_tolerance: float = 0.05
    penalty_increase: float = 1.3
    penalty_decrease: float = 0.85
    repair_booster: float = 10.0
    min_penalty: float = 0.1
    max_penalty: float = 1e6


class PenaltyManager:
    """Current load and time-warp penalties and the feasibility history that moves them.

    Parameters
    ----------
    load_penalty, tw_penalty
        Initial cost per unit of excess load and per second of time warp.
    params
        Adaptation settings.
    """

    def __init__(self, load_penalty: float, tw_penalty: float, params: PenaltyParams = PenaltyParams()):
        self.params = params
        self.penalties = np.clip([load_penalty, tw_penalty], params.min_penalty, params.max_penalty)
        self._history: list[list[bool]] = [[], []]

    @classmethod
    def for_instance(cls, instance: Instance, params: PenaltyParams = PenaltyParams()) -> PenaltyManager:
        """Start where one unit of violation costs about one long arc, as HGS does.

        Load: the longest arc per unit of the largest demand. Time warp: metres per second
        of driving on this matrix, so one second late weighs like the distance of a second.
        """
        longest = float(instance.distances.max())
        load = longest / max(1, int(instance.demands.max()))
        tw = longest / max(1, int(instance.durations.max()))
        return cls(load, tw, params)

    @property
    def load_penalty(self) -> float:
        return float(self.penalties[0])

    @property
    def tw_penalty(self) -> float:
        return float(self.penalties[1])

    def register(self, solution: pyvrp.Solution) -> None:
        """Record one candidate's feasibility; update a penalty every few registrations."""
        for dim, violation in enumerate((sum(solution.excess_load()), solution.time_warp())):
            history = self._history[dim]
            history.append(violation == 0)
            if len(history) < self.params.solutions_between_updates:
                continue
            diff = self.params.target_feasible - float(np.mean(history))
            history.clear()
            if abs(diff) >= self.params.feas_tolerance:
                factor = self.params.penalty_increase if diff > 0 else self.params.penalty_decrease
                self.penalties[dim] = np.clip(
                    self.penalties[dim] * factor, self.params.min_penalty, self.params.max_penalty
                )

    def cost_evaluator(self, booster: float = 1.0) -> pyvrp.CostEvaluator:
        """PyVRP's evaluator with the current penalties, times ``booster`` (repair uses 10)."""
        load, tw = np.minimum(self.penalties * booster, self.params.max_penalty)
        return pyvrp.CostEvaluator([float(load)], float(tw), 0.0)
