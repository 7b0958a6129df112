"""The POMO REINFORCE loss shared by nco train and scripts/gpu_train.py."""

from __future__ import annotations

import pytest
import torch

from nco.policies.reinforce import pomo_loss


def test_pomo_loss_is_the_shared_baseline():
    # Two instances, two starts, start-major rows: (s0 b0, s0 b1, s1 b0, s1 b1).
    reward = torch.tensor([-100.0, -50.0, -300.0, -50.0])
    log_likelihood = torch.tensor([-1.0, -2.0, -3.0, -4.0])
    # Instance 0: relative rewards -0.5, -1.5, advantages 0.5, -0.5; instance 1: all equal, 0.
    expected = -(0.5 * -1.0 - 0.5 * -3.0) / 4
    assert pomo_loss(reward, log_likelihood, 2).item() == pytest.approx(expected)
