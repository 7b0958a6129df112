"""Encoder that reads the road matrix: node features plus a learned attention bias from d_ij, d_ji.

Why an attention bias (and not MatNet row/column embeddings or RRNCO distance rows): it is
independent of the number of nodes (a small MLP on the two directed distances of each pair), so one
set of weights runs on n=20 and n=500 alike, it keeps the asymmetry (``d_ij`` and ``d_ji`` enter as
an ordered pair), and it costs one ``(B, M, M)`` pass per layer.
``bench/policy.py`` and the model card compare it with a coordinate-only encoder.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

NODE_FEATURES = 4  # demand / capacity, depot flag, x, y
BIAS_BLOCK_PAIRS = 2**14  # node pairs per block of the edge-bias MLP (2 MB of hidden activations)


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


def attention_scale(size: int, scale_from: int) -> float:
    """How much sharper attention is made on ``size`` nodes than on the ``scale_from`` nodes
    the policy was trained at: ``log(size) / log(scale_from)``, never below 1 (1 when off, 0).

    A softmax over more keys spreads its weight over more of them, so an encoder trained at
    n = 100 attends more diffusely at n = 500 than it ever learned to. Multiplying the logits
    by the ratio of log-sizes keeps the attention's entropy near the trained one (log-length
    scaling, as in length extrapolation of language models). On the training cities'
    validation labels it took the shipped policy's greedy gap from 11.5 to 10.0 % at n = 500
    and from 11.3 to 9.4 % at n = 900; exponents 1.5 and 2 of the ratio were worse.
    """
    if not scale_from or size <= scale_from:
        return 1.0
    return math.log(size) / math.log(scale_from)


class EdgeBias(nn.Module):
    """Per-head, per-layer attention bias ``f(d_ij, d_ji)`` from the normalised distance matrix."""

    def __init__(self, num_heads: int, num_layers: int, hidden: int = 32):
        super().__init__()
        self.num_heads = num_heads
        self.num_layers = num_layers
        self.mlp = nn.Sequential(nn.Linear(2, hidden), nn.ReLU(), nn.Linear(hidden, num_heads * num_layers))

    def forward(self, dist: Tensor, scale: float = 1.0) -> Iterator[Tensor]:
        """The ``(B, H, M, M)`` additive bias of each layer in turn, times ``scale`` (folded
        into the last linear layer's weights: no pass over the biases).

        Without autograd, one buffer is refilled for every layer, block by block (about
        :data:`BIAS_BLOCK_PAIRS` pairs of one instance), so a caller must be done with a bias
        before it asks for the next: fresh memory is slow (page faults cost ~1 ms per MB on the
        2-core VM, and all layers at once on the whole matrix made ~0.5 GB of it at n = 1000),
        so the blocks' hidden activations share one buffer too. With autograd, which keeps every
        activation anyway, all layers' biases come from one block.
        """
        batch, size, _ = dist.shape
        if torch.is_grad_enabled():
            yield from self._block(dist, slice(None), 0, size, scale=scale).split(self.num_heads, dim=1)
            return
        out = dist.new_empty(batch, self.num_heads, size, size)
        rows = max(1, BIAS_BLOCK_PAIRS // size)
        hidden = dist.new_empty(self.mlp[0].out_features, rows * size)
        for layer in range(self.num_layers):
            heads = slice(layer * self.num_heads, (layer + 1) * self.num_heads)
            for b, lo in itertools.product(range(batch), range(0, size, rows)):
                rows_out = out[b, :, lo : lo + rows].view(self.num_heads, -1)  # one strided matrix: filled in place
                self._block(dist[b : b + 1], heads, lo, lo + rows, hidden, rows_out, scale)
            yield out

    def _block(
        self,
        dist: Tensor,
        heads: slice,
        lo: int,
        hi: int,
        hidden: Tensor | None = None,
        out: Tensor | None = None,
        scale: float = 1.0,
    ) -> Tensor:
        """The bias of the output channels ``heads`` on rows ``lo:hi``, ``(B, heads, hi - lo, M)``.

        Channels-first (weights times pairs), so that each head's rows come out contiguous as
        attention reads them; the numbers equal those of the MLP applied pair by pair. With B = 1,
        ``hidden`` (a ``(32, >= rows * M)`` buffer) and ``out`` (``(heads, rows * M)``) receive the
        two products instead of new tensors.
        """
        first, second = self.mlp[0], self.mlp[2]
        pair = torch.stack([dist[:, lo:hi], dist.transpose(1, 2)[:, lo:hi]]).view(2, -1)  # d_ij, d_ji
        hidden = None if hidden is None else hidden[:, : pair.shape[1]]
        hidden = torch.addmm(first.bias[:, None], first.weight, pair, out=hidden).relu_()
        weight, offset = second.weight[heads], second.bias[heads, None]
        if scale != 1.0:
            weight, offset = weight * scale, offset * scale
        bias = torch.addmm(offset, weight, hidden, out=out)  # (heads, B * rows * M)
        return bias.view(len(bias), dist.shape[0], -1, dist.shape[2]).transpose(0, 1)


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

    def forward(self, h: Tensor, bias: Tensor | None, scale: float = 1.0) -> Tensor:
        """``scale`` multiplies the attention logits (:func:`attention_scale`); ``bias`` is
        expected scaled already."""
        batch, size, dim = h.shape
        head_dim = dim // self.num_heads
        q, k, v = self.qkv(h).view(batch, size, 3, self.num_heads, head_dim).permute(2, 0, 3, 1, 4)
        attn = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=scale / math.sqrt(head_dim))
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
    scale_from
        Sharpen attention on instances larger than this many nodes (:func:`attention_scale`;
        0: never).
    """

    def __init__(
        self,
        embed_dim: int = 128,
        num_heads: int = 8,
        num_layers: int = 3,
        ff_dim: int = 512,
        use_coords: bool = True,
        edge_bias: bool = True,
        scale_from: int = 0,
    ):
        super().__init__()
        self.use_coords = use_coords
        self.scale_from = scale_from
        self.init_embed = nn.Linear(NODE_FEATURES, embed_dim)
        self.edge_bias = EdgeBias(num_heads, num_layers) if edge_bias else None
        self.layers = nn.ModuleList(EncoderLayer(embed_dim, num_heads, ff_dim) for _ in range(num_layers))

    def forward(self, td: Mapping[str, Tensor]) -> Tensor:
        """Node embeddings ``(B, M, embed_dim)``."""
        h = self.init_embed(node_features(td, self.use_coords))
        scale = attention_scale(h.shape[1], self.scale_from)
        biases = self.edge_bias(td["dist"], scale) if self.edge_bias is not None else [None] * len(self.layers)
        for layer, bias in zip(self.layers, biases):
            h = layer(h, bias, scale)
        return h
