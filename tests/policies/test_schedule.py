"""The shared learning-rate schedule: a cosine from lr to lr_final, flat after the last epoch."""

from __future__ import annotations

import pytest
import torch

from nco.policies.schedule import annealed_lr, cosine_scheduler


def test_the_learning_rate_anneals_from_lr_to_lr_final():
    rates = [annealed_lr(2e-4, 2e-5, epoch, 5) for epoch in range(7)]
    assert rates[0] == pytest.approx(2e-4) and rates[4] == pytest.approx(2e-5)
    assert rates == sorted(rates, reverse=True) and rates[6] == rates[4]  # stays at the floor
    assert annealed_lr(2e-4, None, 4, 5) == 2e-4  # constant without lr_final


def test_a_warm_up_rises_to_lr_before_the_cosine():
    rates = [annealed_lr(1e-3, 1e-4, step, 10, warmup=4) for step in range(10)]
    assert rates[:4] == pytest.approx([2.5e-4, 5e-4, 7.5e-4, 1e-3])
    assert rates[4] == pytest.approx(1e-3) and rates[9] == pytest.approx(1e-4)
    assert annealed_lr(1e-3, None, 9, 10, warmup=4) == 1e-3


def test_the_scheduler_follows_the_same_curve():
    optimizer = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=1e-3)
    scheduler = cosine_scheduler(optimizer, 1e-3, 1e-4, steps=3)
    seen = []
    for _ in range(4):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert seen == pytest.approx([annealed_lr(1e-3, 1e-4, epoch, 3) for epoch in range(4)])
