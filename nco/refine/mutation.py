"""Mutation: a short iterated local search from one solution (perturb, repair, accept).

Each step perturbs a handful of customers and improves only around them with PyVRP's local
search, a fraction of the cost of a full education. Steps are accepted by late-acceptance
hill climbing (Burke and Bykov, 2017), so a burst can cross small hills. A burst of steps
per offspring keeps Python's per-offspring bookkeeping small next to the C++ search, which
matters when the whole budget is a second.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import pyvrp
from pyvrp.search import PerturbationParams

from nco.refine.education import Neighbours, local_search


class Mutation:
    """Bursts of perturb-and-repair steps on one instance's ``ProblemData``.

    Parameters
    ----------
    data
        PyVRP's view of the instance.
    seed
        Seeds which customers are perturbed.
    neighbours
        Granular neighbourhoods (:func:`nco.refine.education.neighbourhoods`).
    history_length
        Late-acceptance memory: a step is accepted when it beats the current solution or
        the one this many accepted steps ago.
    min_perturbations, max_perturbations
        How many customers one step moves (PyVRP's adaptive range).
    """

    def __init__(
        self,
        data: pyvrp.ProblemData,
        seed: int,
        neighbours: Neighbours,
        history_length: int = 5,
        min_perturbations: int = 1,
        max_perturbations: int = 25,
    ):
        self.history_length = history_length
        perturbation = PerturbationParams(min_perturbations, max_perturbations)
        self.search = local_search(data, seed, neighbours, perturbation)

    def __call__(
        self,
        start: pyvrp.Solution,
        evaluator: Callable[[], pyvrp.CostEvaluator],
        steps: int,
        register: Callable[[pyvrp.Solution], None],
        out_of_time: Callable[[], bool],
    ) -> pyvrp.Solution:
        """Run up to ``steps`` steps from ``start``; return the best solution met.

        Parameters
        ----------
        start
            Where the burst starts (an educated solution).
        evaluator
            Gives the current penalised cost evaluator (penalties adapt during a burst).
        steps
            Perturbation steps to run.
        register
            Told about every candidate, for the adaptive penalties.
        out_of_time
            Checked before each step; the burst ends early when it says so.

        Returns
        -------
        pyvrp.Solution
            The cheapest feasible solution met, or, when none was feasible, the one with
            the lowest penalised cost.
        """
        current = best = start
        history: deque[pyvrp.Solution] = deque(maxlen=self.history_length)
        for _ in range(steps):
            if out_of_time():
                break
            cost = evaluator()
            candidate = self.search(current, cost, exhaustive=False)
            register(candidate)
            if _better(candidate, best, cost):
                best = candidate
            late = history[0] if len(history) == self.history_length else start
            candidate_cost = cost.penalised_cost(candidate)
            if candidate_cost < cost.penalised_cost(late) or candidate_cost < cost.penalised_cost(current):
                current = candidate
            if cost.penalised_cost(current) < cost.penalised_cost(late) or len(history) < self.history_length:
                history.append(current)
        return best


def _better(candidate: pyvrp.Solution, best: pyvrp.Solution, cost: pyvrp.CostEvaluator) -> bool:
    """Feasible beats infeasible; then lower distance (feasible) or penalised cost."""
    if candidate.is_feasible() != best.is_feasible():
        return candidate.is_feasible()
    if candidate.is_feasible():
        return candidate.distance() < best.distance()
    return cost.penalised_cost(candidate) < cost.penalised_cost(best)
