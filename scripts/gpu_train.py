"""POMO REINFORCE for one GPU (or the CPU) under a wall-clock budget; writes the checkpoints.

Fine-tunes a :class:`~nco.policies.policy.MatrixPolicy` checkpoint on ACVRP (or ATSP)
instances sampled from the training cities' pools (``nco.pools.split()["train"]``; the
held-out cities are never drawn). Each step samples ``--batch-size`` instances, decodes
``--starts`` POMO rollouts of each (first move forced to different customers) and follows
the gradient of the shared-baseline loss of ``nco train --baseline pomo``. A fixed set of
training-city instances is decoded greedily before training, every ``--val-every`` steps and
at the end.

Needs torch, numpy and Lightning only (no rl4co, tensordict, hydra, PyVRP or OR-Tools), and
runs from a plain checkout without ``pip install``: the folders ``envs/`` and ``policies/``
are mapped to ``nco.envs`` and ``nco.policies`` as pyproject.toml installs them.

On the GPU machine (a bare copy of the repository, outputs under ``$OUT``)::

    PYTHONPATH=. python3 scripts/gpu_train.py --init data/checkpoints/acvrp.pt --minutes 9 --out $OUT

(ATSP: ``--problem atsp --init data/checkpoints/atsp.pt``). Give the command a timeout a
minute above ``--minutes``: the run stops early enough to validate and save within it.

Precision: on CUDA the rollouts run under bf16 autocast (``bf16-mixed``) with TF32 matmuls;
costs stay exact, as rewards come from the fp32 integer-metre matrix summed in float64.
Validation decodes in fp32, as a user's CPU does. On the CPU everything is fp32.

Writes into ``--out``:

- ``policy_best.pt`` (lowest validation cost) and ``policy_last.pt``: :func:`nco.load_policy`
  reads both;
- ``curve.csv``: ``step, instances_seen, wall_s, train_cost, val_cost`` per validation
  (metres; ``train_cost`` is the mean POMO rollout cost since the previous row);
- ``last.ckpt``: Lightning's state (weights, optimiser, step) for ``--resume``;
- ``run.json``: the arguments, device, precision, steps and throughput.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()  # the budget counts the imports below: seconds on a cold machine

import argparse
import importlib.util
import json
import math
import sys
import tomllib
import warnings
from collections.abc import Iterator
from importlib.machinery import ModuleSpec
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _CheckoutFinder:
    """Finds ``nco.envs``, ``nco.policies``, ... in a plain checkout, by pyproject.toml's
    ``package-dir`` mapping (what ``pip install`` sets up). Consulted only after the normal
    finders, so an installed nco always wins."""

    folders = {
        name: ROOT / folder
        for name, folder in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"].items()
        if name != "nco"
    }

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        folder = cls.folders.get(name)
        if folder is None:
            return None
        return importlib.util.spec_from_file_location(name, folder / "__init__.py", submodule_search_locations=[str(folder)])


if importlib.util.find_spec("nco") is None:  # not installed: nco/ from this checkout
    sys.path.insert(0, str(ROOT))
sys.meta_path.append(_CheckoutFinder)
# Everything below imports through the lines above.

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader, IterableDataset

try:
    import lightning as L
except ImportError:  # the same classes under the older package name
    import pytorch_lightning as L

from nco.envs.convert import arrays_to_tensors
from nco.envs.sampling import MODES, Pool, load_pools, sample_instances
from nco.errors import InputError
from nco.paths import CHECKPOINTS_DIR
from nco.policies.checkpoint import read_policy, save_policy
from nco.policies.curve import append_row
from nco.policies.policy import PROBLEMS, MatrixPolicy
from nco.policies.reinforce import pomo_loss
from nco.stop import MaxRuntime

# The validation instances are the same in every run (whatever --seed), so curves compare.
VALIDATION_SEED = 20261202
# Seconds kept back for writing the checkpoints and leaving the process, beyond the final
# validation (measured) and two steps (the next one and some slack).
SAVE_SECONDS = 5.0


class InstanceStream(IterableDataset):
    """Endless batches of policy inputs sampled from the city pools (one batch per item).

    Parameters
    ----------
    pools
        Loaded city pools.
    num_loc, batch_size, problem, mode
        What :func:`~nco.envs.sampling.sample_instances` draws per batch.
    seed
        Seeds the numpy stream of instances, together with :attr:`start_step`.
    """

    def __init__(self, pools: list[Pool], num_loc: int, batch_size: int, problem: str, mode: str, seed: int):
        super().__init__()
        self.pools, self.num_loc, self.batch_size = pools, num_loc, batch_size
        self.problem, self.mode, self.seed = problem, mode, seed
        self.start_step = 0  # a resumed run sets its step, so that it draws new instances

    def __iter__(self) -> Iterator[dict[str, Tensor]]:
        rng = np.random.default_rng([self.seed, self.start_step])
        while True:
            sample = sample_instances(self.pools, self.num_loc, self.batch_size, self.problem, self.mode, rng)
            yield arrays_to_tensors(self.problem, **sample.arrays)


class PomoModule(L.LightningModule):
    """Owns the training loop's choices: POMO rollouts, the loss, validation, checkpoints, budget.

    Parameters
    ----------
    policy
        The policy to train (in train mode).
    stream
        The training instances (:class:`InstanceStream`).
    validation
        Policy input of the fixed validation instances (CPU tensors).
    starts
        POMO rollouts per instance.
    lr
        Adam's learning rate.
    budget
        The wall-clock budget of the whole run; training stops while validating and saving
        still fit in it.
    val_every
        Steps between validations.
    out
        Where the checkpoints and ``curve.csv`` go.
    meta
        Written into every policy checkpoint besides the step counts and validation cost.
    """

    def __init__(
        self,
        policy: MatrixPolicy,
        stream: InstanceStream,
        validation: dict[str, Tensor],
        starts: int,
        lr: float,
        budget: MaxRuntime,
        val_every: int,
        out: Path,
        meta: dict[str, object],
    ):
        super().__init__()
        self.policy = policy
        self.stream = stream
        self.validation = validation
        self.starts = starts
        self.lr = lr
        self.budget = budget
        self.val_every = val_every
        self.out = out
        self.meta = meta
        self.best_cost = math.inf
        self.validated_step = -1
        self.val_seconds = 0.0
        self.step_seconds = 0.0
        self.train_costs: list[float] = []
        self.step_ended = 0.0
        self.steps_run = 0  # in this process (a resumed run's global step counts earlier ones)
        self.train_seconds = 0.0  # steps alone: sampling, rollouts, backward; no validation

    def train_dataloader(self) -> DataLoader:
        self.stream.start_step = self.global_step  # restored by now when resuming
        return DataLoader(self.stream, batch_size=None)  # the stream yields whole batches

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.policy.parameters(), lr=self.lr)

    def training_step(self, batch: dict[str, Tensor], batch_idx: int) -> Tensor:
        out = self.policy(batch, decode_type="multistart_sampling", num_starts=self.starts)
        self.train_costs.append(-out["reward"].mean().item())
        return pomo_loss(out["reward"], out["log_likelihood"], self.starts)

    def on_train_start(self) -> None:
        self.validate()  # the starting point of the curve, and the first measure of validation time
        self.step_ended = time.perf_counter()

    def on_train_batch_end(self, outputs: object, batch: object, batch_idx: int) -> None:
        now = time.perf_counter()
        self.step_seconds, self.step_ended = now - self.step_ended, now
        self.steps_run += 1
        self.train_seconds += self.step_seconds
        if self.global_step % self.val_every == 0:
            self.validate()
            self.step_ended = time.perf_counter()
        if self.budget.remaining() < 2 * self.step_seconds + self.val_seconds + SAVE_SECONDS:
            self.trainer.should_stop = True

    def on_train_end(self) -> None:
        if self.validated_step != self.global_step:
            self.validate()

    def validate(self) -> None:
        """Greedy cost of the validation instances; log a curve row, save the policy files."""
        started = time.perf_counter()
        self.policy.eval()
        inputs = {key: value.to(self.device) for key, value in self.validation.items()}
        with torch.no_grad(), torch.autocast(self.device.type, enabled=False):
            val_cost = -self.policy(inputs, decode_type="greedy")["reward"].mean().item()
        self.policy.train()
        instances = self.global_step * self.stream.batch_size
        train_cost = sum(self.train_costs) / len(self.train_costs) if self.train_costs else math.nan
        self.train_costs = []
        row = {
            "step": self.global_step,
            "instances_seen": instances,
            "wall_s": round(self.budget.elapsed(), 1),
            "train_cost": round(train_cost, 1),
            "val_cost": round(val_cost, 1),
        }
        append_row(self.out / "curve.csv", row)
        meta = {**self.meta, "steps": self.global_step, "instances_seen": instances, "val_cost": row["val_cost"]}
        save_policy(self.out / "policy_last.pt", self.policy, meta)
        if val_cost < self.best_cost:
            self.best_cost = val_cost
            save_policy(self.out / "policy_best.pt", self.policy, meta)
        self.validated_step = self.global_step
        self.val_seconds = time.perf_counter() - started
        print("  ".join(f"{key} {value}" for key, value in row.items()), flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for checkpoints, curve.csv, run.json")
    parser.add_argument("--problem", choices=PROBLEMS, default="acvrp")
    parser.add_argument("--init", type=Path, help="policy checkpoint to start from (default: the shipped one)")
    parser.add_argument("--minutes", type=float, default=9.0, help="wall-clock budget of the whole run")
    parser.add_argument("--steps", type=int, default=-1, help="stop at this step as well (-1: budget only)")
    parser.add_argument("--num-loc", type=int, default=100, help="customers per instance")
    parser.add_argument("--batch-size", type=int, default=64, help="instances per step")
    parser.add_argument("--starts", type=int, default=100, help="POMO rollouts per instance (at most num_loc)")
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--mode", choices=MODES, default="mixed", help="how customers are spread")
    parser.add_argument("--val-size", type=int, default=128, help="validation instances")
    parser.add_argument("--val-every", type=int, default=50, help="steps between validations")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", help="Lightning precision (default: bf16-mixed on CUDA, else 32-true)")
    parser.add_argument("--threads", type=int, help="torch CPU threads")
    parser.add_argument("--resume", type=Path, help="a last.ckpt of an earlier run to continue")
    args = parser.parse_args(argv)
    args.init = args.init or CHECKPOINTS_DIR / f"{args.problem}.pt"
    args.starts = min(args.starts, args.num_loc)  # as the policy caps them: one per customer
    if args.starts < 2:
        parser.error("--starts: the shared baseline needs at least 2 rollouts per instance")
    if (args.out / "curve.csv").exists() and not args.resume:
        parser.error(f"--out: {args.out} already holds a run; choose another folder")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    budget = MaxRuntime(args.minutes * 60, start=STARTED)
    if args.threads:
        torch.set_num_threads(args.threads)
    cuda = torch.cuda.is_available()
    if cuda:
        torch.set_float32_matmul_precision("high")  # TF32: the costs never go through a matmul
    precision = args.precision or ("bf16-mixed" if cuda else "32-true")
    L.seed_everything(args.seed, verbose=False)
    policy, init_meta = read_policy(args.init)
    if policy.config.problem != args.problem:
        raise InputError("problem", f"{args.init} was trained on {policy.config.problem}, not {args.problem}")
    pools = load_pools()  # the training cities
    validation = sample_instances(pools, args.num_loc, args.val_size, args.problem, "mixed", np.random.default_rng(VALIDATION_SEED))
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"method": "reinforce-pomo", "init": args.init.name, "init_meta": init_meta, "num_loc": args.num_loc}
    module = PomoModule(
        policy.train(),
        InstanceStream(pools, args.num_loc, args.batch_size, args.problem, args.mode, args.seed),
        arrays_to_tensors(args.problem, **validation.arrays),
        args.starts,
        args.lr,
        budget,
        args.val_every,
        args.out,
        meta,
    )
    trainer = L.Trainer(
        accelerator="auto",
        devices=1,
        precision=precision,
        max_epochs=-1,  # one endless epoch (the stream never runs out), also when resumed
        max_steps=args.steps,
        gradient_clip_val=1.0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    with warnings.catch_warnings():
        # Sampling a batch takes milliseconds; worker processes would not pay for themselves.
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        trainer.fit(module, ckpt_path=args.resume)
    trainer.save_checkpoint(args.out / "last.ckpt", weights_only=False)  # with the optimiser: resumable
    steps, seconds = module.steps_run, budget.elapsed()
    rate = steps * args.batch_size / max(module.train_seconds, 1e-9)
    report = {
        "args": {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()},
        "device": torch.cuda.get_device_name() if cuda else "cpu",
        "precision": precision,
        "torch": torch.__version__,
        "lightning": L.__version__,
        "steps": steps,
        "instances_per_s": round(rate, 2),
        "wall_s": round(seconds, 1),
        "best_val_cost": module.best_cost,
    }
    (args.out / "run.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{steps} steps, {rate:.2f} instances/s while training; {seconds:.1f} s in all; best val cost {module.best_cost:.1f}")


if __name__ == "__main__":
    try:
        main()
    except InputError as err:  # a wrong argument or file: one line, no traceback
        sys.exit(f"gpu_train.py: {err}")
