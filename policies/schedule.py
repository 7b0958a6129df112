"""The learning-rate schedule that ``nco imitate`` and ``nco train`` share: an optional linear
warm-up, then a cosine to a floor.

Why anneal: at a constant rate the validation gap of successive epochs jumps by 0.5-1 point
(bench/results/training_ablation.md), the noise of a step size that keeps moving the weights
around a minimum; a decaying one lets the last epochs settle into it. Why warm up: a fine-tuning
run starts Adam without its moment estimates, so its first steps move every weight by about the
full learning rate whatever the gradient's noise (the first epoch of every fine-tuning from a
checkpoint lost 1-3 points of validation gap).
"""

from __future__ import annotations

import math
from functools import partial

from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

from nco.errors import InputError


def check_lr_final(lr: float, lr_final: float | None) -> None:
    """Refuse a floor that is not one: ``lr_final`` must lie in ``[0, lr]`` (or be None)."""
    if lr_final is not None and not 0 <= lr_final <= lr:
        raise InputError("lr_final", f"expected a value in [0, lr = {lr}], got {lr_final}")


def annealed_lr(lr: float, lr_final: float | None, step: int, steps: int, warmup: int = 0) -> float:
    """The learning rate at step ``step`` (0-based) of ``steps``: rising linearly to ``lr`` over
    the first ``warmup`` steps, then ``lr`` when ``lr_final`` is None, else a cosine from ``lr``
    to ``lr_final`` at the last step (and after it)."""
    if step < warmup:
        return lr * (step + 1) / warmup
    if lr_final is None or steps - warmup <= 1:
        return lr
    progress = min((step - warmup) / (steps - warmup - 1), 1.0)
    return lr_final + (lr - lr_final) * 0.5 * (1 + math.cos(math.pi * progress))


def cosine_scheduler(optimizer: Optimizer, lr: float, lr_final: float | None, steps: int, warmup: int = 0) -> LambdaLR:
    """A scheduler stepped once per step that follows :func:`annealed_lr` (``lr`` > 0)."""
    return LambdaLR(optimizer, partial(_factor, lr=lr, lr_final=lr_final, steps=steps, warmup=warmup))


def _factor(step: int, lr: float, lr_final: float | None, steps: int, warmup: int) -> float:
    # Module-level and called through functools.partial, so that Lightning can pickle it.
    return annealed_lr(lr, lr_final, step, steps, warmup) / lr
