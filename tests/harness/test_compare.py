import json
import time

import pytest

from nco.baselines import get_solver
from nco.baselines.common import no_solution
from nco.baselines.heuristics import nearest_neighbour, savings
from nco.errors import NcoError
from nco.harness import Comparison, compare, markdown_table, write_reports


def never_feasible(instance, time_limit, seed=0, initial=None):
    return no_solution("never", 0.0, "gave up")


def invalid_routes(instance, time_limit, seed=0, initial=None):
    from nco.validate import validated_solution

    return validated_solution(instance, [[1]], "broken", 0.0)  # leaves customers out


def test_one_row_per_method_and_budget_with_gaps_against_refs(rings):
    refs = [savings(inst).cost for inst in rings]
    result = compare(rings, refs, {"nn": nearest_neighbour, "savings": savings}, [0.1, 0.2], progress=False)
    assert [(row.method, row.budget) for row in result.rows] == [
        ("nn", 0.1), ("nn", 0.2), ("savings", 0.1), ("savings", 0.2)
    ]
    assert len(result.runs) == 3 * 2 * 2 and result.ref_kind == "reference"
    by_method = {row.method: row for row in result.rows}
    assert by_method["savings"].mean_gap == pytest.approx(0.0)
    assert by_method["nn"].mean_gap >= 0 and by_method["nn"].feasible == 3
    run = next(r for r in result.runs if r.method == "nn")
    assert run.gap == pytest.approx(100 * (run.cost - run.ref) / run.ref)


def test_without_refs_the_best_found_is_the_reference(rings):
    result = compare(rings, None, {"nn": nearest_neighbour, "pyvrp": get_solver("pyvrp")}, [0.1], progress=False)
    assert result.ref_kind == "best found here"
    assert min(row.mean_gap for row in result.rows) == pytest.approx(0.0)


def test_nothing_feasible_is_reported_never_as_a_cost(rings):
    methods = {"never": never_feasible, "broken": invalid_routes}
    result = compare(rings, None, methods, [0.1], progress=False)
    for row in result.rows:
        assert row.feasible == 0 and row.mean_cost is None and row.mean_gap is None
    assert {run.reason for run in result.runs if run.method == "never"} == {"gave up"}
    assert all("customers not visited" in run.reason for run in result.runs if run.method == "broken")
    assert "| never | 0.1 | - | - |" in markdown_table(result)


def slow_first_call():
    calls = []

    def solve(instance, time_limit, seed=0, initial=None):
        if not calls:
            time.sleep(0.8)  # e.g. loading a checkpoint
        calls.append(seed)
        return nearest_neighbour(instance)

    return solve


@pytest.mark.parametrize("warmup", [False, True])
def test_warmup_keeps_one_off_costs_out_of_the_timings(rings, warmup):
    result = compare(rings[:1], None, {"slow": slow_first_call()}, [0.1], warmup=warmup, progress=False)
    assert result.rows[0].late == (0 if warmup else 1)


def test_parallel_workers_give_the_same_rows(rings):
    methods = {"nn": nearest_neighbour, "savings": savings}
    serial = compare(rings, None, methods, [0.1], progress=False)
    parallel = compare(rings, None, methods, [0.1], workers=2, progress=False)
    assert [r.cost for r in parallel.runs] == [r.cost for r in serial.runs]


def test_bad_arguments_are_clear_errors(rings):
    with pytest.raises(NcoError, match="2 reference costs for 3 instances"):
        compare(rings, [1.0, 2.0], {"nn": nearest_neighbour}, [0.1], progress=False)
    with pytest.raises(NcoError, match="nothing to compare"):
        compare(rings, None, {}, [0.1], progress=False)


def test_reports_are_written(rings, tmp_path):
    result = compare(rings, None, {"nn": nearest_neighbour, "savings": savings}, [0.1], progress=False)
    paths = write_reports(result, tmp_path, title="rings")
    assert [p.name for p in paths] == ["compare.md", "compare.csv", "compare.json", "compare.png"]
    assert json.loads(paths[2].read_text())["rows"][0]["method"] == "nn"
    assert paths[3].read_bytes()[:4] == b"\x89PNG"
    assert paths[0].read_text().startswith("# rings")
    again = Comparison.from_dict(json.loads(paths[2].read_text()))
    assert again.rows == result.rows and again.runs == result.runs
