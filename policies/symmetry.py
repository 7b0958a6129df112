"""The eight symmetries of the unit square, applied to the policy's scaled coordinates.

The encoder reads lon/lat min-max scaled to [0, 1] (``locs``), while the road matrix, which
decides the cost, does not change when the map is mirrored or turned by 90 degrees. A
policy trained on six cities is far from invariant to that: greedy rollouts of the same
instance seen in the eight orientations differ, and the best of the eight is 2-3 points of
gap better than the plain one on the training cities' validation labels. POMO calls this
instance augmentation. Decoding uses it as extra starts (:mod:`nco.policies.inference`,
``"+aug"``); training can draw one symmetry per instance (``nco train --augment``).
"""

from __future__ import annotations

import torch
from torch import Tensor

SYMMETRIES = 8


def transform(locs: Tensor, which: int) -> Tensor:
    """``locs`` (``(..., 2)`` in [0, 1]) under symmetry ``which`` in ``0..7``; 0 is the identity.

    Bit 0 mirrors x, bit 1 mirrors y, bit 2 swaps the axes (after the mirrors).
    """
    x, y = locs[..., 0], locs[..., 1]
    x = 1 - x if which & 1 else x
    y = 1 - y if which & 2 else y
    return torch.stack((y, x) if which & 4 else (x, y), dim=-1)


def augmented(locs: Tensor, count: int) -> Tensor:
    """``(B, M, 2)`` -> ``(count * B, M, 2)``, start-major like every multi-rollout batch:
    row ``a * B + b`` is instance ``b`` under symmetry ``a``."""
    if not 1 <= count <= SYMMETRIES:
        raise ValueError(f"count must be in 1..{SYMMETRIES}, got {count}")
    return torch.cat([transform(locs, a) for a in range(count)])


def randomly_transformed(locs: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """Each instance of ``(B, M, 2)`` under its own random symmetry (training augmentation)."""
    which = torch.randint(SYMMETRIES, (locs.shape[0],), generator=generator, device=locs.device)
    out = locs.clone()
    for a in which.unique().tolist():
        rows = which == a
        out[rows] = transform(locs[rows], a)
    return out
