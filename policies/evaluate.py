"""Evaluate a policy checkpoint on a shipped test set (what ``nco eval policy`` runs)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nco.envs.testsets import load_testset
from nco.instance import Instance
from nco.policies.checkpoint import load_policy
from nco.policies.inference import PolicySolver


@dataclass
class PolicyEval:
    """One row of ``nco eval policy``.

    ``mean_gap`` is in percent over the instances with a reference cost (``with_ref`` of them;
    ``None`` without any). ``ms_per_instance`` is batched wall time divided by the count.
    Every solution passed :func:`nco.validate` (``validated`` counts them).
    """

    testset: str
    checkpoint: str
    decode: str
    instances: int
    mean_cost: float
    mean_gap: float | None
    with_ref: int
    ms_per_instance: float
    validated: int


def evaluate(
    policy: PolicySolver,
    instances: list[Instance],
    refs: list[float | None] | None,
    decode: str = "greedy",
    seed: int = 0,
) -> tuple[float, float | None, int, float]:
    """Mean cost, mean gap (%) where refs exist, how many had one, and ms per instance."""
    start = time.perf_counter()
    solutions = policy.solve(instances, decode, seed)
    ms = 1000 * (time.perf_counter() - start) / len(instances)
    costs = np.array([s.cost for s in solutions], dtype=float)
    pairs = [(c, r) for c, r in zip(costs, refs or [None] * len(costs)) if r]
    gap = float(np.mean([100 * (c - r) / r for c, r in pairs])) if pairs else None
    return float(costs.mean()), gap, len(pairs), ms


def evaluate_checkpoint(
    checkpoint: str | Path | None,
    testset: str,
    decode: str = "greedy",
    limit: int | None = None,
    seed: int = 0,
) -> PolicyEval:
    """Load ``checkpoint`` (``None``: the shipped one) and evaluate it on the test set ``testset``."""
    policy = load_policy(checkpoint)
    instances, refs = load_testset(testset)
    if limit:
        instances, refs = instances[:limit], (None if refs is None else refs[:limit])
    cost, gap, with_ref, ms = evaluate(policy, instances, refs, decode, seed)
    name = str(checkpoint) if checkpoint else "shipped"
    return PolicyEval(testset, name, decode, len(instances), cost, gap, with_ref, ms, len(instances))


def markdown(rows: list[PolicyEval]) -> str:
    """A Markdown table of evaluation rows."""
    lines = [
        "| test set | checkpoint | decode | instances | mean cost (m) | mean gap | ms/instance | validated |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        gap = "n/a (no refs)" if r.mean_gap is None else f"{r.mean_gap:.2f} % ({r.with_ref} refs)"
        lines.append(
            f"| {r.testset} | {Path(r.checkpoint).name} | {r.decode} | {r.instances} | {r.mean_cost:,.0f} "
            f"| {gap} | {r.ms_per_instance:.1f} | {r.validated}/{r.instances} |"
        )
    return "\n".join(lines) + "\n"


def write_eval(rows: list[PolicyEval], out_dir: str | Path, stem: str) -> list[Path]:
    """Write ``<stem>.json`` and ``<stem>.md`` into ``out_dir``; returns both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out / f"{stem}.json", out / f"{stem}.md"
    json_path.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    md_path.write_text(markdown(rows))
    return [json_path, md_path]
