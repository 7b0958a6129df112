"""The matrix-aware attention policy: encoder, pointer decoder, and the decoding loop."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from rl4co.envs import RL4COEnvBase
from rl4co.utils.decoding import get_decoding_strategy
from tensordict import TensorDict
from torch import Tensor, nn

from nco.errors import InputError
from nco.policies.decoder import PointerDecoder
from nco.policies.encoder import MatrixEncoder

PROBLEMS = ("acvrp", "atsp")


@dataclass(frozen=True)
class PolicyConfig:
    """Everything needed to rebuild a policy besides its weights (stored in checkpoints as JSON).

    Parameters
    ----------
    problem
        ``"acvrp"`` or ``"atsp"``.
    embed_dim, num_heads, num_layers, ff_dim
        Transformer sizes of the encoder (the decoder shares ``embed_dim``/``num_heads``).
    use_coords
        Feed lon/lat (scaled to [0, 1] per instance) as node features.
    edge_bias
        Attention bias from ``(d_ij, d_ji)`` in the encoder.
    distance_term
        Distance-from-current-node term in the pointer logits.
    tanh_clipping
        Logit clipping ``C`` of the pointer.
    """

    problem: str = "acvrp"
    embed_dim: int = 128
    num_heads: int = 8
    num_layers: int = 3
    ff_dim: int = 512
    use_coords: bool = True
    edge_bias: bool = True
    distance_term: bool = True
    tanh_clipping: float = 10.0

    def __post_init__(self) -> None:
        if self.problem not in PROBLEMS:
            raise InputError("problem", f"unknown problem {self.problem!r}; expected one of {PROBLEMS}")
        if self.embed_dim % self.num_heads:
            raise InputError("embed_dim", f"{self.embed_dim} is not divisible by num_heads={self.num_heads}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PolicyConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError("config", f"unknown policy config keys {unknown}")
        return cls(**data)


class MatrixPolicy(nn.Module):
    """Encoder-decoder attention policy over the road matrix (ACVRP and ATSP).

    The policy owns only parameters and decoding; the environment owns masks and reward.
    ``decode_type`` is one of rl4co's strategies: ``"greedy"``, ``"sampling"``,
    ``"multistart_greedy"``, ``"multistart_sampling"`` (POMO: the first move goes to
    ``num_starts`` different customers). ``num_samples`` > 1 with ``"sampling"`` draws that many
    independent rollouts per instance. Rows of the outputs are start-major, as rl4co's ``batchify``.
    """

    def __init__(self, config: PolicyConfig = PolicyConfig()):
        super().__init__()
        self.config = config
        self.encoder = MatrixEncoder(
            config.embed_dim, config.num_heads, config.num_layers, config.ff_dim, config.use_coords, config.edge_bias
        )
        self.decoder = PointerDecoder(config.embed_dim, config.num_heads, config.tanh_clipping, config.distance_term)

    def forward(
        self,
        td: TensorDict,
        env: RL4COEnvBase,
        decode_type: str = "sampling",
        num_starts: int = 0,
        num_samples: int = 0,
        select_best: bool = False,
    ) -> dict[str, Tensor]:
        """Roll out the policy on a reset state ``td``; returns reward, log-likelihood and actions.

        The input ``td`` is left untouched (rl4co environments step in place), so one reset state
        can be decoded several times. ``select_best`` keeps only the best rollout per instance.
        """
        td = td.clone()
        strategy = get_decoding_strategy(
            decode_type, num_starts=num_starts or None, num_samples=num_samples or None, select_best=select_best
        )
        cache = self.decoder.precompute(self.encoder(td))
        td, env, starts = strategy.pre_decoder_hook(td, env)
        while not td["done"].all():
            logits, mask = self.decoder(td, cache, starts)  # context -> masked logits
            td = strategy.step(logits, mask, td)  # greedy or sample
            td = env.step(td)["next"]  # update state
        logprobs, actions, td, env = strategy.post_decoder_hook(td, env)
        return {"reward": env.get_reward(td, actions), "log_likelihood": logprobs.sum(1), "actions": actions}
