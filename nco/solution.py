"""The one answer every solver in nco returns: :class:`Solution`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

Routes = list[list[int]]
"""One list of customer indices (``1..n``) per vehicle; the depot (node 0) is implicit."""


@dataclass
class SolveStats:
    """What a solver reports beside its routes; each fills the fields it knows.

    Attributes
    ----------
    reason
        Why nothing feasible was found (set exactly when ``Solution.cost`` is ``None``).
    iterations
        Search iterations (the refiner's educations, PyVRP's iterations).
    restarts
        Times the refiner rebuilt its population.
    curve
        Anytime curve: ``(seconds, best cost)`` at every improvement.
    start_costs
        The refiner's starting solutions' costs as given (``None``: infeasible).
    policy_cost
        Cost of the best feasible solution the policy itself produced.
    timings
        Seconds per phase (the refiner's ``starts``, ``education``, ...).
    warm_start
        ``"cold"``, ``"used"`` or ``"rejected"`` for solvers that take initial routes.
    checkpoint
        Id of the policy checkpoint that served the learned methods.
    candidates
        Distinct solutions the policy found (method ``policy``).
    repaired
        The policy's candidates were all overloaded and local search repaired the best.
    fallback
        Why a learned method answered with something else, e.g. no checkpoint.
    """

    reason: str | None = None
    iterations: int | None = None
    restarts: int | None = None
    curve: list[tuple[float, float]] = field(default_factory=list)
    start_costs: list[float | None] = field(default_factory=list)
    policy_cost: float | None = None
    timings: dict[str, float] = field(default_factory=dict)
    warm_start: str | None = None
    checkpoint: str | None = None
    candidates: int | None = None
    repaired: bool = False
    fallback: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SolveStats:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        known = {f.name for f in fields(cls)}
        stats = cls(**{key: value for key, value in data.items() if key in known})
        stats.curve = [(float(t), float(c)) for t, c in stats.curve]
        return stats


@dataclass
class Solution:
    """Routes for an :class:`~nco.instance.Instance`, with who found them and how fast.

    Parameters
    ----------
    routes
        One list of customer indices (``1..n``) per vehicle, in visiting order. The depot
        (node 0) is implicit at both ends and never listed.
    cost
        Objective value: total distance in metres, as computed by :func:`nco.validate`.
        ``None`` when the solver found nothing feasible.
    solver
        Name of the method that produced it (``"pyvrp"``, ``"policy"``, ``"nco"``, ...).
    runtime
        Wall-clock seconds the solver spent.
    stats
        What the solver reports beside the routes (:class:`SolveStats`).
    """

    routes: list[list[int]]
    cost: float | None = None
    solver: str = ""
    runtime: float = 0.0
    stats: SolveStats = field(default_factory=SolveStats)

    @property
    def feasible(self) -> bool:
        """Whether a solver produced a validated cost."""
        return self.cost is not None

    @property
    def num_routes(self) -> int:
        """Number of non-empty routes."""
        return sum(1 for route in self.routes if route)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable form."""
        return {
            "routes": [[int(c) for c in route] for route in self.routes],
            "cost": self.cost,
            "solver": self.solver,
            "runtime": self.runtime,
            "stats": self.stats.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Solution:
        """Inverse of :meth:`to_dict`."""
        return cls(
            routes=[[int(c) for c in route] for route in data["routes"]],
            cost=data.get("cost"),
            solver=data.get("solver", ""),
            runtime=float(data.get("runtime", 0.0)),
            stats=SolveStats.from_dict(data.get("stats", {})),
        )
