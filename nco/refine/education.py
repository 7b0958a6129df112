"""Education: PyVRP's C++ local search applied to every new solution until no move improves.

Built once per instance. No perturbation: this is pure descent under the given penalties;
diversification comes from crossover and the population.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyvrp
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)

from nco.pyvrp_bridge import to_pyvrp_solution
from nco.refine.individual import Individual


class Education:
    """Local search on one instance's ``ProblemData``.

    Parameters
    ----------
    data
        PyVRP's view of the instance (:func:`nco.pyvrp_bridge.to_problem_data`).
    seed
        Seeds the local search's move order; fixed seed, fixed result.
    num_neighbours
        Size of the granular neighbourhood: moves only consider this many nearby customers.
    """

    def __init__(self, data: pyvrp.ProblemData, seed: int = 0, num_neighbours: int = 40):
        self.data = data
        self.search = local_search(data, seed, num_neighbours, PerturbationParams(0, 0))

    def __call__(self, routes: Sequence[Sequence[int]] | pyvrp.Solution, evaluator: pyvrp.CostEvaluator) -> Individual:
        """Improve ``routes`` (nco routes or a PyVRP solution) to a local optimum."""
        start = routes if isinstance(routes, pyvrp.Solution) else to_pyvrp_solution(self.data, routes)
        improved = self.search(start, evaluator, exhaustive=True)
        return Individual.from_pyvrp(improved, self.data.num_clients)


def local_search(
    data: pyvrp.ProblemData, seed: int, num_neighbours: int, perturbation: PerturbationParams
) -> LocalSearch:
    """PyVRP's local search with every operator that applies to ``data``."""
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    neighbours = compute_neighbours(data, NeighbourhoodParams(num_neighbours=num_neighbours))
    search = LocalSearch(data, rng, neighbours, PerturbationManager(perturbation))
    for operator in OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    return search
