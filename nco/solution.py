"""The one answer every solver in nco returns: :class:`Solution`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Routes = list[list[int]]
"""One list of customer indices (``1..n``) per vehicle; the depot (node 0) is implicit."""


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
        Solver-specific extras, e.g. an anytime curve ``[(seconds, cost), ...]``.
    """

    routes: list[list[int]]
    cost: float | None = None
    solver: str = ""
    runtime: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)

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
            "stats": self.stats,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Solution:
        """Inverse of :meth:`to_dict`."""
        return cls(
            routes=[[int(c) for c in route] for route in data["routes"]],
            cost=data.get("cost"),
            solver=data.get("solver", ""),
            runtime=float(data.get("runtime", 0.0)),
            stats=dict(data.get("stats", {})),
        )
