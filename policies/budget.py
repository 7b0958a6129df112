"""What one greedy rollout of a policy, and its cheaper merge, cost, known without importing torch.

Callers use it to leave the policy (and torch's ~2 s import) out where not even its first
round could fit their budget, e.g. ``nco solve`` on 2000 stops with a few seconds.
"""

from __future__ import annotations

# Seconds of one greedy rollout ~ GREEDY_SECONDS * M ** GREEDY_EXPONENT on one thread of this
# 2-core VM. The exponent is not 2: a rollout is ~M steps whose fixed cost dominates below a few
# hundred nodes (measured 0.06-0.09 s at M = 201, 0.2-0.25 s at 501, 0.63-0.77 s at 1000:
# bench/results/policy_speed.md, bench/refiner.py); an M ** 2 rule fitted at M = 201 doubled
# the estimate at 501. On the low side, so that the policy is rather tried than skipped.
GREEDY_SECONDS = 1.6e-5
GREEDY_EXPONENT = 1.5


def rollout_seconds(num_nodes: int, per_unit: float = GREEDY_SECONDS) -> float:
    """Expected seconds of one greedy rollout over ``num_nodes`` (customers and depot)."""
    return per_unit * num_nodes**GREEDY_EXPONENT


def merge_rollouts(num_nodes: int) -> float:
    """What the policy-guided savings (the ``"merge"`` decoding) costs, in greedy rollouts.

    A merge is one encoder pass, one batched decoder call and a savings pass, no rollout:
    measured, shipped checkpoint, one thread, 0.33 / 0.33 / 0.5 / 0.65 greedy rollouts at
    n = 100 / 200 / 500 / 999; this bound says 0.41 / 0.47 / 0.6 / 0.75. The encoder's share
    grows with the size: its attention is quadratic, the rollout's M steps are not.
    """
    return 0.25 + 0.5 * (num_nodes / 1000) ** 0.5


# One more savings pass over a heatmap already computed (a sampled merge, "merge:K"), in greedy
# rollouts: measured 5 / 17 / 52 ms at n = 200 / 500 / 1000, 0.06-0.09 of a rollout at each.
SAVINGS_PASS_ROLLOUTS = 0.1


def first_round_fits(num_customers: int, seconds: float) -> bool:
    """Whether the policy's first and cheapest round, the merge, is expected within ``seconds``."""
    size = num_customers + 1
    return rollout_seconds(size) * merge_rollouts(size) <= seconds
