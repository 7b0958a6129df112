"""GeneticAlgorithm: start costs as given, one education per iteration, restarts when stuck,
crossover at its rate, starts that cannot be bred from left out, one education when nothing is
feasible, and a clear error when nothing ever is."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nco.errors import NcoError
from nco.refine import GeneticAlgorithm, GeneticParams, refine
from nco.refine.starts import construction_starts, random_starts
from nco.stop import MaxIterations, MaxRuntime
from nco.validate import check, validate


def test_run_reports_start_costs_as_given_and_counts_educations(cvrp, fast):
    good = random_starts(cvrp, 1, seed=0)[0].routes
    overloaded = [list(range(1, cvrp.num_customers + 1))]
    incomplete = good[1:]
    result = GeneticAlgorithm(cvrp, fast, seed=0).run(MaxIterations(5), [good, overloaded, incomplete])
    good_cost = validate(cvrp, good).cost
    assert result.start_costs == [good_cost, None, None]
    assert result.curve[0][1] == good_cost and result.cost <= good_cost
    assert result.num_iterations == result.solution.stats.iterations == 5
    assert set(result.timings) == {"education", "mutation", "crossover", "population"}
    assert result.solution.solver == "ga"


def test_without_starts_the_search_begins_from_random_tours(cvrp, fast):
    result = GeneticAlgorithm(cvrp, fast, seed=1).run(MaxIterations(3), [])
    assert result.start_costs == [] and result.num_iterations == 3
    check(cvrp, result.solution.routes)


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_crossover_rate_decides_whether_children_are_crossed(cvrp, rate):
    params = GeneticParams(mutation_steps=5, crossover_rate=rate)
    starts = [start.routes for start in random_starts(cvrp, 3, seed=2)]
    result = GeneticAlgorithm(cvrp, params, seed=0).run(MaxIterations(10), starts)
    assert (result.timings["crossover"] > 0) == (rate == 1.0)


def test_restarts_when_stuck(cvrp):
    params = GeneticParams(restart_after=5, mutation_steps=5)
    result = refine(cvrp, MaxIterations(150), starts=construction_starts, params=params)
    assert result.num_restarts >= 1
    check(cvrp, result.solution.routes)


def test_start_with_too_many_routes_is_not_bred_from(cvrp, fast):
    limited = cvrp.replace(num_vehicles=10)
    too_many = [[c] for c in range(1, 41)]
    result = refine(limited, MaxIterations(10), starts=[too_many, *random_starts(limited, 2)], params=fast)
    check(limited, result.solution.routes)


def test_no_budget_still_educates_once_when_nothing_is_feasible(cvrp, fast):
    overloaded = [list(range(1, cvrp.num_customers + 1))]
    result = refine(cvrp, MaxIterations(0), starts=[overloaded], params=fast)
    assert result.num_iterations == 1 and validate(cvrp, result.solution.routes).feasible


def test_nothing_feasible_is_a_clear_error(impossible, fast):
    with pytest.raises(NcoError, match="no starting solution was feasible"):
        refine(impossible, MaxIterations(3), starts=random_starts, params=fast)


def _record_educations(ga: GeneticAlgorithm) -> list:
    """What ``ga`` educates from now on, in order (its education still runs)."""
    educated: list = []
    education = ga.education
    ga.education = lambda routes, evaluator: educated.append(routes) or education(routes, evaluator)
    return educated


def test_starts_are_educated_best_first_and_only_while_the_share_allows(cvrp, fast):
    worse = random_starts(cvrp, 1, seed=3)[0].routes
    better = construction_starts(cvrp, 1)[0].routes
    ga = GeneticAlgorithm(cvrp, replace(fast, start_education_share=0.0), seed=0)
    educated = _record_educations(ga)
    ga.run(MaxRuntime(0.3), [worse, better])
    assert educated[0] == better and worse not in educated  # no share left for the second start
    assert len(educated) >= 1 and ga.curve[-1][1] <= validate(cvrp, better).cost


def test_fleet_counts_only_non_empty_routes(cvrp, fast):
    routes = random_starts(cvrp, 1, seed=0)[0].routes
    padded = cvrp.replace(num_vehicles=len(routes))
    ga = GeneticAlgorithm(padded, fast, seed=0)
    educated = _record_educations(ga)
    ga.run(MaxIterations(1), [[*routes, []]])
    assert educated == [[*routes, []]]  # bred from, not replaced by a random tour
