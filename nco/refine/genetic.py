"""The hybrid genetic search loop: select, cross, split, educate, mutate, repair, survive, restart.

Each step lives in its own module; this one only orders them and keeps the best solution
and the anytime curve. One *iteration* is the education of one starting solution, or one offspring (a
crossover child, educated, or a parent, then a mutation burst). The stopping criterion is
asked once per iteration, so an iteration limit is deterministic; a time limit is also
checked inside bursts.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyvrp

from nco.errors import NcoError
from nco.instance import Instance
from nco.pyvrp_bridge import from_pyvrp_solution, to_problem_data
from nco.refine.crossover import ordered_crossover
from nco.refine.education import Education, neighbourhoods
from nco.refine.individual import Individual
from nco.refine.mutation import Mutation
from nco.refine.penalties import PenaltyManager, PenaltyParams
from nco.refine.population import Population, PopulationParams
from nco.refine.result import Result
from nco.refine.split import split
from nco.solution import Routes, SolveStats
from nco.stop import StoppingCriterion
from nco.validate import validate, validated_solution

Callback = Callable[[float, float], None]
"""``callback(seconds, best_cost)``, called whenever the best feasible cost improves."""


@dataclass(frozen=True)
class GeneticParams:
    """Settings of the genetic search (documented defaults, tuned for budgets of seconds).

    Attributes
    ----------
    num_starts
        K: solutions asked from the start source (the policy's best K, its merge first).
    start_share
        Share of a time limit the start source may use (all of it when the rest could not
        start a search: :func:`nco.refine.solver.start_seconds`).
    start_education_share
        Share of the search's time (what is left after computing the starts) that educating
        the starts may take. They are educated best first and the first always is; the rest
        only while the measured education time fits. At 500 stops one education takes about
        0.1 s, and educating all 8 starts left 1-2 s searches no time to search at all.
    num_random
        Random giant tours added to the starts in the initial population. A restart
        rebuilds the population from ``num_starts`` random tours.
    crossover_rate
        Share of offspring made by crossover and education; the others start from one
        parent. Every offspring then goes through a mutation burst.
    mutation_steps
        Perturb-and-repair steps in one offspring's mutation burst.
    history_length
        Late-acceptance memory of a mutation burst.
    repair_probability
        Chance that an infeasible offspring is educated again with boosted penalties.
    restart_after
        Iterations without a new best after which the population is rebuilt.
    num_neighbours
        Granular neighbourhood size of the local search.
    population
        Population sizes and diversity settings.
    penalty
        Adaptive-penalty settings.
    """

    num_starts: int = 8
    start_share: float = 0.25
    start_education_share: float = 0.25
    num_random: int = 0
    crossover_rate: float = 0.1
    mutation_steps: int = 300
    history_length: int = 5
    repair_probability: float = 0.5
    restart_after: int = 200
    num_neighbours: int = 40
    population: PopulationParams = field(default_factory=PopulationParams)
    penalty: PenaltyParams = field(default_factory=PenaltyParams)


class GeneticAlgorithm:
    """Hybrid genetic search on one instance (the ``ProblemData`` is built once, here).

    Parameters
    ----------
    instance
        The instance to solve (ACVRP, ATSP or ACVRPTW).
    params
        Algorithm settings.
    seed
        Seeds every random choice: crossover, selection and the local search.
    """

    def __init__(self, instance: Instance, params: GeneticParams = GeneticParams(), seed: int = 0):
        self.instance = instance
        self.params = params
        self.rng = np.random.default_rng(seed)
        data = to_problem_data(instance)
        neighbours = neighbourhoods(data, params.num_neighbours)
        self.education = Education(data, seed, neighbours)
        self.mutation = Mutation(data, seed, neighbours, params.history_length)
        self.penalties = PenaltyManager.for_instance(instance, params.penalty)
        self.population = Population(params.population, self.rng)
        self.timings = {"education": 0.0, "mutation": 0.0, "crossover": 0.0, "population": 0.0}
        self.best_cost = float("inf")
        self.best_routes: Routes | None = None
        self.curve: list[tuple[float, float]] = []

    def run(self, stop: StoppingCriterion, starts: Sequence[Routes], callback: Callback | None = None) -> Result:
        """Search from ``starts`` until ``stop`` says so; never worse than the best start.

        Parameters
        ----------
        stop
            Stopping criterion (:class:`nco.stop.MaxRuntime`, :class:`nco.stop.MaxIterations`).
            Its ``start`` is the start of the curve and runtime, so that the starting solutions computed
            before counts.
        starts
            Initial solutions (nco routes). Feasible ones bound the result; incomplete ones
            (a customer missing or repeated) or ones with too many routes are not bred from.
        callback
            Called with ``(seconds, best cost)`` at every improvement.
        """
        start = stop.start
        self._start, self._callback, self._stop = start, callback, stop
        start_costs = [self._consider(routes) for routes in starts]
        fleet = self.instance.num_vehicles or self.instance.num_customers
        complete = [
            (math.inf if cost is None else cost, k)
            for k, (routes, cost) in enumerate(zip(starts, start_costs))
            if _covers(self.instance, routes) and sum(1 for route in routes if route) <= fleet
        ]
        initial = [starts[k] for _, k in sorted(complete)] + self._random_tours()  # best first
        left = stop.remaining()  # infinite under MaxIterations: every start is educated
        education_budget = math.inf if math.isinf(left) else self.params.start_education_share * left
        iterations = restarts = stale = 0

        def next_iteration() -> bool:
            nonlocal iterations
            # Without any feasible solution, one education is worth a short overrun: the
            # alternative is answering "nothing found" on a problem a local search solves at once.
            if stop(self.best_cost) and (iterations or self.best_routes is not None):
                return False
            iterations += 1
            return True

        searching = True
        for count, routes in enumerate(initial):
            spent = self.timings["education"]
            if count and spent + spent / count > education_budget:
                break  # the other starts would eat the search's time
            if not next_iteration():
                searching = False
                break
            self._accept(self._educate(routes), stop)
        if searching:
            while next_iteration():
                before = self.best_cost
                self._accept(self._offspring(), stop)
                stale = 0 if self.best_cost < before else stale + 1
                if stale >= self.params.restart_after:
                    restarts += 1
                    stale = 0
                    self.population.clear()
                    for routes in self._random_tours(self.params.num_starts):
                        if not next_iteration():
                            break
                        self._accept(self._educate(routes), stop)

        if self.best_routes is None:
            raise NcoError("refiner: no starting solution was feasible and the search found no feasible solution in time")
        runtime = time.perf_counter() - start
        stats = SolveStats(iterations=iterations, restarts=restarts, curve=self.curve)
        solution = validated_solution(self.instance, self.best_routes, "ga", runtime, stats)
        return Result(solution, self.curve, iterations, restarts, runtime, start_costs, dict(self.timings))

    def _offspring(self) -> Individual:
        """A crossover child (educated) or a parent, per ``crossover_rate``, after a mutation burst."""
        if not len(self.population):
            return self._educate(self._random_tours(1)[0])
        load, tw = self.penalties.load_penalty, self.penalties.tw_penalty
        tic = time.perf_counter()
        crossover = len(self.population) > 1 and self.rng.random() < self.params.crossover_rate
        parents = self.population.select(load, tw) if crossover else (self.population.tournament(load, tw),)
        self.timings["population"] += time.perf_counter() - tic
        if crossover:
            tic = time.perf_counter()
            tour = ordered_crossover(parents[0].giant_tour(), parents[1].giant_tour(), self.rng)
            routes = split(self.instance, tour, load)
            self.timings["crossover"] += time.perf_counter() - tic
            start = self._educate(routes).solution
        else:
            start = parents[0].solution
        tic = time.perf_counter()
        child = self.mutation(
            start,
            self.penalties.cost_evaluator,
            self.params.mutation_steps,
            self._observe,
            lambda: _out_of_time(self._stop),
        )
        self.timings["mutation"] += time.perf_counter() - tic
        return Individual.from_pyvrp(child, self.instance.num_customers)

    def _accept(self, individual: Individual, stop: StoppingCriterion) -> None:
        """Register and add a child; repair it (boosted penalties) if infeasible."""
        self.penalties.register(individual.solution)
        self._add(individual)
        repair = not individual.feasible and self.rng.random() < self.params.repair_probability
        if repair and not _out_of_time(stop):
            repaired = self._educate(individual.solution, self.params.penalty.repair_booster)
            if repaired.feasible:
                self._add(repaired)

    def _observe(self, candidate: pyvrp.Solution) -> None:
        """Every mutation step: feed the penalties; catch a new best as soon as it appears."""
        self.penalties.register(candidate)
        if candidate.is_feasible() and candidate.distance() < self.best_cost:
            self._consider(from_pyvrp_solution(candidate))

    def _educate(self, routes: Routes | pyvrp.Solution, booster: float = 1.0) -> Individual:
        tic = time.perf_counter()
        individual = self.education(routes, self.penalties.cost_evaluator(booster))
        self.timings["education"] += time.perf_counter() - tic
        return individual

    def _add(self, individual: Individual) -> None:
        tic = time.perf_counter()
        self.population.add(individual, self.penalties.load_penalty, self.penalties.tw_penalty)
        self.timings["population"] += time.perf_counter() - tic
        if individual.feasible and individual.distance < self.best_cost:
            self._consider(individual.routes)

    def _consider(self, routes: Routes) -> float | None:
        """Validate ``routes`` independently; keep them if feasible and best. Returns the cost."""
        report = validate(self.instance, routes)
        if not report.feasible:
            return None
        if report.cost < self.best_cost:
            self.best_cost, self.best_routes = float(report.cost), [list(r) for r in routes]
            elapsed = time.perf_counter() - self._start
            self.curve.append((elapsed, self.best_cost))
            if self._callback is not None:
                self._callback(elapsed, self.best_cost)
        return float(report.cost)

    def _random_tours(self, count: int | None = None) -> list[Routes]:
        count = self.params.num_random if count is None else count
        customers = np.arange(1, self.instance.num_customers + 1)
        load = self.penalties.load_penalty
        return [split(self.instance, self.rng.permutation(customers), load) for _ in range(count)]


def _covers(instance: Instance, routes: Routes) -> bool:
    """Whether ``routes`` visit every customer exactly once."""
    visits = np.sort(np.fromiter((c for route in routes for c in route), np.int64))
    return np.array_equal(visits, np.arange(1, instance.num_customers + 1))


def _out_of_time(stop: StoppingCriterion) -> bool:
    """True when a time-based criterion has nothing left; never consumes an iteration."""
    return stop.remaining() <= 0
