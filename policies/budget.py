"""What one greedy rollout of a policy costs, known without importing torch.

Callers use it to leave the policy (and torch's ~2 s import) out where not even one rollout
could fit their budget, e.g. ``nco solve`` on 2000 stops with a few seconds.
"""

from __future__ import annotations

# Seconds of one greedy rollout ~ GREEDY_SECONDS * M ** 2 on one thread of this 2-core VM
# (bench/scale.py, bench/results/policy_speed.md: 0.2 s at M = 501, 0.63 s at M = 1000);
# on the low side, so that the policy is rather tried than skipped.
GREEDY_SECONDS = 4e-7


def greedy_fits(num_customers: int, seconds: float) -> bool:
    """Whether one greedy rollout on ``num_customers`` customers is expected within ``seconds``."""
    return GREEDY_SECONDS * (num_customers + 1) ** 2 <= seconds
