"""Batch solving on Ray: many problems through :func:`nco.solve`, answers to JSONL.

:func:`solve_batch` reads a folder of problem files or a JSONL file, solves each problem
as a 1-CPU Ray task (a local Ray by default, any Ray cluster by address) and appends one
record per problem to a JSONL file, resuming where an earlier run stopped.
:func:`map_unordered` and :func:`ray_session` are the engine it shares with the comparison
harness (``nco eval compare --workers``).
"""

from nco.batch.engine import Finished, map_unordered, ray_session
from nco.batch.solve import BatchSummary, Outcome, solve_batch

__all__ = ["BatchSummary", "Finished", "Outcome", "map_unordered", "ray_session", "solve_batch"]
