"""Imitation warm start: teach the policy the refiner's tours, decision by decision.

The policy follows a label's actions (teacher forcing) and the loss is the mean negative
log-likelihood of each decision. A label's routes are shuffled every time it is seen: any
order of the same routes is the same solution, so the policy learns to pick *some* route
start well rather than one arbitrary order. Runs are resumable: ``state.pt`` holds weights,
optimiser and counters after every epoch; ``curve.csv`` the learning curve, measured as the
greedy gap to the labels of held-out shards (training cities only, never the test sets).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from nco.envs.convert import arrays_to_tensors
from nco.policies.checkpoint import read_policy, save_policy
from nco.policies.curve import append_row
from nco.errors import InputError
from nco.instance import DEPOT
from nco.policies.labels import VAL_SHARDS, LabelShard, held_out, label_paths
from nco.policies.policy import MatrixPolicy, PolicyConfig
from nco.policies.schedule import annealed_lr, check_lr_final
from nco.policies.sectors import bearing, offsets
from nco.policies.symmetry import randomly_transformed


ROUTE_ORDERS = ("shuffle", "sweep", "keep")


@dataclass(frozen=True)
class ImitationConfig:
    """Settings of :func:`imitate`.

    Attributes
    ----------
    labels
        Folder of label shards (:func:`nco.policies.labels.generate`); re-read every epoch,
        so a label run can keep adding shards while training goes on.
    out
        Run folder: ``state.pt``, ``curve.csv``, ``policy_last.pt`` and ``policy_best.pt``.
    init
        A policy checkpoint to start from (``None``: a fresh :class:`MatrixPolicy`).
    epochs
        Passes over the shards present at the start of each epoch.
    batch_size
        Instances per gradient step (instances of one shard share their size).
    lr
        Adam learning rate.
    val_shards
        The first this-many shards (by index) are held out for the learning curve, unless
        ``val_labels`` is given.
    seed
        Seeds shuffling and the route-order augmentation.
    route_order
        How a label's routes are ordered each time it is seen: ``"shuffle"`` (at random),
        ``"sweep"`` (:func:`swept_routes`) or ``"keep"`` (as labelled: a policy's own labels
        keep the order it builds routes in, :func:`nco.policies.labels.policy_labels`).
    val_labels
        A folder of label shards held out as a whole for the learning curve (e.g. a training
        city left out of ``labels``); then every shard of ``labels`` is trained on.
    any_route
        Score a route's first customer as right when it starts any route the label has not
        built yet (:func:`route_start_choices`), not only the next in ``route_order``.
    lr_final
        Anneal the learning rate along a cosine from ``lr`` (first epoch) to this value (the
        last of ``epochs``); ``None`` keeps it constant
        (:func:`nco.policies.schedule.annealed_lr`).
    augment
        Show each label in one of the map's eight orientations, drawn at random each time
        (:func:`nco.policies.symmetry.randomly_transformed`): the road matrix and so the label
        stay the same, the coordinates the encoder reads do not. A ``"sweep"`` order still
        follows the real map, so in a mirrored view it turns clockwise (measured on ATSP only,
        where there is one route).
    """

    labels: Path
    out: Path
    init: Path | None = None
    epochs: int = 10
    batch_size: int = 32
    lr: float = 2e-4
    val_shards: int = VAL_SHARDS
    seed: int = 0
    route_order: str = "shuffle"
    val_labels: Path | None = None
    augment: bool = False
    lr_final: float | None = None
    any_route: bool = False

    def __post_init__(self) -> None:
        if self.route_order not in ROUTE_ORDERS:
            raise InputError("route_order", f"expected one of {ROUTE_ORDERS}, got {self.route_order!r}")
        check_lr_final(self.lr, self.lr_final)


def label_routes(actions: np.ndarray) -> list[np.ndarray]:
    """A label's routes, each with its closing 0: ``[3, 1, 0, 2, 0, 0]`` -> ``[[3, 1, 0], [2, 0]]``."""
    ends = np.flatnonzero(actions == 0)
    starts = np.concatenate([[0], ends[:-1] + 1])
    return [actions[start : end + 1] for start, end in zip(starts, ends) if end > start]


