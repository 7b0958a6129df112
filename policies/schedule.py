"""The learning-rate schedule that ``nco imitate`` and ``nco train`` share: a cosine to a floor.

Why anneal: at a constant rate the validation gap of successive epochs jumps by 0.5-1 point
(bench/results/training_ablation.md), the noise of a step size that keeps moving the weights
around a minimum; a decaying one lets the last epochs settle into it.
"""

from __future__ import annotations

import math
from functools import partial

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR


def annealed_lr(lr: float, lr_final: float | None, epoch: int, epochs: int) -> float:
    """The learning rate of epoch ``epoch`` (0-based) of ``epochs``: ``lr`` when ``lr_final`` is
    None, else a cosine from ``lr`` at the first epoch to ``lr_final`` at the last (and after it)."""
    if lr_final is None or epochs <= 1:
        return lr
    progress = min(epoch / (epochs - 1), 1.0)
    return lr_final + (lr - lr_final) * 0.5 * (1 + math.cos(math.pi * progress))


def cosine_scheduler(optimizer: Optimizer, lr: float, lr_final: float, epochs: int) -> LambdaLR:
    """A scheduler stepped once per epoch that follows :func:`annealed_lr` (``lr`` > 0)."""
    return LambdaLR(optimizer, partial(_factor, lr=lr, lr_final=lr_final, epochs=epochs))


def _factor(epoch: int, lr: float, lr_final: float, epochs: int) -> float:
    # Module-level and called through functools.partial, so that Lightning can pickle it.
    return annealed_lr(lr, lr_final, epoch, epochs) / lr
