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
        starting with the best seed. Seconds include seeding (policy inference).
    num_iterations
        Educations performed (seeds and offspring): one stopping-criterion check each.
    num_restarts
        Times the population was rebuilt after too long without improvement.
    runtime
        Wall-clock seconds of the whole run.
    seed_costs
        Cost of every seed as given (``None`` for an infeasible one), before education.
    timings
        Seconds spent per phase: ``seeding``, ``education``, ``crossover`` (with split)
        and ``population`` (selection and survivor selection).
    """

    solution: Solution
    curve: list[tuple[float, float]]
    num_iterations: int
    num_restarts: int
    runtime: float
    seed_costs: list[float | None] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def cost(self) -> float:
        """Cost of the best solution (metres)."""
        assert self.solution.cost is not None  # validated_solution never returns None
        return self.solution.cost

    @property
    def best_seed_cost(self) -> float | None:
        """Cheapest feasible seed, or ``None`` when no seed was feasible."""
        feasible = [c for c in self.seed_costs if c is not None]
        return min(feasible) if feasible else None

    def summary(self) -> str:
        """One line for logs and the CLI."""
        seed = self.best_seed_cost
        start = "none" if seed is None else f"{seed:.0f}"
        return (
            f"cost {self.cost:.0f} (best seed {start}) after {self.num_iterations} iterations, "
            f"{self.num_restarts} restarts, {self.runtime:.2f}s"
        )
