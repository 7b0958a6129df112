"""Mutation: perturb a few customers of a parent, then improve only around them.

This is the cheap offspring generator next to crossover: PyVRP's local search with its
perturbation step (remove/insert a handful of customers) followed by a search limited to
the touched neighbourhoods. One mutation costs a fraction of a full education, which
matters when the whole budget is a second.
"""

from __future__ import annotations

import pyvrp
from pyvrp.search import PerturbationParams

from nco.refine.education import local_search
from nco.refine.individual import Individual


class Mutation:
    """Perturb-and-repair on one instance's ``ProblemData``.

    Parameters
    ----------
    data
        PyVRP's view of the instance.
    seed
        Seeds which customers are perturbed.
    num_neighbours
        Granular neighbourhood size of the local search.
    min_perturbations, max_perturbations
        How many customers one mutation moves (PyVRP's adaptive range).
    """

    def __init__(
        self,
        data: pyvrp.ProblemData,
        seed: int = 0,
        num_neighbours: int = 40,
        min_perturbations: int = 1,
        max_perturbations: int = 25,
    ):
        self.data = data
        perturbation = PerturbationParams(min_perturbations, max_perturbations)
        self.search = local_search(data, seed, num_neighbours, perturbation)

    def __call__(self, parent: Individual, evaluator: pyvrp.CostEvaluator) -> Individual:
        """A perturbed and locally improved copy of ``parent``."""
        child = self.search(parent.solution, evaluator, exhaustive=False)
        return Individual.from_pyvrp(child, self.data.num_clients)
