"""Train a :class:`MatrixPolicy` with REINFORCE on a Lightning ``Trainer`` (what ``nco train`` runs)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint, TQDMProgressBar

from nco.errors import InputError
from nco.policies.checkpoint import read_policy
from nco.policies.labels import VAL_SHARDS, LabelShard, held_out
from nco.policies.model import ReinforceModule
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.policies.schedule import check_lr_final, cosine_scheduler
from nco.pools import training_pools


@dataclass
class TrainConfig:
    """What ``nco train`` needs; every field has a command-line flag of the same name.

    ``curriculum`` is ``[(num_loc, epochs), ...]``; ``pools`` are city pool names (or loaded
    pools) and default to the training cities of ``nco.pools.split()``. ``init`` starts from the
    weights (and config) of a policy checkpoint instead of a fresh ``policy`` (fine-tuning).
    ``val_labels`` is a label folder (``nco labels``) whose first ``val_shards`` shards
    (:func:`~nco.policies.labels.held_out`, as ``nco imitate`` holds them out; ``None``: all of
    them, for a folder held out whole, such as a validation city's) choose the best checkpoint
    by greedy gap. ``augment`` shows every training instance's map under a random
    symmetry of the square (:mod:`nco.policies.symmetry`). ``lr_final`` anneals the learning rate
    along a cosine from ``lr`` at the first step to ``lr_final`` at the last, as ``nco imitate
    --lr-final`` does by epoch (:mod:`nco.policies.schedule`; ``None`` keeps it constant), after
    ``warmup_steps`` steps of a linear rise from 0.
    """

    problem: str = "acvrp"
    curriculum: list[tuple[int, int]] = field(default_factory=lambda: [(20, 1)])
    batch_size: int = 64
    train_size: int = 6400
    val_size: int = 256
    lr: float = 1e-3
    lr_final: float | None = None
    warmup_steps: int = 0
    seed: int = 0
    baseline: str = "pomo"
    num_samples: int = 8
    pools: Sequence[Any] | None = None
    mode: str = "mixed"
    out: Path = Path("runs/policy")
    resume: bool = False
    accelerator: str = "cpu"
    devices: str | int = 1
    num_nodes: int = 1
    strategy: str = "auto"
    precision: str = "32-true"
    threads: int | None = None
    init: Path | None = None
    val_labels: Path | None = None
    val_shards: int | None = VAL_SHARDS
    augment: bool = False
    policy: PolicyConfig = field(default_factory=PolicyConfig)


def parse_curriculum(text: str, epochs: int) -> list[tuple[int, int]]:
    """``"20,50,100"`` splits ``epochs`` evenly (the remainder goes to the last stage);
    ``"20:2,50:4,100:10"`` gives each stage its own epoch count."""
    stages = []
    try:
        items = [item.split(":") for item in text.split(",") if item.strip()]
        explicit = all(len(item) == 2 for item in items)
        if not items or not (explicit or all(len(item) == 1 for item in items)):
            raise ValueError
        sizes = [int(item[0]) for item in items]
        if explicit:
            stages = [(size, int(item[1])) for size, item in zip(sizes, items)]
        else:
            share, extra = divmod(epochs, len(sizes))
            stages = [(size, share + (extra if i == len(sizes) - 1 else 0)) for i, size in enumerate(sizes)]
    except ValueError:
        raise InputError("curriculum", f"expected sizes like 20,50,100 or 20:2,50:4, got {text!r}") from None
    if any(size < 2 or count < 1 for size, count in stages):
        raise InputError("curriculum", f"need sizes >= 2 and at least one epoch per stage, got {stages}")
    return stages


def make_env_factory(cfg: TrainConfig):
    """``num_loc -> environment`` drawing training instances from the city pools.

    Each size gets its own seeded generator, so a run is reproducible from ``cfg.seed``.
    """
    from nco.envs import ACVRPEnv, ATSPEnv

    env_cls = {"acvrp": ACVRPEnv, "atsp": ATSPEnv}[cfg.problem]

    def make_env(num_loc: int):
        params = {"num_loc": num_loc, "pools": cfg.pools, "mode": cfg.mode, "seed": cfg.seed * 1000 + num_loc}
        return env_cls(generator_params=params)

    return make_env


def train(cfg: TrainConfig) -> Path:
    """Run REINFORCE along ``cfg.curriculum``; returns the path of the best exported policy.

    Writes into ``cfg.out``: ``metrics.csv`` (train/val cost per epoch), ``epoch_<k>.pt`` (every
    epoch), ``policy_last.pt`` and ``policy_best.pt`` (loadable with :func:`nco.load_policy`),
    ``last.ckpt`` (Lightning state for ``resume``) and ``train_config.json``. Starts from ``cfg.init``'s weights when given, else
    from a fresh ``MatrixPolicy(cfg.policy)``.
    """
    if cfg.pools is not None:  # a test city is refused by name, as ``nco labels`` refuses it
        training_pools([getattr(pool, "name", pool) for pool in cfg.pools])
    policy = None
    if cfg.init is not None:
        policy = read_policy(cfg.init)[0].train()
        cfg.policy = policy.config
    check_lr_final(cfg.lr, cfg.lr_final)
    if cfg.policy.problem != cfg.problem:
        raise InputError("problem", f"policy config is for {cfg.policy.problem!r}, training {cfg.problem!r}")
    out = Path(cfg.out)
    resume_from = out / "last.ckpt"
    if cfg.resume and not resume_from.is_file():
        raise InputError("resume", f"no {resume_from} to resume from")
    if not cfg.resume and (out / "metrics.csv").exists():
        raise InputError("out", f"{out} already holds a run; pass --resume or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    L.seed_everything(cfg.seed, workers=True, verbose=False)
    epochs = sum(count for _, count in cfg.curriculum)
    module = ReinforceModule(
        make_env_factory(cfg),
        policy or MatrixPolicy(cfg.policy),
        cfg.curriculum,
        baseline=cfg.baseline,
        num_samples=cfg.num_samples,
        out_dir=out,
        val_labels=[LabelShard.load(p) for p in held_out(cfg.val_labels, cfg.val_shards)[0]] if cfg.val_labels else None,
        augment=cfg.augment,
        batch_size=cfg.batch_size,
        val_batch_size=max(cfg.batch_size, 64),
        train_data_size=cfg.train_size,
        val_data_size=cfg.val_size,
        optimizer_kwargs={"lr": cfg.lr},
        **_schedule(cfg, epochs),
    )
    (out / "train_config.json").write_text(json.dumps(_jsonable(cfg), indent=2) + "\n")
    trainer = L.Trainer(
        max_epochs=epochs,
        accelerator=cfg.accelerator,
        devices=cfg.devices,
        num_nodes=cfg.num_nodes,
        strategy=cfg.strategy,
        precision=cfg.precision,
        gradient_clip_val=1.0,
        reload_dataloaders_every_n_epochs=1,
        num_sanity_val_steps=0,
        logger=L.pytorch.loggers.CSVLogger(out, name="lightning_logs"),
        callbacks=[ModelCheckpoint(dirpath=out, filename="last", every_n_epochs=1, enable_version_counter=False), TQDMProgressBar(refresh_rate=1)],
        enable_model_summary=False,
    )
    trainer.fit(module, ckpt_path=resume_from if cfg.resume else None)
    return out / "policy_best.pt"


def _schedule(cfg: TrainConfig, epochs: int) -> dict[str, Any]:
    """rl4co's learning-rate scheduler arguments for :func:`~nco.policies.schedule.cosine_scheduler`,
    stepped at every optimiser step."""
    if cfg.lr_final is None and not cfg.warmup_steps:
        return {}
    steps = epochs * math.ceil(cfg.train_size / cfg.batch_size)
    cosine = partial(cosine_scheduler, lr=cfg.lr, lr_final=cfg.lr_final, steps=steps, warmup=cfg.warmup_steps)
    return {"lr_scheduler": cosine, "lr_scheduler_kwargs": {}, "lr_scheduler_interval": "step"}


def _jsonable(cfg: TrainConfig) -> dict[str, Any]:
    data = {k: v for k, v in vars(cfg).items() if k != "policy"}
    for key in ("out", "init", "val_labels"):
        data[key] = None if data[key] is None else str(data[key])
    data["pools"] = None if cfg.pools is None else [getattr(p, "name", p) for p in cfg.pools]
    data["policy"] = cfg.policy.to_dict()
    data["torch_threads"] = torch.get_num_threads()
    return data
