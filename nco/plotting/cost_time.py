"""Cost-versus-time plot of a comparison: gap on y, wall time (log) on x, one line per method."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from nco.harness.summary import Row


def plot_cost_time(rows: Sequence[Row], ax: Axes | None = None, ylabel: str = "mean gap (%)") -> None:
    """Plot each method's mean gap against its mean wall time, one point per budget.

    Parameters
    ----------
    rows
        Summary rows from :func:`nco.harness.compare`; rows without a gap are skipped.
    ax
        Axes to draw on; the current pyplot axes when omitted.
    ylabel
        Label of the y axis, e.g. to say what the gap is measured against.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    methods = dict.fromkeys(row.method for row in rows)
    for method in methods:
        points = sorted((row.mean_wall, row.mean_gap) for row in rows if row.method == method and row.mean_gap is not None)
        if points:
            times, gaps = zip(*points)
            ax.plot(times, gaps, marker="o", label=method)
    ax.set_xscale("log")
    ax.set_xlabel("mean wall time (s, log scale)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
