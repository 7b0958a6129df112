"""Policy checkpoints: weights plus a small JSON-able config, nothing pickled from a run."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from nco.errors import InputError
from nco.paths import CHECKPOINTS_DIR
from nco.policies.policy import MatrixPolicy, PolicyConfig

if TYPE_CHECKING:
    from nco.policies.inference import PolicySolver

FORMAT = "nco-policy/1"
DEFAULT_CHECKPOINT = CHECKPOINTS_DIR / "acvrp.pt"


def save_policy(path: str | Path, policy: MatrixPolicy, meta: dict[str, Any] | None = None) -> Path:
    """Write ``policy`` to ``path``: its state dict, its :class:`PolicyConfig` and ``meta``.

    ``meta`` must be JSON-able (training stage, instances seen, ...); it is informative only.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().clone() for k, v in policy.state_dict().items()}
    payload = {"format": FORMAT, "config": policy.config.to_dict(), "state_dict": state, "meta": meta or {}}
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)  # atomic: a reader never sees half a checkpoint
    return path


def read_policy(path: str | Path, device: str | torch.device = "cpu") -> tuple[MatrixPolicy, dict[str, Any]]:
    """Rebuild the policy stored at ``path`` (in eval mode) and return it with its meta data.

    Raises
    ------
    InputError
        When the file is missing or not an nco policy checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("checkpoint", f"no such file: {path}")
    try:
        # weights_only: plain tensors and JSON-like values only, so loading runs no pickled code.
        payload = torch.load(path, map_location=device, weights_only=True)
    except Exception as exc:  # torch raises several types for foreign or corrupt files
        raise InputError("checkpoint", f"{path} is not a readable torch file: {exc}") from exc
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise InputError("checkpoint", f"{path} is not an nco policy checkpoint ({FORMAT})")
    policy = MatrixPolicy(PolicyConfig.from_dict(payload["config"]))
    policy.load_state_dict(payload["state_dict"])
    return policy.to(device).eval(), dict(payload.get("meta", {}))


def load_policy(path: str | Path | None = None, device: str | torch.device = "cpu") -> PolicySolver:
    """Load a trained policy, ready to solve :class:`nco.Instance` objects.

    Parameters
    ----------
    path
        A checkpoint written by :func:`save_policy` (``nco train`` writes ``policy_best.pt``);
        ``None`` loads the shipped ACVRP checkpoint.
    device
        Torch device to run on (CPU by default).

    Returns
    -------
    PolicySolver
        With ``solve(instances, decode=...)`` and ``best_k(instance, k, seed)``.
    """
    from nco.policies.inference import PolicySolver

    policy, meta = read_policy(DEFAULT_CHECKPOINT if path is None else path, device)
    return PolicySolver(policy, meta, device)


@cache
def shipped_policy(problem: str = "acvrp") -> PolicySolver:
    """The shipped checkpoint for ``problem`` (ACVRP's when there is none), loaded once per
    process: loading costs far more than a greedy rollout, and the policy is only read
    afterwards, so threads may share it. Its ``meta["id"]`` names the file and its digest.

    Raises
    ------
    InputError
        When the shipped checkpoint is missing or unreadable.
    """
    path = CHECKPOINTS_DIR / f"{problem}.pt"
    path = path if path.is_file() else DEFAULT_CHECKPOINT
    solver = load_policy(path)
    solver.warm_up()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    solver.meta["id"] = f"{path.name}@sha256:{digest}"
    return solver
