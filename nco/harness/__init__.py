"""The comparison harness behind ``nco eval compare``.

:func:`compare` runs solvers (see :mod:`nco.baselines`) at equal time budgets on the same
instances and returns every timed run plus one summary row per method and budget;
:func:`write_reports` turns that into Markdown, CSV, JSON and a cost-versus-time plot.
"""

from nco.harness.comparison import Comparison, compare
from nco.harness.report import markdown_table, write_reports
from nco.harness.run import TIME_SLACK, Run
from nco.harness.sources import load_testset, load_vrplib_dir
from nco.harness.summary import Row, summarise

__all__ = [
    "TIME_SLACK",
    "Comparison",
    "Row",
    "Run",
    "compare",
    "load_testset",
    "load_vrplib_dir",
    "markdown_table",
    "summarise",
    "write_reports",
]
