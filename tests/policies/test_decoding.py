"""The fast decoding path computes what the plain one did: same greedy routes, same rules.

``reference_greedy`` is the decoding as it was written before the speed-ups (the edge-bias MLP
pair by pair on the whole matrix, matmul on the strided keys, masked_fill, the functional
dynamics); the policy must choose the same actions on the shipped test sets.
"""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor

from nco.envs import dynamics
from nco.envs.convert import instances_to_tensors
from nco.envs.testsets import load_testset
from nco.policies.checkpoint import shipped_policy
from nco.policies.encoder import attention_scale, node_features
from nco.policies.policy import MatrixPolicy, sampled


def reference_greedy(policy: MatrixPolicy, td: dict[str, Tensor], problem: str) -> tuple[Tensor, Tensor]:
    """Greedy actions ``(B, T)`` and log-likelihoods ``(B,)``, computed the straightforward way."""
    encoder, decoder = policy.encoder, policy.decoder
    state = dynamics.reset(td, problem)
    dist = state["dist"]
    scale = attention_scale(dist.shape[1], encoder.scale_from)
    bias = encoder.edge_bias.mlp(torch.stack([dist, dist.transpose(1, 2)], -1)).permute(0, 3, 1, 2) * scale
    nodes = encoder.init_embed(node_features(state, encoder.use_coords))
    for layer, layer_bias in zip(encoder.layers, bias.split(encoder.edge_bias.num_heads, 1)):
        nodes = layer(nodes, layer_bias, scale)
    batch, size, dim = nodes.shape
    heads = decoder.num_heads
    key, value, logit_key = decoder.project_nodes(nodes).chunk(3, -1)
    key, value = (x.view(batch, size, heads, -1).transpose(1, 2) for x in (key, value))
    key = key.transpose(-2, -1) * scale / math.sqrt(dim // heads)
    logit_key = (logit_key @ decoder.project_out.weight).transpose(1, 2) / math.sqrt(dim)
    context = decoder.project_graph(nodes.mean(1))[:, None] + nodes @ decoder.project_step.weight[:, :dim].T
    distance = F.softplus(decoder.distance_weight) * math.log(size) * dist
    chosen, logprob = [], torch.zeros(batch)
    while not state["done"].all():
        current, blocked = state["current_node"][..., None], ~state["action_mask"][:, None]  # (B, 1, 1), (B, 1, M)
        remaining = 1.0 - state["used_capacity"][..., None]
        query = context.gather(1, current.expand(-1, -1, dim)) + remaining * decoder.project_step.weight[:, dim]
        compat = (query.view(batch, 1, heads, -1).transpose(1, 2) @ key).masked_fill(blocked[:, None], -math.inf)
        glimpse = (compat.softmax(-1) @ value).transpose(1, 2).reshape(batch, 1, dim)
        score = glimpse @ logit_key - distance.gather(1, current.expand(-1, -1, size))
        logits = (decoder.tanh_clipping * torch.tanh(score)).masked_fill(blocked, -math.inf)[:, 0]
        logp = logits.log_softmax(-1)
        action = logp.argmax(-1)
        logprob = logprob + logp.gather(1, action[:, None]).squeeze(1)
        state |= dynamics.step(state, action, problem)
        chosen.append(action)
    return torch.stack(chosen, 1), logprob


def assert_same_greedy(policy: MatrixPolicy, td: dict[str, Tensor], problem: str = "acvrp") -> None:
    expected, expected_logprob = reference_greedy(policy, td, problem)
    out = policy(td, decode_type="greedy", problem=problem)
    assert torch.equal(out["actions"], expected)
    torch.testing.assert_close(out["log_likelihood"], expected_logprob, rtol=1e-5, atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("testset, batched", [("acvrp_n100_unseen", True), ("acvrp_n500_unseen", False)])
def test_shipped_greedy_routes_are_unchanged(testset, batched):
    """Every instance of the test set, decoded as PolicySolver does (a set of equal sizes in one
    batch; one instance alone, as ``solutions`` does), under inference mode like the solver."""
    policy = shipped_policy("acvrp").policy
    instances, _ = load_testset(testset)
    groups = [instances] if batched else [[instance] for instance in instances]
    with torch.inference_mode():
        for group in groups:
            assert_same_greedy(policy, instances_to_tensors(group, "acvrp"))


@pytest.mark.parametrize("problem", ["acvrp", "atsp"])
@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("scale_from", [0, 21])
def test_greedy_matches_reference_with_and_without_autograd(tiny, sample, problem, grad, scale_from):
    """Both encoder paths (blocked into one buffer without autograd, whole with it), with and
    without the attention sharpened for a size beyond the trained one (41 nodes > 21)."""
    torch.manual_seed(0)
    policy = MatrixPolicy(dataclasses.replace(tiny, scale_from=scale_from))
    td = instances_to_tensors(sample(40, 4, problem), problem)
    with torch.set_grad_enabled(grad):
        assert_same_greedy(policy, td, problem)


@pytest.mark.parametrize("problem", ["acvrp", "atsp"])
@pytest.mark.parametrize("rows", [1, 6])
def test_rollout_steps_like_the_functional_dynamics(sample, problem, rows):
    """Random allowed actions until every row is done: the in-place rollout and ``step`` agree
    on every key the policy reads, after every action."""
    generator = torch.Generator().manual_seed(rows)
    state = dynamics.reset(instances_to_tensors(sample(30, rows, problem, seed=rows), problem), problem)
    rollout = dynamics.Rollout(state, problem)
    while not state["done"].all():
        action = state["action_mask"].float().multinomial(1, generator=generator)[:, 0]
        state |= dynamics.step(state, action, problem)
        rollout.step(action)
        for key, value in rollout.state.items():
            assert torch.equal(value.reshape(state[key].shape), state[key]), key


def test_attention_scale_is_the_log_size_ratio_beyond_the_trained_size():
    assert attention_scale(500, 0) == 1.0  # off
    assert attention_scale(51, 101) == attention_scale(101, 101) == 1.0  # never blunter than trained
    assert attention_scale(1001, 101) == pytest.approx(math.log(1001) / math.log(101))


def test_sampling_follows_the_probabilities_and_never_a_forbidden_move():
    torch.manual_seed(0)
    # Forbidden moves first, between and last: the cumulative sum is flat across them.
    logits = torch.tensor([-math.inf, 0.0, -math.inf, 1.0, 2.0, -math.inf]).repeat(100_000, 1)
    drawn = sampled(logits.log_softmax(-1)).view(-1)
    share = torch.bincount(drawn, minlength=6) / len(drawn)
    assert share[[0, 2, 5]].sum() == 0
    torch.testing.assert_close(share, logits[0].softmax(-1), atol=0.01, rtol=0)
    one_move = torch.full((3, 4), -math.inf).index_fill(1, torch.tensor([2]), 0.0)
    assert sampled(one_move).view(-1).tolist() == [2, 2, 2]
