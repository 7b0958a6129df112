"""Ordered crossover (OX) on giant tours: the child keeps a slice of one parent and the
relative order of the other. Split (:mod:`nco.refine.split`) turns the child into routes.
"""

from __future__ import annotations

import numpy as np


def ordered_crossover(first: np.ndarray, second: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cross two giant tours (permutations of the customers ``1..n``).

    A random slice ``first[a..b]`` stays in place; the remaining positions, from ``b + 1``
    around to ``a - 1``, take the missing customers in the order ``second`` visits them
    starting after position ``b``. Order is kept as is, never reversed: costs are asymmetric.
    """
    size = first.size
    if size < 2:
        return first.copy()
    a, b = np.sort(rng.choice(size, 2, replace=False))
    kept = first[a : b + 1]
    missing = np.ones(size + 1, bool)
    missing[kept] = False
    rest = np.roll(second, -(b + 1))
    rest = rest[missing[rest]]
    child = np.empty(size, np.int64)
    child[a : b + 1] = kept
    child[(b + 1 + np.arange(rest.size)) % size] = rest
    return child
