"""nco: neural vehicle routing on real road matrices.

Data flows one way: city pool -> :class:`Instance` -> policy -> refiner -> :class:`Solution`
-> JSON / map. Every solver's output passes :func:`validate`.
"""

from __future__ import annotations

import importlib
from typing import Any

from nco.errors import InputError, NcoError, OsrmError
from nco.instance import Instance
from nco.solution import Solution
from nco.stop import MaxIterations, MaxRuntime
from nco.validate import Report, check, validate

# Heavy parts (torch, matplotlib, the web stack) load on first use so that `import nco`
# and the CLI's --help stay fast: public name -> module that defines it.
_LAZY = {
    "solve": "nco.api.solve",
    "plot_routes": "nco.plotting.routes",
    "compare": "nco.harness",
    "get_solver": "nco.baselines",
    "load_policy": "nco.policies.checkpoint",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nco' has no attribute {name!r}")


__all__ = [
    "Instance",
    "InputError",
    "MaxIterations",
    "MaxRuntime",
    "NcoError",
    "OsrmError",
    "Report",
    "Solution",
    "check",
    "validate",
    *_LAZY,
]
