"""Reading a problem: bytes in, a JSON object (or an nco :class:`Instance`) out.

Files, stdin and HTTP bodies all go through :func:`parse_json`, so the CLI and the HTTP
service give the same answer to the same bytes: UTF-8 with or without a byte-order mark
is read; invalid UTF-8, malformed JSON, nesting deeper than the parser follows, and a
document that is not a JSON object are refused as :class:`~nco.errors.MalformedInput`
naming where the bytes came from.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable

import orjson
from pathlib import Path
from typing import Any

from nco.errors import InputError, MalformedInput
from nco.instance import Instance

# Extensions read as VRPLIB; everything else is JSON.
VRPLIB_SUFFIXES = (".vrp", ".txt")


def parse_json(raw: bytes, where: str) -> dict[str, Any]:
    """The JSON object in ``raw``.

    Parameters
    ----------
    raw
        The document's bytes, UTF-8 (a leading byte-order mark is skipped).
    where
        Where the bytes came from (``"body"``, ``"stdin"``, a file name); errors name it.

    Raises
    ------
    MalformedInput
        When the bytes are not UTF-8, not JSON, nested too deeply, or not an object.
    """
    if not raw.strip():
        raise MalformedInput(where, "is empty; expected a JSON object")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedInput(where, f"is not valid UTF-8 (byte {exc.start})") from None
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:  # also NaN, deep nesting, huge integers: json decides and words the error
        data = None
    try:
        data = json.loads(text) if data is None else data
    except RecursionError:
        raise MalformedInput(where, "JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise MalformedInput(where, f"malformed JSON ({exc})") from None
    if not isinstance(data, dict):
        raise MalformedInput(where, f"the problem must be a JSON object, got {_json_type(data)}")
    return data


def read_problem(path: str | Path) -> dict[str, Any] | Instance:
    """Read a problem file: VROOM-shaped JSON, nco instance JSON, VRPLIB (``-`` = stdin JSON),
    or one nco instance in npz (:func:`nco.io.save_batch`), which reads a 2000-stop matrix
    in a tenth of a second where its JSON takes over a second.

    Raises
    ------
    InputError
        When the file cannot be read or is not one of these formats.
    """
    from nco.io import instance_from_dict, load_batch, read_vrplib

    if str(path) == "-":
        raw, name = sys.stdin.buffer.read(), "stdin"
    else:
        path = Path(path)
        if not path.is_file():
            raise InputError(str(path), "no such file")
        if path.suffix.lower() in VRPLIB_SUFFIXES:
            return read_vrplib(path)
        if path.suffix.lower() == ".npz":
            return _one_instance(path, load_batch)
        try:
            raw, name = path.read_bytes(), str(path)
        except OSError as exc:
            raise InputError(str(path), f"cannot be read ({exc.strerror})") from None
    data = parse_json(raw, name)
    # nco's own instance format has top-level matrices and no jobs.
    if "jobs" not in data and "distances" in data:
        return instance_from_dict(data)
    return data


def _one_instance(path: Path, load: Callable[[Path], list[Instance]]) -> Instance:
    """The single instance of an npz batch file; anything else is the user's error."""
    try:
        found = load(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        raise InputError(str(path), "is not an npz file of nco instances (nco.io.save_batch)") from None
    if len(found) != 1:
        raise InputError(str(path), f"holds {len(found)} instances; nco solve takes one (nco solve-batch takes many)")
    return found[0]


def _json_type(value: Any) -> str:
    names = {str: "a string", list: "an array", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
