"""A progress bar for :func:`~nco.batch.solve.solve_batch`, kept apart from it (PyVRP style)."""

from __future__ import annotations

from types import TracebackType

from tqdm import tqdm

from nco.batch.solve import Outcome


class ProgressBar:
    """Problems done out of those to do, failures so far, rate and ETA, on stderr.

    Pass it as ``solve_batch``'s ``progress`` and close it afterwards (or use it as a
    context manager). Problems an earlier run already answered are left out of the bar,
    so its rate and ETA are this run's.

    Parameters
    ----------
    disable
        Draw nothing (``--quiet``).
    """

    def __init__(self, disable: bool = False):
        self.disable = disable
        self.failures = 0
        self._bar: tqdm | None = None

    def start(self, total: int, skipped: int) -> None:
        desc = f"problems ({skipped} done before)" if skipped else "problems"
        self._bar = tqdm(total=total - skipped, desc=desc, unit="problem", disable=self.disable)
        self._bar.set_postfix(failures=0)

    def update(self, outcome: Outcome) -> None:
        assert self._bar is not None, "start() comes first"
        if not outcome.ok:
            self.failures += 1
            self._bar.set_postfix(failures=self.failures, refresh=False)
        self._bar.update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
