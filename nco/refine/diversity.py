"""Broken-pairs distance: how different two solutions are, for diversity management."""

from __future__ import annotations

import numpy as np

from nco.refine.individual import Individual


def broken_pairs_distance(first: Individual, others: list[Individual]) -> np.ndarray:
    """Share of arcs of ``first`` that each of ``others`` does not use, in ``[0, 1]``.

    For every customer we compare its successor and its predecessor. Arcs are directed:
    on asymmetric costs a reversed route is a different solution.

    Returns
    -------
    numpy.ndarray
        One distance per member of ``others`` (shape ``(len(others),)``).
    """
    if not others:
        return np.zeros(0)
    succ = np.stack([other.succ for other in others])
    pred = np.stack([other.pred for other in others])
    broken = (succ[:, 1:] != first.succ[1:]).sum(axis=1) + (pred[:, 1:] != first.pred[1:]).sum(axis=1)
    return broken / (2 * (first.succ.size - 1))
