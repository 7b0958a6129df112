"""progress_printer: one line per improvement (overwritten in place on a terminal), with the
elapsed seconds, the best cost and the gap to a reference."""

from __future__ import annotations

import io

from nco.refine import refine
from nco.refine.progress import progress_printer
from nco.refine.starts import random_starts
from nco.stop import MaxIterations


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_printer_writes_one_line_per_improvement(cvrp, fast):
    stream = io.StringIO()
    result = refine(cvrp, MaxIterations(20), starts=random_starts, params=fast, callback=progress_printer(stream))
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(result.curve)
    assert lines[-1].startswith("refine") and f"{result.cost:,.0f} m" in lines[-1]


def test_progress_line_shows_the_gap_to_a_reference():
    stream = io.StringIO()
    report = progress_printer(stream, reference=1000.0)
    report(1.5, 1100.0)
    report(2.25, 950.0)
    assert stream.getvalue() == (
        "refine     1.50 s  best 1,100 m  (+10.00 %)\n"
        "refine     2.25 s  best 950 m  (-5.00 %)\n"
    )


def test_progress_line_is_overwritten_on_a_terminal():
    stream = Terminal()
    progress_printer(stream)(0.5, 12345.0)
    assert stream.getvalue() == "refine     0.50 s  best 12,345 m\r"
