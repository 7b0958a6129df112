"""Write a :class:`~nco.harness.comparison.Comparison` as Markdown, CSV, JSON and a PNG plot."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, fields
from pathlib import Path

from nco.harness.comparison import Comparison
from nco.harness.run import TIME_SLACK
from nco.harness.summary import Row


def markdown_table(comparison: Comparison) -> str:
    """The summary as a Markdown table (means over feasible runs; gap in percent)."""
    lines = [
        f"| method | budget (s) | mean cost | mean gap vs {comparison.ref_kind} (%) | mean wall (s) "
        "| max wall (s) | feasible | late |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in comparison.rows:
        cost = "-" if row.mean_cost is None else f"{row.mean_cost:.0f}"
        gap = "-" if row.mean_gap is None else f"{row.mean_gap:.2f}"
        lines.append(
            f"| {row.method} | {row.budget:g} | {cost} | {gap} | {row.mean_wall:.3f} | {row.max_wall:.3f} "
            f"| {row.feasible}/{row.runs} | {row.late} |"
        )
    lines.append(
        f"\nCost and gap: means over feasible runs. Wall: measured by the harness around each call. "
        f"Late: runs over 1.1 x budget + {TIME_SLACK:g} s."
        + (" Each method's first call per process was an untimed warm-up." if comparison.meta.get("warmup") else "")
    )
    return "\n".join(lines) + "\n"


def write_reports(comparison: Comparison, out_dir: str | Path, stem: str = "compare", title: str = "") -> list[Path]:
    """Write ``<stem>.md``, ``.csv``, ``.json`` and ``.png`` into ``out_dir``.

    Returns
    -------
    list[Path]
        The files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.{ext}" for ext in ("md", "csv", "json", "png")]
    md, csv_path, json_path, png = paths
    header = f"# {title}\n\n" if title else ""
    md.write_text(header + markdown_table(comparison))
    with csv_path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, [f.name for f in fields(Row)])
        writer.writeheader()
        writer.writerows(asdict(row) for row in comparison.rows)
    json_path.write_text(json.dumps(comparison.to_dict(), indent=1))
    _save_plot(comparison, png, title)
    return paths


def _save_plot(comparison: Comparison, path: Path, title: str) -> None:
    # A bare Figure draws with Agg and touches no pyplot state, so this works headless
    # and inside worker processes.
    from matplotlib.figure import Figure

    from nco.plotting.cost_time import plot_cost_time

    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    ax = figure.subplots()
    plot_cost_time(comparison.rows, ax, ylabel=f"mean gap vs {comparison.ref_kind} (%)")
    if title:
        ax.set_title(title)
    figure.savefig(path, dpi=120)
