"""One row per method and budget: :class:`Row` and :func:`summarise`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean

from nco.harness.run import Run


@dataclass
class Row:
    """Summary of one method at one budget over all instances and seeds.

    Attributes
    ----------
    runs
        Number of runs (instances times seeds).
    feasible
        Runs that ended with a validated, feasible solution.
    mean_cost, mean_gap
        Means over the feasible runs only (gap in percent); ``None`` if there were none.
    mean_wall, max_wall
        Wall-clock seconds measured by the harness, over all runs.
    late
        Runs whose wall time overshot the budget (see :attr:`Run.late`).
    """

    method: str
    budget: float
    runs: int
    feasible: int
    mean_cost: float | None
    mean_gap: float | None
    mean_wall: float
    max_wall: float
    late: int


def summarise(runs: Sequence[Run], methods: Sequence[str], budgets: Sequence[float]) -> list[Row]:
    """Aggregate ``runs`` into one :class:`Row` per method and budget, in the given order."""
    rows = []
    for method in methods:
        for budget in budgets:
            group = [run for run in runs if run.method == method and run.budget == budget]
            costs = [run.cost for run in group if run.cost is not None]
            gaps = [run.gap for run in group if run.gap is not None]
            walls = [run.wall for run in group]
            rows.append(
                Row(
                    method=method,
                    budget=budget,
                    runs=len(group),
                    feasible=len(costs),
                    mean_cost=fmean(costs) if costs else None,
                    mean_gap=fmean(gaps) if gaps else None,
                    mean_wall=fmean(walls) if walls else 0.0,
                    max_wall=max(walls, default=0.0),
                    late=sum(run.late for run in group),
                )
            )
    return rows
