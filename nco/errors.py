"""Exceptions nco raises on purpose, and the one answer every interface gives for each.

Every error a user can cause derives from :class:`NcoError`. Each class says once what it
means to a client: its VROOM error ``code`` (1 = no solution or internal, 2 = bad input,
3 = routing) and its HTTP status. Raise sites only pick the class; :func:`failure` turns
any exception into the answer the Python API, the CLI and the HTTP service report, so no
interface decides on its own and no traceback reaches a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# VROOM's error codes, reused so that clients' error handling carries over.
OK, INTERNAL_ERROR, INPUT_ERROR, ROUTING_ERROR = 0, 1, 2, 3


class NcoError(Exception):
    """Base class of all errors nco raises on purpose (e.g. no feasible routes found)."""

    code = INTERNAL_ERROR
    http_status = 422


class InputError(NcoError, ValueError):
    """Bad input data; ``field`` names the offending field (e.g. ``"demands[3]"``)."""

    code = INPUT_ERROR

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class MalformedInput(InputError):
    """The bytes are not a JSON document nco reads (encoding, syntax, nesting, media type)."""

    http_status = 400


class LimitExceeded(InputError):
    """Input larger than a service allows (jobs, vehicles, matrix or body size)."""

    http_status = 413


class OsrmError(NcoError):
    """The OSRM toolchain or server failed, or is not available."""

    code = ROUTING_ERROR
    http_status = 502


@dataclass(frozen=True)
class Failure:
    """What an interface answers for one exception.

    Attributes
    ----------
    code
        VROOM's error code.
    status
        HTTP status.
    error
        One line for a person.
    field
        The offending input field, when one is to blame.
    """

    code: int
    status: int
    error: str
    field: str | None = None

    def body(self) -> dict[str, Any]:
        """The documented JSON error body: ``{"code": 2, "error": "...", "field": "jobs[3].delivery"}``."""
        return {"code": self.code, "error": self.error, "field": self.field}


def failure(exc: BaseException) -> Failure:
    """The answer for ``exc``; anything not an :class:`NcoError` is a bug, reported as 500
    without its details (the caller logs the traceback)."""
    if isinstance(exc, NcoError):
        error = " ".join(str(exc).split()) or type(exc).__name__  # always one line
        return Failure(exc.code, exc.http_status, error, getattr(exc, "field", None))
    return Failure(INTERNAL_ERROR, 500, f"internal error ({type(exc).__name__}); this is a bug in nco")
