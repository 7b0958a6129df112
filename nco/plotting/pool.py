"""Drawing a city pool's points, on the city's road layer when it has one."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from nco.paths import CITIES_DIR
from nco.plotting.roads import attribute, plot_roads
from nco.pools.pool import CityPool
from nco.pools.roads import list_roads, load_roads


def plot_pool(pool: CityPool, ax: Axes | None = None, roads: bool = True) -> None:
    """Scatter the pool's road points on lon/lat axes with a locally true aspect ratio.

    Parameters
    ----------
    pool
        The pool to draw.
    ax
        Axes to draw on; the current axes when None.
    roads
        Draw the city's road layer (``data/cities/<name>.roads.zip``) under the points,
        when it has one.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    lon, lat = pool.coords[:, 0], pool.coords[:, 1]
    on_roads = roads and pool.name in list_roads(CITIES_DIR)
    if on_roads:
        plot_roads(load_roads(pool.name, CITIES_DIR), ax)
    ax.scatter(lon, lat, s=4, c="tab:blue", alpha=0.7, linewidths=0, zorder=2)
    # A degree of longitude shrinks with cos(latitude); this keeps the map undistorted.
    ax.set_aspect(1 / np.cos(np.radians(lat.mean())))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{pool.name}: {len(pool)} road points" + (" on its road layer" if on_roads else ""))
    if not on_roads:  # plot_roads writes it otherwise
        attribute(ax)
