"""One timed run of one method: :class:`Run`, and when it counts as late."""

from __future__ import annotations

from dataclasses import dataclass

# A run is "late" when its wall time exceeds the budget by more than 10 % plus this many
# seconds (process and model start-up that no solver can avoid).
TIME_SLACK = 0.5


@dataclass
class Run:
    """One method on one instance at one budget and seed, timed by the harness.

    Attributes
    ----------
    cost
        Validated total distance in metres; ``None`` when the method found nothing feasible.
    ref
        The reference cost the gap is taken against (``None`` if there is none at all).
    gap
        ``100 * (cost - ref) / ref`` in percent; ``None`` when infeasible or without a ref.
    wall
        Wall-clock seconds around the solver call, measured here, not by the solver.
    reason
        Why the run is infeasible, when the solver said so.
    """

    instance: str
    index: int
    method: str
    budget: float
    seed: int
    cost: float | None
    wall: float
    ref: float | None = None
    gap: float | None = None
    reason: str = ""

    @property
    def feasible(self) -> bool:
        return self.cost is not None

    @property
    def late(self) -> bool:
        """Whether the run overshot its budget by more than 10 % + :data:`TIME_SLACK`."""
        return self.wall > 1.1 * self.budget + TIME_SLACK
