"""Run a trained policy on :class:`nco.Instance` objects: :class:`PolicySolver`."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from rl4co.envs import RL4COEnvBase

from nco.envs import ENVS, CityGenerator, actions_to_routes, instances_to_td
from nco.errors import InputError
from nco.instance import Instance
from nco.policies.policy import MatrixPolicy
from nco.solution import Solution
from nco.validate import check, validated_solution

# Rows of a decoding batch carry the (M, M) float32 matrices twice (normalised and raw);
# chunks stay under this many bytes so that n=500 with many samples fits in memory.
CHUNK_BYTES = 256 * 2**20
MAX_STARTS = 64  # POMO starts per instance in "multistart" (all customers up to this)


def problem_of(instance: Instance) -> str:
    """``"atsp"`` for one vehicle without demands, ``"acvrp"`` otherwise.

    Raises
    ------
    InputError
        For time windows, which the policy does not model.
    """
    if instance.has_time_windows:
        raise InputError("time_windows", "the policy solves ACVRP and ATSP; time windows are not supported")
    if instance.num_vehicles == 1 and not instance.demands.any():
        return "atsp"
    return "acvrp"


def parse_decode(decode: str) -> tuple[str, int]:
    """``"greedy"`` -> (greedy, 1); ``"sample:K"`` -> (sample, K); ``"multistart[:S]"`` -> (multistart, S or 0).

    Raises
    ------
    InputError
        For anything else.
    """
    kind, _, count = decode.partition(":")
    try:
        if kind == "greedy" and not count:
            return "greedy", 1
        if kind == "sample" and int(count) >= 1:
            return "sample", int(count)
        if kind == "multistart":
            return "multistart", int(count) if count else 0
    except ValueError:
        pass
    raise InputError("decode", f"expected greedy, sample:K or multistart[:S], got {decode!r}")


def inference_env(env_cls: type[RL4COEnvBase]) -> RL4COEnvBase:
    """An environment of ``env_cls`` for stepping given data only.

    Its generator loads city pools only when asked to sample, which inference never does, so
    this works without the shipped training cities.
    """
    return env_cls(generator=CityGenerator(1, env_cls.name))


class PolicySolver:
    """A loaded policy that solves instances (what :func:`nco.load_policy` returns).

    Parameters
    ----------
    policy
        The trained network.
    meta
        The checkpoint's meta data (training stage, instances seen, ...).
    device
        Where to run (CPU by default).
    envs
        Environment per problem; by default nco's ACVRP and ATSP envs (the ablation bench passes
        its own to run rl4co's coordinate-only attention model through the same code).
    """

    def __init__(
        self,
        policy: MatrixPolicy,
        meta: dict[str, Any] | None = None,
        device: str | torch.device = "cpu",
        envs: dict[str, RL4COEnvBase] | None = None,
    ):
        self.policy = policy.to(device).eval()
        self.meta = dict(meta or {})
        self.device = torch.device(device)
        self.envs = envs or {problem: inference_env(ENVS[problem]) for problem in ("acvrp", "atsp")}

    def solve(self, instances: Instance | Sequence[Instance], decode: str = "greedy", seed: int = 0) -> list[Solution]:
        """Solve each instance; equal-size instances are decoded together in batches.

        Parameters
        ----------
        instances
            One instance or several (any sizes, ACVRP or ATSP).
        decode
            ``"greedy"``; ``"sample:K"`` (best of K samples); ``"multistart"`` (POMO: greedy from
            every first customer, at most 64, or ``"multistart:S"``; best kept).
        seed
            Seed of the sampling.

        Returns
        -------
        list[Solution]
            Validated, in input order; ``runtime`` is the batch's time shared per instance.
        """
        instances = [instances] if isinstance(instances, Instance) else list(instances)
        kind, count = parse_decode(decode)
        solutions: list[Solution | None] = [None] * len(instances)
        for group in self._groups(instances):
            batch = [instances[i] for i in group]
            start = time.perf_counter()
            actions, _ = self._decode(batch, kind, count, seed, keep=1)
            runtime = (time.perf_counter() - start) / len(batch)
            for i, inst, acts in zip(group, batch, actions):
                routes = actions_to_routes(acts[0])
                solutions[i] = validated_solution(inst, routes, "policy", runtime, {"decode": decode})
        return solutions  # type: ignore[return-value]

    def best_k(self, instance: Instance, k: int, seed: int = 0) -> list[list[list[int]]]:
        """Up to ``k`` distinct route sets for ``instance``, best first (the GA's initial population).

        Pools greedy, then POMO multistart (up to 64 first customers), then rounds of sampling,
        stopping as soon as ``k`` distinct solutions (the same routes in any order count once)
        are in hand, and sorts by cost. Fewer than ``k`` come back only when the policy found no
        more in four rounds of sampling (tiny instances).
        """
        if k < 1:
            raise InputError("k", f"must be at least 1, got {k}")
        found: dict[tuple, tuple[float, list[list[int]]]] = {}
        rounds = [("greedy", 1), ("multistart", 0)] + [("sample", max(2 * k, 16))] * 4
        for r, (kind, count) in enumerate(rounds):
            actions, costs = self._decode([instance], kind, count, seed + r, keep=None)
            for acts, cost in zip(actions[0], costs[0]):
                routes = actions_to_routes(acts)
                found.setdefault(tuple(sorted(map(tuple, routes))), (cost, routes))
            if len(found) >= k:
                break
        ranked = [routes for _, routes in sorted(found.values(), key=lambda item: item[0])[:k]]
        for routes in ranked:  # the env's reward is the validator's cost; nothing leaves unchecked
            check(instance, routes)
        return ranked

    # --- batched decoding ----------------------------------------------------------------------
    @staticmethod
    def _groups(instances: list[Instance]) -> list[list[int]]:
        groups: dict[tuple[str, int], list[int]] = {}
        for i, inst in enumerate(instances):
            groups.setdefault((problem_of(inst), inst.num_customers), []).append(i)
        return list(groups.values())

    @torch.no_grad()
    def _decode(
        self, batch: list[Instance], kind: str, count: int, seed: int, keep: int | None
    ) -> tuple[list[list[np.ndarray]], list[list[float]]]:
        """Rollouts for equal-size instances: per instance, action sequences and costs, best first
        (the ``keep`` best, or all)."""
        problem = problem_of(batch[0])
        env = self.envs[problem]
        customers = batch[0].num_customers
        rollouts = count
        if kind == "multistart":
            rollouts = min(customers, count or MAX_STARTS)
        size = customers + 1
        per_chunk = max(1, CHUNK_BYTES // (8 * size * size * max(rollouts, 1)))
        actions_out, costs_out = [], []
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for lo in range(0, len(batch), per_chunk):
                chunk = batch[lo : lo + per_chunk]
                td = env.reset(instances_to_td(chunk, problem).to(self.device))
                out = self.policy(td, env, **self._decode_args(kind, rollouts))
                costs = (-out["reward"]).view(rollouts, len(chunk)).T.cpu()  # start-major rows
                acts = out["actions"].view(rollouts, len(chunk), -1).transpose(0, 1).cpu()
                for c in range(len(chunk)):
                    order = costs[c].argsort()[:keep]
                    actions_out.append([acts[c, j].numpy() for j in order])
                    costs_out.append([float(costs[c, j]) for j in order])
        return actions_out, costs_out

    @staticmethod
    def _decode_args(kind: str, rollouts: int) -> dict[str, Any]:
        if kind == "greedy":
            return {"decode_type": "greedy"}
        if kind == "multistart":
            return {"decode_type": "multistart_greedy", "num_starts": rollouts}
        if rollouts == 1:
            return {"decode_type": "sampling"}
        return {"decode_type": "sampling", "num_samples": rollouts}
