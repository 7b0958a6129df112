"""Run every method at every budget and seed on every instance: :func:`compare` and its :class:`Comparison`."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from tqdm import tqdm

from nco.baselines import Solver
from nco.errors import NcoError
from nco.harness.run import Run
from nco.harness.summary import Row, summarise
from nco.instance import Instance


@dataclass
class Comparison:
    """What :func:`compare` returns: every run, and one summary row per method and budget."""

    runs: list[Run]
    rows: list[Row]
    ref_kind: str
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form."""
        return {
            "meta": self.meta,
            "ref_kind": self.ref_kind,
            "rows": [asdict(row) for row in self.rows],
            "runs": [asdict(run) for run in self.runs],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        """Inverse of :meth:`to_dict`, e.g. to redraw a saved comparison."""
        return cls(
            runs=[Run(**run) for run in data["runs"]],
            rows=[Row(**row) for row in data["rows"]],
            ref_kind=data["ref_kind"],
            meta=dict(data.get("meta", {})),
        )


def compare(
    instances: Sequence[Instance],
    refs: Sequence[float | None] | None,
    methods: Mapping[str, Solver],
    budgets: Sequence[float],
    seeds: Sequence[int] = (0,),
    workers: int = 1,
    address: str | None = None,
    progress: bool = True,
    warmup: bool = True,
) -> Comparison:
    """Solve every instance with every method, budget and seed, and summarise.

    Parameters
    ----------
    instances
        The instances, already validated by :class:`~nco.instance.Instance`.
    refs
        A reference cost per instance (e.g. a best-known solution), ``None`` entries or
        ``None`` altogether where there is none. Instances without a reference are measured
        against the best cost any method found on them here.
    methods
        Display name -> solver (see :mod:`nco.baselines`). Names may be descriptive, e.g.
        ``{"pyvrp warm from policy": ...}``. With ``workers > 1`` the solvers must be
        picklable (module-level functions or ``functools.partial`` of them).
    budgets
        Time limits in seconds; every method runs once per budget and seed.
    seeds
        Seeds passed to the solvers.
    workers
        Instances solved in parallel, as 1-CPU Ray tasks (see :mod:`nco.batch.engine`).
        Keep 1 for timings that mean something: parallel runs share cores and memory
        bandwidth.
    address
        With ``workers > 1``, an existing Ray cluster to run on instead of a local Ray.
    progress
        Whether to show a progress bar over instances.
    warmup
        Call each method once, untimed and at the smallest budget, before its first timed
        run in each process, so that one-off costs (imports, loading a model checkpoint)
        are not charged to the first instance.

    Returns
    -------
    Comparison
        All runs (in instance order) and one :class:`Row` per method and budget.
    """
    if refs is not None and len(refs) != len(instances):
        raise NcoError(f"{len(refs)} reference costs for {len(instances)} instances")
    if not instances or not methods or not budgets or not seeds:
        raise NcoError("nothing to compare: need at least one instance, method, budget and seed")
    refs = list(refs) if refs is not None else [None] * len(instances)
    tasks = [(i, inst, dict(methods), list(budgets), list(seeds), warmup) for i, inst in enumerate(instances)]
    bar = tqdm(total=len(tasks), desc="instances", unit="inst", disable=not progress)
    results: dict[int, list[Run]] = {}
    with bar:
        if workers <= 1:
            for task in tasks:
                results[task[0]] = _solve_instance(*task)
                bar.update()
        else:
            from nco.batch.engine import map_unordered, ray_session

            with ray_session(workers, address) as slots:
                for finished in map_unordered(_solve_instance, ((task[0], task) for task in tasks), slots):
                    results[finished.key] = finished.result()
                    bar.update()
    runs = [run for i in range(len(tasks)) for run in results[i]]
    ref_kind = _attach_refs(runs, refs)
    rows = summarise(runs, list(methods), list(budgets))
    return Comparison(runs, rows, ref_kind, meta={"seeds": list(seeds), "warmup": warmup})


# Methods already warmed up in this process (see compare's ``warmup``).
_WARM: set[Solver] = set()


def _solve_instance(
    index: int,
    instance: Instance,
    methods: dict[str, Solver],
    budgets: list[float],
    seeds: list[int],
    warmup: bool,
) -> list[Run]:
    runs = []
    for name, solver in methods.items():
        if warmup and solver not in _WARM:
            _WARM.add(solver)
            try:
                solver(instance, min(budgets), seeds[0])
            except NcoError:
                pass  # the timed run below records it
        for budget in budgets:
            for seed in seeds:
                start = time.perf_counter()
                try:
                    solution = solver(instance, budget, seed)
                    cost, reason = solution.cost, solution.stats.reason or ""
                except NcoError as exc:  # e.g. the validator rejecting a solver's routes
                    cost, reason = None, f"{type(exc).__name__}: {exc}"
                wall = time.perf_counter() - start
                runs.append(Run(instance.name or f"#{index}", index, name, budget, seed, cost, wall, reason=reason))
    return runs


def _attach_refs(runs: list[Run], refs: list[float | None]) -> str:
    """Fill in each run's ref and gap; say what the refs are."""
    best: dict[int, float] = {}
    for run in runs:
        if run.cost is not None:
            best[run.index] = min(best.get(run.index, run.cost), run.cost)
    for run in runs:
        given = refs[run.index]
        run.ref = float(given) if given is not None else best.get(run.index)
        if run.cost is not None and run.ref:
            run.gap = 100.0 * (run.cost - run.ref) / run.ref
    given = sum(ref is not None for ref in refs)
    if given == len(refs):
        return "reference"
    return "best found here" if given == 0 else "reference where known, else best found here"
