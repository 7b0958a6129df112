"""Encoder that reads the road matrix: node features plus a learned attention bias from d_ij, d_ji.

Why an attention bias (and not MatNet row/column embeddings or RRNCO distance rows): it is
independent of the number of nodes (a small MLP on the two directed distances of each pair), so one
set of weights runs on n=20 and n=500 alike, it keeps the asymmetry (``d_ij`` and ``d_ji`` enter as
an ordered pair), and it costs one ``(B, M, M)`` pass that is shared by all layers.
``bench/policy.py`` and the model card compare it with a coordinate-only encoder.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

NODE_FEATURES = 4  # demand / capacity, depot flag, x, y


def node_features(td: Mapping[str, Tensor], use_coords: bool = True) -> Tensor:
    """Per-node input features ``(B, M, 4)``: demand fraction, depot flag and lon/lat in [0, 1].

    The depot's demand is 0; coordinates are zeroed when ``use_coords`` is False, so a model can be
    trained on the matrix alone (cities without coordinates).
    """
    locs = td["locs"]
    batch, size = locs.shape[:2]
    demand = torch.cat([locs.new_zeros(batch, 1), td["demand"].to(locs.dtype)], dim=1)
    depot = torch.zeros_like(demand)
    depot[:, 0] = 1.0
    coords = locs if use_coords else torch.zeros_like(locs)
    return torch.cat([demand[..., None], depot[..., None], coords], dim=-1)


class EdgeBias(nn.Module):
    """Per-head, per-layer attention bias ``f(d_ij, d_ji)`` from the normalised distance matrix."""

    def __init__(self, num_heads: int, num_layers: int, hidden: int = 32):
        super().__init__()
        self.num_heads = num_heads
        self.num_layers = num_layers
        self.mlp = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, num_heads * num_layers))

    def forward(self, dist: Tensor) -> list[Tensor]:
        """One ``(B, H, M, M)`` additive bias per layer."""
        pair = torch.stack([dist, dist.transpose(1, 2)], dim=-1)  # (B, M, M, 2): d_ij, d_ji
        bias = self.mlp(pair).permute(0, 3, 1, 2)  # (B, L*H, M, M)
        return list(bias.split(self.num_heads, dim=1))


class EncoderLayer(nn.Module):
    """Transformer layer (multi-head attention with additive bias + feed-forward, post-norm)."""

    def __init__(self, embed_dim: int, num_heads: int, ff_dim: int):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim, bias=False)
        self.out = nn.Linear(embed_dim, embed_dim)
        self.norm1 = nn.LayerNorm(embed_dim)
        self.ff = nn.Sequential(nn.Linear(embed_dim, ff_dim), nn.ReLU(), nn.Linear(ff_dim, embed_dim))
        self.norm2 = nn.LayerNorm(embed_dim)

    def forward(self, h: Tensor, bias: Tensor | None) -> Tensor:
        batch, size, dim = h.shape
        q, k, v = self.qkv(h).view(batch, size, 3, self.num_heads, dim // self.num_heads).permute(2, 0, 3, 1, 4)
        attn = F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        h = self.norm1(h + self.out(attn.transpose(1, 2).reshape(batch, size, dim)))
        return self.norm2(h + self.ff(h))


class MatrixEncoder(nn.Module):
    """Embeds every node of an instance; edges enter through :class:`EdgeBias`.

    Parameters
    ----------
    embed_dim, num_heads, num_layers, ff_dim
        Transformer sizes.
    use_coords
        Feed normalised lon/lat as node features.
    edge_bias
        Use the distance matrix in attention (False gives the coordinate-only ablation).
    """

    def __init__(
        self,
        embed_dim: int = 128,
        num_heads: int = 8,
        num_layers: int = 3,
        ff_dim: int = 512,
        use_coords: bool = True,
        edge_bias: bool = True,
    ):
        super().__init__()
        self.use_coords = use_coords
        self.init_embed = nn.Linear(NODE_FEATURES, embed_dim)
        self.edge_bias = EdgeBias(num_heads, num_layers) if edge_bias else None
        self.layers = nn.ModuleList(EncoderLayer(embed_dim, num_heads, ff_dim) for _ in range(num_layers))

    def forward(self, td: Mapping[str, Tensor]) -> Tensor:
        """Node embeddings ``(B, M, embed_dim)``."""
        h = self.init_embed(node_features(td, self.use_coords))
        biases = self.edge_bias(td["dist"]) if self.edge_bias is not None else [None] * len(self.layers)
        for layer, bias in zip(self.layers, biases):
            h = layer(h, bias)
        return h
