"""Anytime plot: best cost found so far against time, one step line per run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

Curve = Sequence[tuple[float, float]]


def plot_anytime(
    curves: Mapping[str, Curve],
    ax: Axes | None = None,
    ref: float | None = None,
    horizon: float | None = None,
) -> Axes:
    """Draw each anytime curve as a step line: the best cost holds until the next improvement.

    Parameters
    ----------
    curves
        Label -> ``[(seconds, best cost), ...]`` in time order, e.g. ``Result.curve`` of
        :func:`nco.refine.refine`.
    ax
        Axes to draw on; a new figure's when omitted (Agg, no display needed).
    ref
        A reference cost: when given, the y axis shows the gap to it in percent.
    horizon
        Extend every line to this time (the budget), so that flat endings show.

    Returns
    -------
    Axes
        The axes drawn on.
    """
    from matplotlib.ticker import NullFormatter

    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(6.4, 4.4), layout="constrained").subplots()
    for label, curve in curves.items():
        if not curve:
            continue
        times = [t for t, _ in curve]
        costs = [c if ref is None else 100.0 * (c - ref) / ref for _, c in curve]
        if horizon is not None and horizon > times[-1]:
            times, costs = [*times, horizon], [*costs, costs[-1]]
        ax.step(times, costs, where="post", label=label)
    ax.set_xscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())  # labelled minor ticks overlap on short spans
    ax.set_xlabel("time (s, log scale)")
    ax.set_ylabel("best cost (m)" if ref is None else "gap to reference (%)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax
