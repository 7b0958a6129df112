"""The pool plot: the pool's points on the city's road layer."""

import matplotlib.pyplot as plt
from matplotlib.collections import LineCollection

from nco.plotting.pool import plot_pool
from nco.pools import load_pool


def test_pool_points_on_the_road_layer():
    pool = load_pool("lauf")
    fig, (with_roads, without) = plt.subplots(1, 2)
    plot_pool(pool, ax=with_roads)
    plot_pool(pool, ax=without, roads=False)
    assert "on its road layer" in with_roads.get_title()
    assert any(isinstance(c, LineCollection) for c in with_roads.collections)
    assert not any(isinstance(c, LineCollection) for c in without.collections)
    # The roads never widen the view: the points decide it.
    assert with_roads.get_xlim() == without.get_xlim()
    assert all("OpenStreetMap" in ax.texts[-1].get_text() for ax in (with_roads, without))
    plt.close(fig)
