"""Baseline solvers behind one interface (installed as ``nco.baselines``).

Every solver is a callable ``solve(instance, time_limit, seed=0, initial=None) -> Solution``
whose routes passed :func:`nco.validate.validated_solution`; a solver that finds nothing
feasible returns a :class:`~nco.solution.Solution` with ``cost=None``. Look solvers up by
name with :func:`get_solver`; each is imported on first use, so asking for ``nn`` does not
load OR-Tools, and methods other parts of nco provide (``policy``, ``ga``) plug in by name.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from nco.errors import NcoError
from nco.instance import Instance
from nco.solution import Solution


class Solver(Protocol):
    """The interface every method in a comparison speaks."""

    def __call__(
        self,
        instance: Instance,
        time_limit: float,
        seed: int = 0,
        initial: list[list[int]] | None = None,
    ) -> Solution: ...


# name -> "module:function"; imported lazily, see get_solver.
SOLVERS = {
    "nn": "nco.baselines.heuristics:nearest_neighbour",
    "savings": "nco.baselines.heuristics:savings",
    "ortools": "nco.baselines.ortools_solver:solve",
    "pyvrp": "nco.baselines.pyvrp_solver:solve",
    "policy": "nco.policies.solver:solve",
    "ga": "nco.refine.solver:solve",
}


def list_solvers() -> list[str]:
    """Names :func:`get_solver` knows, in a stable order."""
    return list(SOLVERS)


def get_solver(name: str) -> Solver:
    """The solver registered as ``name``.

    Raises
    ------
    NcoError
        When ``name`` is unknown, or its module cannot be imported (e.g. a method whose
        implementation has not landed yet).
    """
    if name not in SOLVERS:
        raise NcoError(f"unknown method {name!r}; choose from {', '.join(SOLVERS)}")
    module, attr = SOLVERS[name].split(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise NcoError(f"method {name!r} is not available yet ({SOLVERS[name]}: {exc})") from exc
