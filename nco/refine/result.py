"""What a refiner run returns: the best solution, its anytime curve and run statistics."""

from __future__ import annotations

from dataclasses import dataclass, field

from nco.solution import Solution


@dataclass
class Result:
    """The outcome of :func:`nco.refine.refine`.

    Attributes
    ----------
    solution
        The best feasible solution found, validated (``solution.cost`` in metres).
    curve
        Anytime curve: ``(seconds since the start, best cost)`` at every improvement,
        beginning with the first feasible start (each cheaper start adds a point). Seconds
        include computing the starts (policy inference).
    num_iterations
        Educations performed (starts and offspring): one stopping-criterion check each.
    num_restarts
        Times the population was rebuilt after too long without improvement.
    runtime
        Wall-clock seconds of the whole run.
    start_costs
        Cost of every starting solution as given (``None`` for an infeasible one), before education.
    start_origins
        Where each starting solution came from (:class:`nco.refine.starts.Start`).
    timings
        Seconds spent per phase: ``starts`` (computing the starting solutions),
        ``education``, ``mutation``, ``crossover`` (with split) and ``population`` (selection
        and survivor selection).
    """

    solution: Solution
    curve: list[tuple[float, float]]
    num_iterations: int
    num_restarts: int
    runtime: float
    start_costs: list[float | None] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    start_origins: list[str] = field(default_factory=list)

    @property
    def cost(self) -> float:
        """Cost of the best solution (metres)."""
        assert self.solution.cost is not None  # validated_solution never returns None
        return self.solution.cost

    @property
    def best_start_cost(self) -> float | None:
        """Cheapest feasible start, or ``None`` when no starting solution was feasible."""
        feasible = [c for c in self.start_costs if c is not None]
        return min(feasible) if feasible else None

    def best_start_cost_of(self, origin: str) -> float | None:
        """Cheapest feasible start from ``origin`` (e.g. ``"policy"``), or ``None``."""
        feasible = [c for c, o in zip(self.start_costs, self.start_origins) if o == origin and c is not None]
        return min(feasible) if feasible else None

    def summary(self) -> str:
        """One line for logs and the CLI."""
        best = self.best_start_cost
        first = "none" if best is None else f"{best:.0f}"
        return (
            f"cost {self.cost:.0f} (best start {first}) after {self.num_iterations} iterations, "
            f"{self.num_restarts} restarts, {self.runtime:.2f}s"
        )
