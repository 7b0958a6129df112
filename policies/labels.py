"""Labels for imitation: training-city instances solved by nco's own genetic refiner, or by a
policy's best decoding (self-improvement).

A label is a near-optimal action sequence (customers, 0 between routes) for one sampled
instance. Every instance yields ``n`` decisions to imitate, so a few thousand labelled
instances teach the policy far more per CPU-hour than REINFORCE's sampled rollouts.
Labels are written in shards (one ``.npz`` per call of :func:`label_shard`), so a background
run can be stopped and resumed at any time: finished shards are kept, the next one is redone.
Only the training cities of ``nco.pools.split()`` are ever sampled; a subset of them may be
named, so that one training city can be left out of the training labels and label the
validation set alone (a held-out *city*, which sees over-fitting to the others).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nco.instance import Instance
from nco.pools import training_pools

if TYPE_CHECKING:
    from nco.policies.inference import PolicySolver

# ``labeller(instances, seconds, seed) -> [(actions, cost), ...]``: how a shard's instances are
# solved (``seconds`` is the refiner's budget per instance; a policy ignores it).
Labeller = Callable[[list[Instance], float, int], list[tuple[list[int], float]]]


@dataclass(frozen=True)
class LabelShard:
    """Stacked equal-size instances with their labels (what a shard file holds).

    Attributes
    ----------
    distances
        ``(B, M, M)`` integer metres, node 0 the depot.
    demands
        ``(B, M)`` integer demand (column 0 the depot's, 0).
    capacity
        ``(B,)`` vehicle capacity.
    coords
        ``(B, M, 2)`` lon/lat.
    actions
        ``(B, T)`` label action sequences, padded with 0 after the final return to the depot.
    costs
        ``(B,)`` label cost in metres (the validator's).
    """

    distances: np.ndarray
    demands: np.ndarray
    capacity: np.ndarray
    coords: np.ndarray
    actions: np.ndarray
    costs: np.ndarray

    @classmethod
    def load(cls, path: str | Path) -> LabelShard:
        with np.load(path) as data:
            return cls(**{key: data[key] for key in cls.__dataclass_fields__})

    def save(self, path: str | Path) -> None:
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, **{key: getattr(self, key) for key in self.__dataclass_fields__})
        tmp.replace(path)  # atomic: a reader (the trainer) never sees half a shard

    @property
    def num_customers(self) -> int:
        return self.distances.shape[1] - 1

    def __len__(self) -> int:
        return len(self.costs)


# The first shards of a label folder are held out: the validation set that chooses checkpoints.
VAL_SHARDS = 4


def label_paths(folder: str | Path) -> list[Path]:
    """The finished shards in ``folder``, by shard index (files being written are skipped)."""
    paths = [p for p in Path(folder).glob("*.npz") if ".tmp" not in p.name]
    return sorted(paths, key=lambda p: int(p.stem.rsplit("_", 1)[1]))


def held_out(folder: str | Path, count: int = VAL_SHARDS) -> tuple[list[Path], list[Path]]:
    """The shards of ``folder`` split into the held-out first ``count`` and the rest (for training)."""
    paths = label_paths(folder)
    return paths[:count], paths[count:]


def routes_to_actions(routes: list[list[int]]) -> list[int]:
    """``[[3, 1], [2]]`` -> ``[3, 1, 0, 2, 0]``: the env's action sequence of a solution."""
    return [node for route in routes for node in (*route, 0)]


def label_instance(instance: Instance, seconds: float, seed: int) -> tuple[list[int], float]:
    """Solve ``instance`` with the genetic refiner from construction seeds; its actions and cost."""
    from nco.refine import refine
    from nco.refine.starts import construction_starts
    from nco.stop import MaxRuntime

    result = refine(instance, MaxRuntime(seconds), seed, construction_starts)
    return routes_to_actions(result.solution.routes), result.cost


def refiner_labels(instances: list[Instance], seconds: float, seed: int) -> list[tuple[list[int], float]]:
    """The default :data:`Labeller`: each instance solved by :func:`label_instance`."""
    return [label_instance(inst, seconds, seed + i) for i, inst in enumerate(instances)]


def policy_labels(teacher: PolicySolver, decode: str = "multistart+aug+split") -> Labeller:
    """A :data:`Labeller` that keeps the best of the ``teacher`` policy's ``decode``
    (:meth:`PolicySolver.solve`): self-improvement, where a policy learns to find greedily what
    its own search finds, with its routes in the order it builds them."""

    def label(instances: list[Instance], seconds: float, seed: int) -> list[tuple[list[int], float]]:
        return [(routes_to_actions(s.routes), s.cost) for s in teacher.solve(instances, decode, seed)]

    return label


def label_shard(
    problem: str,
    num_customers: int,
    count: int,
    seconds: float,
    seed: int,
    pools: Sequence[str] | None = None,
    labeller: Labeller = refiner_labels,
) -> LabelShard:
    """Sample ``count`` instances from the training cities ``pools`` (default: all; generator
    seed ``seed``) and label them with ``labeller`` (default: the refiner, ``seconds`` each)."""
    from nco.envs import CityGenerator

    instances = CityGenerator(num_customers, problem, pools=training_pools(pools), seed=seed).instances(count)
    labelled = labeller(instances, seconds, seed)
    length = max(len(actions) for actions, _ in labelled)
    actions = np.zeros((count, length), np.int16)
    for row, (acts, _) in enumerate(labelled):
        actions[row, : len(acts)] = acts
    return LabelShard(
        distances=np.stack([inst.distances for inst in instances]).astype(np.int32),
        demands=np.stack([inst.demands for inst in instances]).astype(np.int16),
        capacity=np.array([inst.capacity for inst in instances], np.int32),
        coords=np.stack([inst.coords for inst in instances]).astype(np.float64),
        actions=actions,
        costs=np.array([cost for _, cost in labelled]),
    )


def generate(
    out: str | Path,
    problem: str = "acvrp",
    sizes: tuple[int, ...] = (50, 100, 100, 200),
    shards: int = 1000,
    per_shard: int = 32,
    seconds_per_100: float = 0.4,
    seed: int = 0,
    pools: Sequence[str] | None = None,
    labeller: Labeller = refiner_labels,
    teacher: str = "refiner",
) -> None:
    """Write up to ``shards`` label shards into ``out``, cycling through ``sizes``; resumable.

    Shard ``k`` has size ``sizes[k % len(sizes)]``, generator seed ``seed + 1000 * k`` and a
    refiner budget of ``seconds_per_100 * n / 100`` seconds per instance (at least 0.2 s);
    instances come from the training cities ``pools`` (default: all of them) and are solved by
    ``labeller`` (default: the refiner; :func:`policy_labels` for a policy), which
    ``progress.jsonl`` names as ``teacher`` in its line for each shard written.
    Existing shards are skipped.
    """
    out = Path(out)
    pools = training_pools(pools)
    out.mkdir(parents=True, exist_ok=True)
    for k in range(shards):
        n = sizes[k % len(sizes)]
        path = out / f"{problem}_n{n}_{k:05d}.npz"
        if path.exists():
            continue
        tic = time.perf_counter()
        seconds = max(0.2, seconds_per_100 * n / 100)
        shard = label_shard(problem, n, per_shard, seconds, seed + 1000 * k, pools, labeller)
        shard.save(path)
        line = {"shard": k, "n": n, "count": per_shard, "seconds": round(time.perf_counter() - tic, 1)}
        line.update(teacher=teacher, mean_cost=float(shard.costs.mean()))
        with (out / "progress.jsonl").open("a") as fh:
            fh.write(json.dumps(line) + "\n")
