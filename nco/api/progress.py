"""A one-line progress display for a running solve, separate from any algorithm (PyVRP style)."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO


class ProgressLine:
    """Redraws ``nco: <method> 0.4/1.0 s, best 12.35 km`` on a terminal while a solve runs.

    Use as a context manager around the solve and pass the instance as its ``progress``
    callback: methods that report their best cost update it, and a ticker keeps the clock
    moving for those that do not. On a stream that is not a terminal only the final line
    is written, so logs stay clean.

    Parameters
    ----------
    method
        Shown at the start of the line.
    time_limit
        The budget, shown next to the elapsed time.
    stream
        Where to write; stderr by default, so that stdout can carry the JSON result.
    interval
        Seconds between redraws.
    """

    def __init__(self, method: str, time_limit: float, stream: TextIO | None = None, interval: float = 0.25):
        self.method = method
        self.time_limit = time_limit
        self.stream = stream or sys.stderr
        self.interval = interval
        self.best: float | None = None
        self._start = time.perf_counter()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __call__(self, elapsed: float, best_cost: float | None) -> None:
        """The ``progress`` callback: record the best cost so far."""
        if best_cost is not None:
            self.best = best_cost

    def line(self) -> str:
        elapsed = min(time.perf_counter() - self._start, self.time_limit)
        best = "" if self.best is None else f", best {self.best / 1000:.2f} km"
        return f"nco: {self.method} {elapsed:.1f}/{self.time_limit:g} s{best}"

    def __enter__(self) -> ProgressLine:
        self._start = time.perf_counter()
        if self.stream.isatty():
            self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
        if kind is None:
            self.stream.write(f"\r{self.line()}\n")
        elif self.stream.isatty():
            self.stream.write("\n")
        self.stream.flush()

    def _tick(self) -> None:
        while not self._done.wait(self.interval):
            self.stream.write(f"\r{self.line()}")
            self.stream.flush()
