"""The population: feasible and infeasible sub-populations ranked by biased fitness.

Biased fitness (Vidal et al., 2012) ranks a member by its cost *and* by how different it is
from its closest neighbours (broken-pairs distance), so that selection and survivor
selection keep the population diverse instead of collapsing on one local optimum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nco.refine.diversity import broken_pairs_distance
from nco.refine.individual import Individual


@dataclass(frozen=True)
class PopulationParams:
    """Sizes and diversity settings; the defaults follow HGS-CVRP and PyVRP's old GA.

    Attributes
    ----------
    min_pop_size
        Members each sub-population keeps after survivor selection (mu).
    generation_size
        Offspring added before survivor selection runs (lambda): a sub-population is cut
        back to ``min_pop_size`` once it holds ``min_pop_size + generation_size``.
    num_elite
        The best members by cost that diversity can hardly push out.
    num_close
        Neighbours averaged for a member's diversity.
    lb_diversity, ub_diversity
        The second parent is preferably this far (broken pairs) from the first.
    """

    min_pop_size: int = 25
    generation_size: int = 40
    num_elite: int = 4
    num_close: int = 5
    lb_diversity: float = 0.1
    ub_diversity: float = 0.5

    def __post_init__(self) -> None:
        if self.min_pop_size < 1 or self.generation_size < 1:
            raise ValueError("min_pop_size and generation_size must be >= 1")
        if not 0 <= self.lb_diversity <= self.ub_diversity <= 1:
            raise ValueError("need 0 <= lb_diversity <= ub_diversity <= 1")


class SubPopulation:
    """Members of one kind (feasible or not) with their pairwise broken-pairs distances."""

    def __init__(self, params: PopulationParams):
        self.params = params
        self.members: list[Individual] = []
        self.distances = np.zeros((0, 0))

    def __len__(self) -> int:
        return len(self.members)

    def add(self, individual: Individual) -> None:
        row = broken_pairs_distance(individual, self.members)
        size = len(self.members)
        grown = np.zeros((size + 1, size + 1))
        grown[:size, :size] = self.distances
        grown[size, :size] = grown[:size, size] = row
        self.distances = grown
        self.members.append(individual)

    def remove(self, index: int) -> None:
        del self.members[index]
        self.distances = np.delete(np.delete(self.distances, index, 0), index, 1)

    def diversity(self) -> np.ndarray:
        """Mean distance of each member to its ``num_close`` closest other members."""
        size = len(self.members)
        if size < 2:
            return np.zeros(size)
        others = self.distances + np.diag(np.full(size, np.inf))
        close = min(self.params.num_close, size - 1)
        return np.sort(others, axis=1)[:, :close].mean(axis=1)

    def fitness(self, costs: np.ndarray) -> np.ndarray:
        """Biased fitness in ``[0, 1]``, lower is better: cost rank + weighted diversity rank."""
        size = len(self.members)
        if size < 2:
            return np.zeros(size)
        cost_rank = np.empty(size)
        cost_rank[np.argsort(costs, kind="stable")] = np.arange(size)
        div_rank = np.empty(size)
        div_rank[np.argsort(-self.diversity(), kind="stable")] = np.arange(size)
        div_weight = 1 - min(self.params.num_elite, size) / size
        return (cost_rank + div_weight * div_rank) / ((1 + div_weight) * (size - 1))

    def survivors(self, costs: np.ndarray) -> None:
        """Cut back to ``min_pop_size``: clones first, then the worst biased fitness."""
        costs = list(costs)
        while len(self.members) > self.params.min_pop_size:
            size = len(self.members)
            clones = np.flatnonzero((self.distances + np.eye(size) == 0).any(axis=1))
            if clones.size:
                worst = int(clones[np.argmax(np.asarray(costs)[clones])])
            else:
                worst = int(np.argmax(self.fitness(np.asarray(costs))))
            self.remove(worst)
            del costs[worst]


class Population:
    """Feasible and infeasible members; parents by binary tournament on biased fitness.

    Infeasible members are ranked by penalised cost, so the caller passes the current
    penalties whenever it ranks.
    """

    def __init__(self, params: PopulationParams, rng: np.random.Generator):
        self.params = params
        self.rng = rng
        self.feasible = SubPopulation(params)
        self.infeasible = SubPopulation(params)

    def __len__(self) -> int:
        return len(self.feasible) + len(self.infeasible)

    def add(self, individual: Individual, load_penalty: float, tw_penalty: float) -> None:
        """Add a member; run survivor selection when its sub-population is full."""
        sub = self.feasible if individual.feasible else self.infeasible
        sub.add(individual)
        if len(sub) >= self.params.min_pop_size + self.params.generation_size:
            sub.survivors(self._costs(sub, load_penalty, tw_penalty))

    def clear(self) -> None:
        self.feasible = SubPopulation(self.params)
        self.infeasible = SubPopulation(self.params)

    def tournament(self, load_penalty: float, tw_penalty: float) -> Individual:
        """One parent: the fitter of two members drawn at random."""
        return self._members()[self._tournament(self._fitness(load_penalty, tw_penalty))]

    def select(self, load_penalty: float, tw_penalty: float) -> tuple[Individual, Individual]:
        """Two parents by binary tournament, the second preferably at a moderate distance."""
        members = self._members()
        fitness = self._fitness(load_penalty, tw_penalty)
        first = self._tournament(fitness)
        second = first
        for _ in range(10):
            second = self._tournament(fitness)
            gap = broken_pairs_distance(members[first], [members[second]])[0]
            if self.params.lb_diversity <= gap <= self.params.ub_diversity:
                break
        return members[first], members[second]

    def _members(self) -> list[Individual]:
        return self.feasible.members + self.infeasible.members

    def _fitness(self, load_penalty: float, tw_penalty: float) -> np.ndarray:
        # Each sub-population ranks its own members; both scales are [0, 1], so they compare.
        subs = (self.feasible, self.infeasible)
        return np.concatenate([sub.fitness(self._costs(sub, load_penalty, tw_penalty)) for sub in subs])

    def _tournament(self, fitness: np.ndarray) -> int:
        a, b = self.rng.integers(len(fitness), size=2)
        return int(a if fitness[a] < fitness[b] else b)

    @staticmethod
    def _costs(sub: SubPopulation, load_penalty: float, tw_penalty: float) -> np.ndarray:
        return np.array([m.penalised_cost(load_penalty, tw_penalty) for m in sub.members])
