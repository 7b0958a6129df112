"""Where nco finds its shipped data (city pools, test sets, checkpoints, examples)."""

from __future__ import annotations

import os
from pathlib import Path

# The repository's data/ folder sits next to the nco/ package in a checkout (the editable
# install the README sets up). NCO_DATA points elsewhere, e.g. for a wheel install.
DATA_DIR = Path(os.environ.get("NCO_DATA", Path(__file__).resolve().parent.parent / "data"))
CITIES_DIR = DATA_DIR / "cities"
TESTSETS_DIR = DATA_DIR / "testsets"
CHECKPOINTS_DIR = DATA_DIR / "checkpoints"
EXAMPLES_DIR = DATA_DIR / "examples"

# Downloaded tools (the OSRM binaries) live in a per-user cache, never in the checkout.
CACHE_DIR = Path(os.environ.get("NCO_CACHE", Path.home() / ".cache" / "nco"))
