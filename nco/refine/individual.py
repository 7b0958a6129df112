"""One member of the genetic population: an educated solution in nco's and PyVRP's form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyvrp

from nco.pyvrp_bridge import from_pyvrp_solution


@dataclass(frozen=True)
class Individual:
    """An educated solution with what selection, crossover and diversity need.

    Attributes
    ----------
    solution
        PyVRP's solution, the form local search works on.
    routes
        nco routes (customers ``1..n``, depot implicit).
    distance
        Total distance in metres.
    excess_load
        Load above capacity, summed over routes (0 when capacity holds).
    time_warp
        Seconds of lateness PyVRP needed to make the schedule fit (0 when windows hold).
    succ, pred
        Successor and predecessor of every customer (0 = the depot); index 0 is unused.
        Broken-pairs distance compares these.
    """

    solution: pyvrp.Solution
    routes: list[list[int]]
    distance: int
    excess_load: int
    time_warp: int
    succ: np.ndarray
    pred: np.ndarray

    @classmethod
    def from_pyvrp(cls, solution: pyvrp.Solution, num_customers: int) -> Individual:
        routes = from_pyvrp_solution(solution)
        succ = np.full(num_customers + 1, -1, np.int32)
        pred = np.full(num_customers + 1, -1, np.int32)
        for route in routes:
            path = np.array([0, *route, 0])
            succ[path[1:-1]] = path[2:]
            pred[path[1:-1]] = path[:-2]
        return cls(
            solution=solution,
            routes=routes,
            distance=int(solution.distance()),
            excess_load=int(sum(solution.excess_load())),
            time_warp=int(solution.time_warp()),
            succ=succ,
            pred=pred,
        )

    @property
    def feasible(self) -> bool:
        """Whether capacity and time windows hold (PyVRP enforces the fleet size itself)."""
        return self.excess_load == 0 and self.time_warp == 0

    def penalised_cost(self, load_penalty: float, tw_penalty: float) -> float:
        """Distance plus the penalties for excess load and time warp."""
        return self.distance + load_penalty * self.excess_load + tw_penalty * self.time_warp

    def giant_tour(self) -> np.ndarray:
        """All customers in route order, depot visits dropped: the crossover's chromosome."""
        return np.fromiter((c for route in self.routes for c in route), np.int64)
