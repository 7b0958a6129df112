"""The anytime plot draws one step line per curve and writes a PNG headless."""

from __future__ import annotations

from nco.plotting.anytime import plot_anytime


def test_plot_anytime_writes_png(tmp_path):
    curves = {"nco": [(0.1, 110.0), (0.5, 104.0)], "pyvrp": [(0.2, 120.0), (2.0, 101.0)], "empty": []}
    ax = plot_anytime(curves, ref=100.0, horizon=5.0)
    assert len(ax.get_lines()) == 2
    assert ax.get_lines()[0].get_xdata()[-1] == 5.0
    assert abs(ax.get_lines()[0].get_ydata()[0] - 10.0) < 1e-9
    path = tmp_path / "anytime.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 0
