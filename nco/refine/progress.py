"""A progress line for the anytime search, kept apart from the algorithm (PyVRP style)."""

from __future__ import annotations

import sys
from typing import TextIO

from nco.refine.genetic import Callback


def progress_printer(stream: TextIO = sys.stderr, reference: float | None = None) -> Callback:
    """A :data:`Callback` that rewrites one status line at every improvement.

    Parameters
    ----------
    stream
        Where to write; a terminal gets ``\\r``-overwritten lines, anything else one line
        per improvement.
    reference
        A cost to show the gap against, in percent (e.g. the policy's greedy cost).

    Examples
    --------
    >>> refine(instance, MaxRuntime(5), callback=progress_printer())  # doctest: +SKIP
    """
    end = "\r" if stream.isatty() else "\n"

    def report(seconds: float, cost: float) -> None:
        gap = "" if not reference else f"  ({100 * (cost - reference) / reference:+.2f} %)"
        stream.write(f"refine  {seconds:7.2f} s  best {cost:,.0f} m{gap}{end}")
        stream.flush()

    return report