def _joined(routes: list[np.ndarray], like: np.ndarray) -> np.ndarray:
    """``routes`` back into one action sequence, padded with 0 to the length of ``like``."""
    out = np.zeros_like(like)
    joined = np.concatenate(routes)
    out[: joined.size] = joined
    return out


def shuffled_routes(actions: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same routes in a random order: ``[3, 1, 0, 2, 0, 0]`` -> ``[2, 0, 3, 1, 0, 0]``."""
    routes = label_routes(actions)
    return _joined([routes[i] for i in rng.permutation(len(routes))], actions)


def swept_routes(actions: np.ndarray, coords: np.ndarray, distances: np.ndarray) -> np.ndarray:
    """The same routes in sweep order: first the route of the customer farthest from the depot,
    then counter-clockwise by the bearing of each route's centre seen from the depot.

    Any order of the routes is the same solution, but a random one asks the policy to guess
    which route a label builds next; in sweep order the next route is always the neighbour of the
    last, a rule that greedy decoding can follow, and no far customers are left for the end.
    """
    routes = label_routes(actions)
    offset = offsets(coords)
    angles = np.array([bearing(offset[route[:-1]].mean(0)) for route in routes])
    farthest = np.argmax(distances[DEPOT])
    first = next(r for r, route in enumerate(routes) if farthest in route)
    order = np.argsort((angles - angles[first]) % (2 * np.pi), kind="stable")
    return _joined([routes[r] for r in order], actions)


def route_start_choices(actions: np.ndarray, num_nodes: int) -> np.ndarray:
    """``(B, T, M)``: the moves that each step of the labels ``actions`` ``(B, T)`` may take.

    A step that starts a route may go to the first customer of any route not yet built (the
    label's later routes in any order are the same solution); every other step only to the
    label's action. So a policy is not taught one arbitrary order of the routes, only to build
    each route well and to start some route next.
    """
    batch, steps = actions.shape
    accepted = np.zeros((batch, steps, num_nodes), bool)
    accepted[np.arange(batch)[:, None], np.arange(steps), actions] = True
    for row, label in enumerate(actions):
        routes = label_routes(label)
        firsts = [route[0] for route in routes]
        step = 0
        for r, route in enumerate(routes):
            accepted[row, step, firsts[r:]] = True
            step += len(route)
    return accepted


def shard_inputs(shard: LabelShard, rows: np.ndarray, problem: str) -> dict[str, torch.Tensor]:
    """The policy input of some instances of a shard (``"acvrp"`` or ``"atsp"``)."""
    return arrays_to_tensors(
        problem,
        distances=shard.distances[rows],
        demands=shard.demands[rows],
        capacity=shard.capacity[rows],
        coords=shard.coords[rows],
    )


def imitation_loss(
    policy: MatrixPolicy,
    shard: LabelShard,
    rows: np.ndarray,
    rng: np.random.Generator,
    route_order: str = "shuffle",
    augment: bool = False,
    any_route: bool = False,
) -> torch.Tensor:
    """Mean negative log-likelihood per decision of labels, their routes in ``route_order``,
    each instance in a random orientation of the map if ``augment``, any unbuilt route's start
    accepted where a route starts if ``any_route``."""
    if route_order == "sweep":
        actions = np.stack([swept_routes(shard.actions[r], shard.coords[r], shard.distances[r]) for r in rows])
    elif route_order == "shuffle":
        actions = np.stack([shuffled_routes(shard.actions[r], rng) for r in rows])
    else:
        actions = shard.actions[rows]
    decisions = torch.as_tensor((actions != 0).sum(1) + 1, dtype=torch.float32)  # customers + returns
    inputs = shard_inputs(shard, rows, policy.config.problem)
    if augment:
        generator = torch.Generator().manual_seed(int(rng.integers(2**31)))
        inputs["locs"] = randomly_transformed(inputs["locs"], generator)
    accepted = torch.as_tensor(route_start_choices(actions, shard.distances.shape[1])) if any_route else None
    out = policy(inputs, decode_type="greedy", actions=torch.as_tensor(actions, dtype=torch.long), accepted=accepted)
    return -(out["log_likelihood"] / decisions).mean()


@torch.no_grad()
def greedy_gap(policy: MatrixPolicy, shards: list[LabelShard]) -> float:
    """Mean greedy gap (%) to the labels over the held-out shards."""
    policy.eval()
    gaps = []
    for shard in shards:
        inputs = shard_inputs(shard, np.arange(len(shard)), policy.config.problem)
        reward = policy(inputs, decode_type="greedy")["reward"]
        gaps.append(100 * (-reward.numpy() - shard.costs) / shard.costs)
    policy.train()
    return float(np.concatenate(gaps).mean())


def shard_split(cfg: ImitationConfig) -> tuple[list[Path], list[Path]]:
    """``(validation, training)`` shard paths of a run, as the labels stand now."""
    if cfg.val_labels is None:
        return held_out(cfg.labels, cfg.val_shards)
    return label_paths(cfg.val_labels), label_paths(cfg.labels)


def imitate(cfg: ImitationConfig) -> Path:
    """Train on the label shards in ``cfg.labels``; returns the best policy's path.

    Resumes from ``cfg.out/state.pt`` when it exists. The best checkpoint is chosen on the
    held-out label shards (training cities); every epoch's weights stay as ``epoch_<k>.pt``.
    """
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    state_path = out / "state.pt"
    if state_path.exists():
        state = torch.load(state_path, weights_only=True)
        policy = MatrixPolicy(PolicyConfig.from_dict(state["config"]))
        policy.load_state_dict(state["model"])
    else:
        state = {"epoch": 0, "seen": 0, "wall": 0.0, "best": float("inf")}
        policy = read_policy(cfg.init)[0] if cfg.init else MatrixPolicy()
    optimizer = torch.optim.Adam(policy.parameters(), lr=cfg.lr)
    if "optimizer" in state:
        optimizer.load_state_dict(state["optimizer"])
    rng = np.random.default_rng(cfg.seed + state["epoch"])
    val = [LabelShard.load(p) for p in shard_split(cfg)[0]]
    if state["epoch"] == 0:
        append_row(out / "curve.csv", {"epoch": 0, "instances_seen": 0, "wall_s": 0.0, "val_gap": round(greedy_gap(policy, val), 3)})
    policy.train()
    while state["epoch"] < cfg.epochs:
        tic = time.perf_counter()
        for group in optimizer.param_groups:
            group["lr"] = annealed_lr(cfg.lr, cfg.lr_final, state["epoch"], cfg.epochs)  # by epoch
        train = shard_split(cfg)[1]
        for path in rng.permutation(np.array(train, dtype=object)):
            shard = LabelShard.load(path)
            order = rng.permutation(len(shard))
            for lo in range(0, len(order), cfg.batch_size):
                rows = order[lo : lo + cfg.batch_size]
                loss = imitation_loss(policy, shard, rows, rng, cfg.route_order, cfg.augment, cfg.any_route)
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
                optimizer.step()
            state["seen"] += len(shard)
        state["epoch"] += 1
        state["wall"] += time.perf_counter() - tic
        gap = greedy_gap(policy, val)
        meta = {"epoch": state["epoch"], "instances_seen": state["seen"], "val_gap": round(gap, 3), "method": "imitation"}
        save_policy(out / "policy_last.pt", policy, meta)
        save_policy(out / f"epoch_{state['epoch']}.pt", policy, meta)  # to choose again on more labels later
        if gap < state["best"]:
            state["best"] = gap
            save_policy(out / "policy_best.pt", policy, meta)
        append_row(out / "curve.csv", {"epoch": state["epoch"], "instances_seen": state["seen"], "wall_s": round(state["wall"], 1), "val_gap": round(gap, 3)})
        state.update(config=policy.config.to_dict(), model=policy.state_dict(), optimizer=optimizer.state_dict())
        torch.save(state, state_path.with_suffix(".tmp"))
        state_path.with_suffix(".tmp").replace(state_path)
    return out / "policy_best.pt"
