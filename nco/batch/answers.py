"""The batch's JSONL output: one record per problem, appended as answers arrive.

A record is what :func:`nco.solve` returned with the problem's ``"id"`` in front, or an
error record ``{"id", "code", "error", "field"}``. Records are written by the driver only
and flushed one by one, so a batch stopped at any point (Ctrl-C, a lost machine) leaves
whole records behind, at most one cut line, and resumes where it stopped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from nco.batch.source import ProblemId
from nco.errors import InputError


def answered_ids(path: str | Path) -> set[ProblemId]:
    """The ids that already have a record in ``path`` (none if it does not exist yet).

    A last line cut short by an interrupted run is removed from the file, so that the
    records appended next start on a line of their own.

    Raises
    ------
    InputError
        When a line other than the last is not a record.
    """
    path = Path(path)
    if not path.is_file():
        return set()
    data = path.read_bytes()
    complete = data[: data.rfind(b"\n") + 1]
    if len(complete) < len(data):
        with path.open("r+b") as file:
            file.truncate(len(complete))
    ids = set()
    for number, line in enumerate(complete.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            ids.add(json.loads(line)["id"])
        except (ValueError, TypeError, KeyError):
            raise InputError(f"{path}:{number}", "is not a record of nco solve-batch; refusing to append") from None
    return ids


def write_record(file: TextIO, problem_id: ProblemId, answer: dict[str, Any]) -> dict[str, Any]:
    """Append ``{"id": problem_id, **answer}`` as one line and flush it; returns the record."""
    record = {"id": problem_id, **answer}
    file.write(json.dumps(record, separators=(",", ":")) + "\n")
    file.flush()
    return record
