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

Neighbours = dict[pyvrp.Activity, list[pyvrp.Activity]]


class Education:
    """Local search on one instance's ``ProblemData``.

    Parameters
    ----------
    data
        PyVRP's view of the instance (:func:`nco.pyvrp_bridge.to_problem_data`).
    seed
        Seeds the local search's move order; fixed seed, fixed result.
    neighbours
        Granular neighbourhoods (:func:`neighbourhoods`); computed here when not given.
    """

    def __init__(self, data: pyvrp.ProblemData, seed: int = 0, neighbours: Neighbours | None = None):
        self.data = data
        self.search = local_search(data, seed, neighbours or neighbourhoods(data), PerturbationParams(0, 0))

    def __call__(self, routes: Sequence[Sequence[int]] | pyvrp.Solution, evaluator: pyvrp.CostEvaluator) -> Individual:
        """Improve ``routes`` (nco routes or a PyVRP solution) to a local optimum."""
        start = routes if isinstance(routes, pyvrp.Solution) else to_pyvrp_solution(self.data, routes)
        improved = self.search(start, evaluator, exhaustive=True)
        return Individual.from_pyvrp(improved, self.data.num_clients)


def neighbourhoods(data: pyvrp.ProblemData, num_neighbours: int = 40) -> Neighbours:
    """Each customer's ``num_neighbours`` most promising neighbours; moves consider only these.

    Costly on large instances (about 0.1 s at n = 500), so it is computed once per instance
    and shared by education and mutation.
    """
    return compute_neighbours(data, NeighbourhoodParams(num_neighbours=num_neighbours))


def local_search(
    data: pyvrp.ProblemData, seed: int, neighbours: Neighbours, perturbation: PerturbationParams
) -> LocalSearch:
    """PyVRP's local search with every operator that applies to ``data``."""
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    search = LocalSearch(data, rng, neighbours, PerturbationManager(perturbation))
    for operator in OPERATORS:
        if operator.supports(data):
            search.add_operator(operator(data))
    return search
