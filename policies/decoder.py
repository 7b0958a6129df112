"""Attention-model pointer decoder with a distance-from-current-node term in the logits."""

from __future__ import annotations

from collections.abc import Mapping

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from nco.policies.encoder import attention_scale


@dataclass
class DecoderCache:
    """Per-instance projections computed once after encoding (batch ``B``, not ``B * starts``).

    Every step-independent product is folded in here, so that a decoding step is a handful
    of small ops: at n = 500 a greedy rollout is ~500 steps, and per-op overhead dominates.
    The glimpse's keys and values have the heads folded into the batch, as ``torch.bmm`` reads
    them.
    """

    context: Tensor  # (B, M, D) graph query + step projection of each node's embedding
    capacity_weight: Tensor  # (D,) the step projection's weight on the remaining capacity
    glimpse_key: Tensor  # (B * H, D/H, M) transposed, pre-scaled by attention_scale / sqrt(D/H)
    glimpse_value: Tensor  # (B * H, M, D/H) contiguous
    logit_key: Tensor  # (B, D, M) transposed, through the output projection, scaled by 1/sqrt(D)
    distance: Tensor | None  # (B, M, M) the weighted distance term, or None without one
    # The step's constants 1, C (the clipping) and -inf as 0-d tensors: torch wraps a Python
    # number anew at every use, ~4 us each, and a step at n = 500 is ~50 small operations.
    one: Tensor
    clip: Tensor
    forbidden: Tensor


def by_start(x: Tensor, starts: int) -> Tensor:
    """``(S * B, ...)`` rows in rl4co's batchify order (start-major) -> ``(B, S, ...)``."""
    if starts == 1:  # one view instead of two: decoding calls this thrice a step
        return x.unsqueeze(1)
    return x.view(starts, x.shape[0] // starts, *x.shape[1:]).transpose(0, 1)


def flat_starts(x: Tensor) -> Tensor:
    """Inverse of :func:`by_start`: ``(B, S, ...)`` -> ``(S * B, ...)``."""
    if x.shape[1] == 1:
        return x.squeeze(1)
    return x.transpose(0, 1).reshape(x.shape[0] * x.shape[1], *x.shape[2:])


class PointerDecoder(nn.Module):
    """One decoding step: context -> glimpse over nodes -> masked pointer logits.

    The context is the current node's embedding, the remaining capacity and the graph (mean)
    embedding, as in the attention model. The pointer score of node ``j`` is
    ``C * tanh(q . k_j / sqrt(D) - w * log(M) * d(current, j))``: the learned distance term lets
    the policy see the real (asymmetric) cost of the next move directly; ``log(M)`` keeps its weight
    comparable across instance sizes, since the normalised nearest-neighbour distance shrinks with n.
    """

    def __init__(
        self,
        embed_dim: int = 128,
        num_heads: int = 8,
        tanh_clipping: float = 10.0,
        distance_term: bool = True,
        scale_from: int = 0,
    ):
        super().__init__()
        self.num_heads = num_heads
        self.scale_from = scale_from  # the glimpse sharpens as the encoder's attention does
        self.tanh_clipping = tanh_clipping
        self.project_graph = nn.Linear(embed_dim, embed_dim, bias=False)
        self.project_step = nn.Linear(embed_dim + 1, embed_dim, bias=False)
        self.project_nodes = nn.Linear(embed_dim, 3 * embed_dim, bias=False)
        self.project_out = nn.Linear(embed_dim, embed_dim, bias=False)
        # softplus(0.5413) = 1: start with a unit weight on the normalised distance.
        self.distance_weight = nn.Parameter(torch.tensor(0.5413)) if distance_term else None

    def precompute(self, nodes: Tensor, dist: Tensor) -> DecoderCache:
        """Step-independent projections of the node embeddings and the normalised distances."""
        batch, size, dim = nodes.shape
        key, value, logit_key = self.project_nodes(nodes).chunk(3, dim=-1)
        key, value = (x.view(batch, size, self.num_heads, -1).transpose(1, 2) for x in (key, value))
        step_weight = self.project_step.weight[:, :dim]  # the last column weighs the remaining capacity
        context = self.project_graph(nodes.mean(1))[:, None] + nodes @ step_weight.T
        # (W_out g) . k = g . (k W_out): the output projection moves onto the keys, once.
        logit_key = (logit_key @ self.project_out.weight).transpose(1, 2) / math.sqrt(dim)
        distance = None
        if self.distance_weight is not None:
            distance = nn.functional.softplus(self.distance_weight) * math.log(size) * dist
        # Heads folded into the batch as matmul folds them (a copy when B > 1: once here, not
        # every step); the key keeps its transposed layout at B = 1, where a contiguous one
        # rounds differently. The value's layout changes no bit, and contiguous it is faster.
        glimpse_scale = attention_scale(size, self.scale_from) / math.sqrt(dim // self.num_heads)
        glimpse_key = (key.transpose(-2, -1) * glimpse_scale).reshape(-1, key.shape[-1], size)
        glimpse_value = value.reshape(-1, size, value.shape[-1]).contiguous()
        one, clip, forbidden = (nodes.new_tensor(constant) for constant in (1.0, self.tanh_clipping, -math.inf))
        capacity_weight = self.project_step.weight[:, dim]
        keys = (glimpse_key, glimpse_value, logit_key)
        return DecoderCache(context, capacity_weight, *keys, distance, one, clip, forbidden)

    def forward(self, td: Mapping[str, Tensor], cache: DecoderCache, num_starts: int = 0) -> Tensor:
        """Pointer logits ``(S * B, M)`` for the state ``td`` (start-major rows), ``-inf`` where
        its action mask forbids a move."""
        starts = max(num_starts, 1)
        batch, size, dim = cache.context.shape
        heads = self.num_heads
        current = by_start(td["current_node"].reshape(-1, 1), starts)  # (B, S, 1)
        allowed = by_start(td["action_mask"], starts)  # (B, S, M)
        remaining = cache.one - by_start(td["used_capacity"].reshape(-1, 1), starts)  # (B, S, 1)

        # Context: current node, remaining capacity, graph embedding.
        query = cache.context.gather(1, current.expand(-1, -1, dim)) + remaining * cache.capacity_weight

        # Glimpse: one multi-head attention over the still-allowed nodes, heads in the batch.
        q = query.view(batch, starts, heads, -1).transpose(1, 2).reshape(batch * heads, starts, -1)
        compat = torch.bmm(q, cache.glimpse_key).view(batch, heads, starts, size)
        compat = torch.where(allowed[:, None], compat, cache.forbidden).softmax(-1)
        glimpse = torch.bmm(compat.view(batch * heads, starts, size), cache.glimpse_value)
        glimpse = glimpse.view(batch, heads, starts, -1).transpose(1, 2).reshape(batch, starts, dim)

        # Pointer: compatibility with each node, minus the learned distance term, clipped.
        score = torch.bmm(glimpse, cache.logit_key)  # (B, S, M)
        if cache.distance is not None:
            score = score - cache.distance.gather(1, current.expand(-1, -1, size))  # d(current, j)
        return flat_starts(torch.where(allowed, cache.clip * torch.tanh(score), cache.forbidden))
