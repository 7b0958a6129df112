"""Attention-model pointer decoder with a distance-from-current-node term in the logits."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from tensordict import TensorDict
from torch import Tensor, nn


@dataclass
class DecoderCache:
    """Per-instance projections computed once after encoding (batch ``B``, not ``B * starts``)."""

    nodes: Tensor  # (B, M, D) node embeddings
    graph_query: Tensor  # (B, D) projected mean embedding
    glimpse_key: Tensor  # (B, H, M, D/H)
    glimpse_value: Tensor  # (B, H, M, D/H)
    logit_key: Tensor  # (B, M, D)


def by_start(x: Tensor, starts: int) -> Tensor:
    """``(S * B, ...)`` rows in rl4co's batchify order (start-major) -> ``(B, S, ...)``."""
    return x.view(starts, x.shape[0] // starts, *x.shape[1:]).transpose(0, 1)


def flat_starts(x: Tensor) -> Tensor:
    """Inverse of :func:`by_start`: ``(B, S, ...)`` -> ``(S * B, ...)``."""
    return x.transpose(0, 1).reshape(x.shape[0] * x.shape[1], *x.shape[2:])


class PointerDecoder(nn.Module):
    """One decoding step: context -> glimpse over nodes -> masked pointer logits.

    The context is the current node's embedding, the remaining capacity and the graph (mean)
    embedding, as in the attention model. The pointer score of node ``j`` is
    ``C * tanh(q . k_j / sqrt(D) - w * log(M) * d(current, j))``: the learned distance term lets
    the policy see the real (asymmetric) cost of the next move directly; ``log(M)`` keeps its weight
    comparable across instance sizes, since the normalised nearest-neighbour distance shrinks with n.
    """

    def __init__(self, embed_dim: int = 128, num_heads: int = 8, tanh_clipping: float = 10.0, distance_term: bool = True):
        super().__init__()
        self.num_heads = num_heads
        self.tanh_clipping = tanh_clipping
        self.project_graph = nn.Linear(embed_dim, embed_dim, bias=False)
        self.project_step = nn.Linear(embed_dim + 1, embed_dim, bias=False)
        self.project_nodes = nn.Linear(embed_dim, 3 * embed_dim, bias=False)
        self.project_out = nn.Linear(embed_dim, embed_dim, bias=False)
        # softplus(0.5413) = 1: start with a unit weight on the normalised distance.
        self.distance_weight = nn.Parameter(torch.tensor(0.5413)) if distance_term else None

    def precompute(self, nodes: Tensor) -> DecoderCache:
        batch, size, dim = nodes.shape
        key, value, logit_key = self.project_nodes(nodes).chunk(3, dim=-1)
        key, value = (x.view(batch, size, self.num_heads, -1).transpose(1, 2) for x in (key, value))
        return DecoderCache(nodes, self.project_graph(nodes.mean(1)), key, value, logit_key)

    def forward(self, td: TensorDict, cache: DecoderCache, num_starts: int = 0) -> tuple[Tensor, Tensor]:
        """Logits and action mask, both ``(S * B, M)``, for the state ``td`` (start-major rows)."""
        starts = max(num_starts, 1)
        batch, size, dim = cache.nodes.shape
        current = by_start(td["current_node"].reshape(-1), starts)  # (B, S)
        mask = by_start(td["action_mask"], starts)  # (B, S, M)
        remaining = 1.0 - by_start(td["used_capacity"].reshape(-1, 1), starts)  # (B, S, 1)

        # Context: current node, remaining capacity, graph embedding.
        here = cache.nodes.gather(1, current[..., None].expand(-1, -1, dim))  # (B, S, D)
        query = cache.graph_query[:, None] + self.project_step(torch.cat([here, remaining], -1))

        # Glimpse: one multi-head attention over the still-allowed nodes.
        q = query.view(batch, starts, self.num_heads, -1).transpose(1, 2)  # (B, H, S, D/H)
        compat = q @ cache.glimpse_key.transpose(-2, -1) / math.sqrt(q.shape[-1])
        compat = compat.masked_fill(~mask[:, None], float("-inf"))
        glimpse = (compat.softmax(-1) @ cache.glimpse_value).transpose(1, 2).reshape(batch, starts, dim)

        # Pointer: compatibility with each node, minus the learned distance term, clipped.
        score = self.project_out(glimpse) @ cache.logit_key.transpose(-2, -1) / math.sqrt(dim)  # (B, S, M)
        if self.distance_weight is not None:
            rows = td["dist"].gather(1, td["current_node"].reshape(-1, 1, 1).expand(-1, 1, size)).squeeze(1)
            score = score - nn.functional.softplus(self.distance_weight) * math.log(size) * by_start(rows, starts)
        logits = self.tanh_clipping * torch.tanh(score)
        return flat_starts(logits), flat_starts(mask)
