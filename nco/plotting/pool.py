"""Drawing a city pool's points."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from nco.pools.pool import CityPool


def plot_pool(pool: CityPool, ax: Axes | None = None) -> None:
    """Scatter the pool's road points on lon/lat axes with a locally true aspect ratio.

    Parameters
    ----------
    pool
        The pool to draw.
    ax
        Axes to draw on; the current axes when None.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    lon, lat = pool.coords[:, 0], pool.coords[:, 1]
    ax.scatter(lon, lat, s=4, c="tab:blue", alpha=0.7, linewidths=0)
    # A degree of longitude shrinks with cos(latitude); this keeps the map undistorted.
    ax.set_aspect(1 / np.cos(np.radians(lat.mean())))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    attribution = pool.card.get("attribution", "").split(",")[0] or "© OpenStreetMap contributors"
    ax.set_title(f"{pool.name}: {len(pool)} road points")
    ax.annotate(attribution, (1, 0), xycoords="axes fraction", xytext=(-2, 2),
                textcoords="offset points", ha="right", va="bottom", fontsize=6, color="grey")
