"""REINFORCE on Lightning (through rl4co) for :class:`MatrixPolicy`, with a size curriculum."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rl4co.envs import RL4COEnvBase
from rl4co.models.rl.reinforce.reinforce import REINFORCE

from nco.errors import InputError
from nco.policies.checkpoint import save_policy
from nco.policies.curve import append_row
from nco.policies.imitation import greedy_gap
from nco.policies.labels import LabelShard
from nco.policies.policy import MatrixPolicy
from nco.policies.reinforce import pomo_loss
from nco.policies.symmetry import randomly_transformed

BASELINES = ("shared", "pomo", "rollout", "exponential")


def stage_sizes(curriculum: list[tuple[int, int]]) -> list[int]:
    """Expand ``[(num_loc, epochs), ...]`` to the instance size of every epoch."""
    return [size for size, epochs in curriculum for _ in range(epochs)]


class ReinforceModule(REINFORCE):
    """REINFORCE for the matrix policy; the environment changes size along a curriculum.

    Parameters
    ----------
    make_env
        ``make_env(num_loc) -> environment`` (its generator samples the training instances).
    policy
        The policy to train.
    curriculum
        ``[(num_loc, epochs), ...]``: train that many epochs at each size, in order.
    baseline
        ``"shared"``: ``num_samples`` rollouts per instance, their mean is the baseline;
        ``"pomo"``: the same with the first move forced to ``num_samples`` different customers;
        ``"rollout"``: greedy rollout of a frozen copy (rl4co's RolloutBaseline);
        ``"exponential"``: moving average of the reward.
    num_samples
        Rollouts per instance for the shared/pomo baselines.
    out_dir
        Where ``metrics.csv`` and the exported ``policy_last.pt``/``policy_best.pt`` go.
    val_labels
        Held-out label shards (training cities, :mod:`nco.policies.labels`): after every epoch
        the greedy gap to their labels goes to ``val_gap.csv`` and chooses ``policy_best.pt``,
        the measure ``nco imitate`` selects on; without them the validation cost chooses.
    augment
        Show each training instance's map under a random one of the square's eight symmetries
        (:mod:`nco.policies.symmetry`): the matrix, and so the reward, stays the same.
    **kwargs
        Passed to rl4co's module: ``batch_size``, ``train_data_size``, ``val_data_size``,
        ``optimizer_kwargs``...
    """

    def __init__(
        self,
        make_env: Callable[[int], RL4COEnvBase],
        policy: MatrixPolicy,
        curriculum: list[tuple[int, int]],
        baseline: str = "shared",
        num_samples: int = 8,
        out_dir: str | Path = ".",
        val_labels: list[LabelShard] | None = None,
        augment: bool = False,
        **kwargs: Any,
    ):
        if baseline not in BASELINES:
            raise InputError("baseline", f"unknown baseline {baseline!r}; expected one of {BASELINES}")
        if baseline in ("shared", "pomo") and num_samples < 2:
            raise InputError("num_samples", "the shared baseline needs at least 2 rollouts per instance")
        self.sizes = stage_sizes(curriculum)
        self.make_env = make_env
        rl4co_baseline = "shared" if baseline == "pomo" else baseline
        metrics = {"train": ["loss", "cost"], "val": ["cost"], "test": ["cost"]}
        # Rollout/exponential baselines see raw metres: rl4co's running normalisation of the
        # advantage keeps the step size independent of the city's scale.
        reward_scale = None if rl4co_baseline == "shared" else "norm"
        super().__init__(
            make_env(self.sizes[0]), policy, rl4co_baseline, reward_scale=reward_scale, metrics=metrics, **kwargs
        )
        # rl4co records every init argument (the env with its city pools, the policy) as hparams,
        # which Lightning would pickle into each checkpoint; keep only plain values.
        self.hparams.clear()
        hparams = {"curriculum": curriculum, "baseline": baseline, "num_samples": num_samples, "augment": augment}
        hparams.update(self.data_cfg)
        self.save_hyperparameters(hparams, logger=False)
        self.baseline_name = baseline
        self.num_samples = num_samples
        self.out_dir = Path(out_dir)
        self._train_costs: list[float] = []
        self.val_labels = val_labels
        self.augment = augment
        self._best = (0, float("inf"))  # (num_loc, best val gap, else val cost, at that size)
        self._started = time.monotonic()
        self._wall_before = 0.0  # seconds trained before a resume

    # --- data along the curriculum -------------------------------------------------------------
    def _sync_size(self) -> None:
        """Switch the environment (and regenerate data) when the epoch enters a new stage."""
        size = self.sizes[min(self.current_epoch, len(self.sizes) - 1)]
        if size == self.env.generator.num_loc and hasattr(self, "train_dataset"):
            return
        self.env = self.make_env(size)
        self.train_dataset = self.wrap_dataset(self.env.dataset(self.data_cfg["train_data_size"], phase="train"))
        self.val_dataset = self.env.dataset(self.data_cfg["val_data_size"], phase="val")
        if self.baseline_name == "rollout":  # its evaluation set must have the new size too
            self.post_setup_hook()

    def train_dataloader(self):
        self._sync_size()
        return super().train_dataloader()

    def val_dataloader(self):
        self._sync_size()
        return super().val_dataloader()

    def on_train_epoch_start(self) -> None:
        self.policy.train()  # the rollout baseline's evaluation leaves it in eval mode

    # --- one step ------------------------------------------------------------------------------
    def shared_step(self, batch: Any, batch_idx: int, phase: str, dataloader_idx: int | None = None):
        td = self.env.reset(batch)
        if phase == "train" and self.augment:
            td["locs"] = randomly_transformed(td["locs"])
        if phase != "train":
            out = self.policy(td, self.env, decode_type="greedy")
        elif self.baseline_name in ("shared", "pomo"):
            k = self.num_samples
            if self.baseline_name == "pomo":
                out = self.policy(td, self.env, decode_type="multistart_sampling", num_starts=k)
            else:
                out = self.policy(td, self.env, decode_type="sampling", num_samples=k)
            out["loss"] = pomo_loss(out["reward"], out["log_likelihood"], k)  # shared baseline
        else:
            out = self.policy(td, self.env, decode_type="sampling")
            out = self.calculate_loss(td, batch, out)
        out["cost"] = -out["reward"]  # metres: what the progress bar and CSV show
        if phase == "train":
            self._train_costs.append(out["cost"].mean().item())
        metrics = self.log_metrics(out, phase, dataloader_idx=dataloader_idx)
        return {"loss": out.get("loss", None), **metrics}

    # --- per-epoch log and exports ---------------------------------------------------------------
    def on_train_epoch_end(self) -> None:
        size = self.env.generator.num_loc
        val = self.trainer.callback_metrics.get("val/cost")
        val_cost = float(val) if val is not None else float("nan")
        train_cost = sum(self._train_costs) / max(len(self._train_costs), 1)
        self._train_costs = []
        instances = self.global_step * self.data_cfg["batch_size"] * self.trainer.world_size
        row = {
            "epoch": self.current_epoch,
            "num_loc": size,
            "steps": self.global_step,
            "instances_seen": instances,
            "train_cost": round(train_cost, 1),
            "val_cost": round(val_cost, 1),
            "wall_s": round(self._wall(), 1),
        }
        if self.trainer.is_global_zero:
            append_row(self.out_dir / "metrics.csv", row)
        # Only nco's own policy has a checkpoint format (the bench also trains rl4co's AM here).
        if self.trainer.is_global_zero and isinstance(self.policy, MatrixPolicy):
            meta = {k: row[k] for k in ("epoch", "num_loc", "steps", "instances_seen", "val_cost")}
            score = val_cost
            if self.val_labels:
                score = meta["val_gap"] = round(greedy_gap(self.policy, self.val_labels), 3)
                curve = {k: row[k] for k in ("epoch", "steps", "instances_seen", "wall_s")}
                append_row(self.out_dir / "val_gap.csv", {**curve, "val_gap": score})
            save_policy(self.out_dir / "policy_last.pt", self.policy, meta)
            # Every epoch kept: a larger validation set can choose again later (bench/policy.py --curve).
            save_policy(self.out_dir / f"epoch_{self.current_epoch}.pt", self.policy, meta)
            # A cost in metres grows with the size, so the best restarts at a new size; a gap to
            # labels compares across sizes (a curriculum may alternate them).
            if score < self._best[1] or (size != self._best[0] and not self.val_labels):
                self._best = (size, score)
                save_policy(self.out_dir / "policy_best.pt", self.policy, meta)
        super().on_train_epoch_end()

    def _wall(self) -> float:
        """Seconds of training so far, across resumes."""
        return self._wall_before + time.monotonic() - self._started

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        checkpoint["nco_best"] = self._best
        checkpoint["nco_wall"] = self._wall()

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        self._best = tuple(checkpoint.get("nco_best", self._best))
        self._wall_before = checkpoint.get("nco_wall", 0.0)

