"""Tiny instances for the harness tests: a ring of customers around a central depot."""

from __future__ import annotations

import numpy as np
import pytest

from nco.instance import Instance


def ring(n: int, skew: int = 0) -> Instance:
    """Customers on a circle; driving clockwise costs ``skew`` metres more per arc."""
    angles = np.linspace(0, 2 * np.pi, n, endpoint=False)
    xy = np.vstack([[0.0, 0.0], 1000 * np.c_[np.cos(angles), np.sin(angles)]])
    distances = np.rint(np.linalg.norm(xy[:, None] - xy[None], axis=-1)) + skew * np.triu(np.ones((n + 1, n + 1)), 1)
    return Instance(distances=distances, demands=[0] + [1] * n, capacity=4, name=f"ring{n}-{skew}")


@pytest.fixture
def rings() -> list[Instance]:
    return [ring(10), ring(10, skew=50), ring(10, skew=100)]
