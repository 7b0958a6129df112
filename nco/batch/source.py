"""Where a batch's problems come from: a folder of problem files, or a JSONL file.

A folder's problems are the files :func:`~nco.api.reading.read_problem` reads (VROOM or
nco JSON, VRPLIB), named by their file names. A JSONL file holds one VROOM-shaped problem
per line, named by an optional top-level ``"id"`` (a string or an integer, removed before
solving) or else by its line number. Problems are listed first and read one at a time, so
a batch of thousands never sits in memory at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nco.api.reading import VRPLIB_SUFFIXES, parse_json, read_problem
from nco.errors import InputError
from nco.instance import Instance

ProblemId = str | int

# The files of a folder that are problems.
PROBLEM_SUFFIXES = (".json", *VRPLIB_SUFFIXES)


@dataclass(frozen=True)
class ProblemRef:
    """One problem of a batch: its id and where to read it.

    Attributes
    ----------
    id
        The problem's name in the output: a file name, a JSONL record's ``"id"`` or its
        line number.
    path
        The problem file, or the JSONL file.
    line
        The 1-based line of a JSONL record; ``None`` for a problem file.
    offset
        Byte offset of that line.
    """

    id: ProblemId
    path: Path
    line: int | None = None
    offset: int = 0

    @property
    def where(self) -> str:
        """``file`` or ``file:line``, for error messages."""
        return str(self.path) if self.line is None else f"{self.path}:{self.line}"

    def read(self) -> dict[str, Any] | Instance:
        """The problem, ready for :func:`nco.solve`.

        Raises
        ------
        InputError
            When it cannot be read or is not JSON; the error names :attr:`where`.
        """
        if self.line is None:
            return read_problem(self.path)
        with self.path.open("rb") as file:
            file.seek(self.offset)
            data = parse_json(file.readline(), self.where)
        data.pop("id", None)
        return data


def list_problems(source: str | Path) -> list[ProblemRef]:
    """The problems in a folder of problem files or in a JSONL file, in order.

    Raises
    ------
    InputError
        When ``source`` does not exist, holds no problems, or two problems share an id.
    """
    source = Path(source)
    if source.is_dir():
        refs = [
            ProblemRef(path.name, path)
            for path in sorted(source.iterdir())
            if path.is_file() and path.suffix.lower() in PROBLEM_SUFFIXES
        ]
    elif source.is_file():
        refs = _jsonl_records(source)
    else:
        raise InputError(str(source), "no such file or folder")
    if not refs:
        kinds = ", ".join(PROBLEM_SUFFIXES)
        raise InputError(str(source), f"holds no problems (a folder of {kinds} files, or JSONL lines)")
    first: dict[ProblemId, ProblemRef] = {}
    for ref in refs:
        if ref.id in first:
            raise InputError(ref.where, f"problem id {ref.id!r} is used twice (first at {first[ref.id].where})")
        first[ref.id] = ref
    return refs


def _jsonl_records(path: Path) -> list[ProblemRef]:
    refs = []
    offset = 0
    with path.open("rb") as file:
        for number, raw in enumerate(file, start=1):
            if raw.strip():
                refs.append(ProblemRef(_record_id(raw, number, path), path, number, offset))
            offset += len(raw)
    return refs


def _record_id(raw: bytes, number: int, path: Path) -> ProblemId:
    """A JSONL record's ``"id"``, else its line number (also for lines that are not JSON:
    reading them later gives the error record)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return number
    given = data.get("id", number) if isinstance(data, dict) else number
    if isinstance(given, bool) or not isinstance(given, (str, int)):
        raise InputError(f"{path}:{number}.id", f"must be a string or an integer, got {json.dumps(given)}")
    return given
