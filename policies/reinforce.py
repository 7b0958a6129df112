"""The REINFORCE loss with POMO's shared baseline, in torch alone.

One definition for ``nco train`` (rl4co on Lightning, CPU) and ``scripts/gpu_train.py``
(Lightning without rl4co, for a GPU machine that has no rl4co).
"""

from __future__ import annotations

from torch import Tensor

from nco.policies.decoder import by_start


def pomo_loss(reward: Tensor, log_likelihood: Tensor, starts: int) -> Tensor:
    """REINFORCE loss whose baseline is the mean of each instance's ``starts`` rollouts.

    Rewards are first divided by the instance's mean absolute reward, so that small and large
    cities weigh the same. ``reward`` and ``log_likelihood`` are ``(starts * B,)`` in
    start-major order (rollout ``r`` of instance ``b`` at row ``r * B + b``).
    """
    reward = by_start(reward, starts)  # (B, starts)
    relative = reward / reward.abs().mean(1, keepdim=True).clamp(min=1.0)
    advantage = relative - relative.mean(1, keepdim=True)
    return -(advantage * by_start(log_likelihood, starts)).mean()
