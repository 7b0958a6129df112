"""Exceptions nco raises for bad input and unavailable services.

Every error a user can cause derives from :class:`NcoError`; the CLI and the HTTP service
report these as one clear line (or a JSON body) instead of a traceback.
"""

from __future__ import annotations


class NcoError(Exception):
    """Base class of all errors nco raises on purpose."""


class InputError(NcoError, ValueError):
    """Bad input data; ``field`` names the offending field (e.g. ``"demands[3]"``)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class OsrmError(NcoError):
    """The OSRM toolchain or server failed, or is not available."""
