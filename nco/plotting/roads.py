"""Drawing a city's road layer: thin grey lines under routes and pool points."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from nco.pools.roads import RoadLayer, inside

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# Per rank (0 major .. 3 service roads and tracks): line width in points, and grey.
WIDTHS = (1.0, 0.7, 0.45, 0.3)
GREYS = ("#b0b0b0", "#c0c0c0", "#d0d0d0", "#dcdcdc")
ATTRIBUTION = "© OpenStreetMap contributors"


def plot_roads(
    roads: RoadLayer, ax: Axes | None = None, bbox: tuple[float, float, float, float] | None = None
) -> None:
    """Draw the road layer as thin grey lines, major roads wider, below everything else.

    The roads do not change the axes' limits: whatever is drawn on top (routes, points)
    decides what the map shows.

    Parameters
    ----------
    roads
        The city's road layer (:func:`nco.pools.roads.load_roads`).
    ax
        Axes to draw on; the current axes when None.
    bbox
        ``(min lon, min lat, max lon, max lat)``: only lines with a point inside are drawn,
        which keeps a map of a few streets of a big city quick.
    """
    from matplotlib.collections import LineCollection

    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    keep = _touching(roads, bbox) if bbox is not None else np.ones(len(roads), dtype=bool)
    starts, ends = roads.offsets[:-1], roads.offsets[1:]
    for rank in reversed(range(len(WIDTHS))):  # minor first, so major roads lie on top
        lines = [roads.points[starts[k] : ends[k]] for k in np.flatnonzero(keep & (roads.ranks == rank))]
        if lines:
            collection = LineCollection(lines, colors=GREYS[rank], linewidths=WIDTHS[rank], zorder=0.5)
            ax.add_collection(collection, autolim=False)
    attribute(ax)


def attribute(ax: Axes, text: str = ATTRIBUTION) -> None:
    """Write the map data's attribution small in the axes' lower right corner."""
    ax.annotate(text, (1, 0), xycoords="axes fraction", xytext=(-2, 2), textcoords="offset points",
                ha="right", va="bottom", fontsize=6, color="grey")


def _touching(roads: RoadLayer, bbox: tuple[float, float, float, float]) -> np.ndarray:
    """Per line: whether any of its points lies inside ``bbox``."""
    return np.add.reduceat(inside(roads.points, bbox).astype(np.int64), roads.offsets[:-1]) > 0
