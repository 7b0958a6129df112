"""Run a trained policy on :class:`nco.Instance` objects: :class:`PolicySolver`.

This is the one owner of *policy solutions under a budget*: batched decoding for evaluation
(:meth:`PolicySolver.solve`) and, for everything that seeds or answers a user
(:meth:`PolicySolver.solutions`), greedy, POMO multistart and sampling rounds that stop before
the budget runs out, de-duplicated, re-cut to the problem's fleet, on one torch thread.
It needs torch and nco only: nothing here imports rl4co or Lightning.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import torch

from nco.baselines.heuristics import perturbed_savings_routes
from nco.envs.convert import actions_to_routes, instances_to_tensors
from nco.errors import InputError
from nco.instance import Instance
from nco.policies.budget import GREEDY_SECONDS, SAVINGS_PASS_ROLLOUTS, merge_rollouts, rollout_seconds  # before any round is timed here
from nco.policies.policy import MatrixPolicy, start_major
from nco.policies.sectors import joined_routes, sector_count, sector_guide, sector_instances
from nco.policies.symmetry import SYMMETRIES, augmented
from nco.solution import Routes, Solution
from nco.validate import check, validated_solution


# Rows of a decoding batch hold per-rollout state of O(M) and share the (M, M) matrices;
# chunks stay under this many bytes of matrices so that big batches fit in memory.
CHUNK_BYTES = 256 * 2**20
MAX_STARTS = 64  # POMO starts per instance in "multistart" (all customers up to this)
SAMPLES_PER_ROUND = 16  # rollouts of one sampling round in :meth:`PolicySolver.solutions`
SAMPLING_TEMPERATURE = 0.7  # below 1: samples stay near greedy, so they rarely lose to it
# A round of K batched rollouts takes about (1 + K / ROLLOUTS_PER_GREEDY) greedy rollouts: the
# steps' fixed cost is shared (measured at n = 100 / 500: 64 multistart rollouts took 3.2 / 6.4
# greedy rollouts, 16 samples 2.0 / 3.2). Priced per rollout, a round looked up to 20x dearer,
# and a loaded machine skipped rounds that a 30 s budget had room for.
ROLLOUTS_PER_GREEDY = 8
# The pointer's log-probability against the saving (divided by the mean depot distance) in the
# "merge" decoding. Chosen on the oslo-east validation labels (1,024 instances, n = 100 / 200;
# never the test sets): savings 6.02 / 6.67 % above the labels, with the guide at 0.0003 /
# 0.001 / 0.002: 5.55 / 5.47 / 5.59 % at n = 100 and 6.15 / 6.06 / 6.15 % at n = 200. The
# guide re-orders joins of nearly equal saving; Gaussian noise of the same spread instead
# made savings worse (6.40 / 7.30 %).
MERGE_WEIGHT = 0.001
# Spread of the noise on the log-probabilities in "merge:K". On 256 oslo-east validation
# instances, best of 32 at n = 100 / 200: 4.06 / 4.38 % above the labels at 3, 3.90 / 4.53 % at
# 6 (one merge: 5.53 / 6.15 %); the same noise on savings alone (no policy): 4.09 / 4.95 % and
# 4.00 / 4.84 %. Most of the gain at n = 100 is the perturbation's; at n = 200 the policy adds
# about half a point.
MERGE_NOISE = 3.0
# A sector merge's price in greedy rollouts: measured (3 December, oslo-east) 0.27 at n = 500,
# 0.19-0.20 at n = 1000, where it decides whether the merge fits the starts' 0.125 s of a 0.5 s
# budget (at 0.25 it never did: the arm then bred from random tours).
SECTOR_MERGE_ROLLOUTS = 0.2
# Turns of the sectors' boundaries (fractions of a sector) for a large instance's rounds: each
# halves the gaps the ones before left, so k starts cut the instance in k different ways.
SECTOR_TURNS = (0.0, 0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875)


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


class Decoding(NamedTuple):
    """A decoding asked for by name (:func:`parse_decode`)."""

    kind: str  # "greedy", "sample" or "multistart"
    count: int  # rollouts per instance and map orientation (0: multistart's default)
    resplit: bool  # cut every rollout's order of customers again, optimally (route first, cluster second)
    symmetries: int = 1  # map orientations decoded (SYMMETRIES with "+aug")


def parse_decode(decode: str) -> Decoding:
    """``"greedy"``, ``"sample:K"``, ``"multistart[:S]"`` or ``"merge[:K]"``, each optionally
    with ``"+aug"`` and/or ``"+split"``.

    ``"merge"`` rolls nothing out: Clarke-Wright savings joins the customers, in an order the
    policy's pointer steers (:meth:`MatrixPolicy.move_log_probs`,
    :func:`nco.baselines.heuristics.guided_savings_routes`, weight :data:`MERGE_WEIGHT`).
    ``"merge:K"`` samples: the best of that merge and ``K - 1`` more whose log-probabilities
    carry Gaussian noise of :data:`MERGE_NOISE` (seeded).

    ``"+aug"`` decodes the instance in all eight orientations of its map (POMO's instance
    augmentation, :mod:`nco.policies.symmetry`): eight times the rollouts, best kept.
    ``"+split"`` keeps the order in which a rollout visits the customers and lets the optimal
    split (:func:`nco.refine.split.split`) choose where the vehicles return to the depot: the
    route-first reading of the policy, never worse than the rollout's own cut.

    Raises
    ------
    InputError
        For anything else.
    """
    name, *suffixes = decode.split("+")
    kind, _, count = name.partition(":")
    symmetries = SYMMETRIES if "aug" in suffixes else 1
    if len(set(suffixes)) == len(suffixes) and set(suffixes) <= {"aug", "split"}:
        resplit = "split" in suffixes
        try:
            if kind == "greedy" and not count:
                return Decoding("greedy", 1, resplit, symmetries)
            if kind == "sample" and int(count) >= 1:
                return Decoding("sample", int(count), resplit, symmetries)
            if kind == "multistart":
                return Decoding("multistart", int(count) if count else 0, resplit, symmetries)
            if kind == "merge" and (not count or int(count) >= 1):
                return Decoding("merge", int(count) if count else 1, resplit, symmetries)
        except ValueError:
            pass
    raise InputError(
        "decode", f"expected greedy, sample:K, multistart[:S] or merge[:K], optionally +aug and +split; got {decode!r}"
    )


class PolicySolver:
    """A loaded policy that solves instances (what :func:`nco.load_policy` returns).

    Parameters
    ----------
    policy
        The trained network.
    meta
        The checkpoint's meta data (training stage, instances seen, its ``id``, ...).
    device
        Where to run (CPU by default).
    threads
        Torch threads while decoding on the CPU. Decoding is a long chain of small steps: on a
        busy 2-core machine a second thread made a greedy rollout at n = 100 take 5 s, not 0.05 s.
    """

    def __init__(
        self,
        policy: MatrixPolicy,
        meta: dict[str, Any] | None = None,
        device: str | torch.device = "cpu",
        threads: int = 1,
    ):
        self.policy = policy.to(device).eval()
        self.meta = dict(meta or {})
        self.device = torch.device(device)
        self.threads = threads
        self._greedy_seconds = GREEDY_SECONDS  # per unit of rollout_seconds, refined by every greedy rollout timed

    def warm_up(self) -> None:
        """Decode a tiny instance once: torch's one-time set-up (about 0.2 s) is then paid at
        loading, not by the first instance's budget."""
        distances = np.array([[0, 1, 2], [1, 0, 1], [2, 1, 0]])
        self._decode([Instance(distances=distances, demands=[0, 1, 1], capacity=2)], "greedy", 1, 0)

    @property
    def checkpoint_id(self) -> str | None:
        """The id the checkpoint gives itself (``meta["id"]``), if any."""
        return self.meta.get("id")

    def solve(self, instances: Instance | Sequence[Instance], decode: str = "greedy", seed: int = 0) -> list[Solution]:
        """Solve each instance; equal-size instances are decoded together in batches.

        Parameters
        ----------
        instances
            One instance or several (any sizes, ACVRP or ATSP).
        decode
            ``"greedy"``; ``"sample:K"`` (best of K samples); ``"multistart"`` (POMO: greedy from
            every first customer, at most 64, or ``"multistart:S"``; best kept); each with
            ``"+aug"`` and/or ``"+split"`` (:func:`parse_decode`).
        seed
            Seed of the sampling.

        Returns
        -------
        list[Solution]
            Validated, in input order; ``runtime`` is the batch's time shared per instance.
        """
        instances = [instances] if isinstance(instances, Instance) else list(instances)
        decoding = parse_decode(decode)
        solutions: list[Solution | None] = [None] * len(instances)
        for group in _groups(instances):
            batch = [instances[i] for i in group]
            start = time.perf_counter()
            keep = None if decoding.resplit else 1
            decoded = self._decode(batch, decoding.kind, decoding.count, seed, keep, decoding.symmetries)
            if decoding.resplit:
                decoded = [_resplit(inst, ranked) for inst, ranked in zip(batch, decoded)]
            runtime = (time.perf_counter() - start) / len(batch)
            for i, inst, ranked in zip(group, batch, decoded):
                solutions[i] = validated_solution(inst, ranked[0][1], "policy", runtime, {"decode": decode})
        return solutions  # type: ignore[return-value]

    def solutions(
        self, instance: Instance, k: int, seed: int = 0, time_limit: float | None = None, always_answer: bool = False
    ) -> list[Routes]:
        """Up to ``k`` distinct route sets for ``instance`` that fit its fleet, best first.

        For ACVRP the policy-guided savings first (``"merge"``: no rollout, the cheapest and
        the best single answer), then greedy, the merge and greedy in the map's eight
        orientations (``"+aug"``), POMO multistart (up to 64 first customers), then rounds of
        :data:`SAMPLING_TEMPERATURE` sampling, until ``k`` distinct solutions (the same routes in
        any order count once) are in hand; ATSP skips the merges. With ``time_limit``, a round
        runs only when its expected time (:func:`_round_rollouts` greedy rollouts, timed by
        this call's first rounds) fits in what is left; when not even the first round would
        fit, the caller gets ``[]``, unless ``always_answer`` (the policy's answer must exist
        even past the limit). A large instance whose whole greedy rollout would not fit the
        limit is decoded in sectors (:mod:`nco.policies.sectors`, when it has coordinates):
        merges with a heatmap read sector by sector (the plain one, then sampled ones, noise on
        the same heatmap, one savings pass each, as many as fit), then, only if a merge ran,
        one greedy round per turn of the sectors' boundaries, :data:`SECTOR_TURNS`, each priced
        by the one before.

        The policy was trained without a fleet limit, so it decodes without one; a solution with
        more routes than vehicles has its giant tour re-cut to the fleet (possibly overloaded:
        the refiner's penalties repair that, and :func:`nco.policies.solver.solve` says so).

        Raises
        ------
        InputError
            For time windows, which the policy does not model.
        """
        if k < 1:
            raise InputError("k", f"must be at least 1, got {k}")
        merges = problem_of(instance) == "acvrp"  # also refuses time windows before spending anything
        start = time.perf_counter()
        unlimited = instance.replace(num_vehicles=None) if instance.demands.any() else instance
        size = instance.num_customers + 1
        greedy = rollout_seconds(size, self._greedy_seconds)  # one rollout; measured by the first rounds
        sectored = time_limit is not None and greedy > time_limit and sector_count(instance) > 1
        # In sectors the merge's heatmap is kept for sampled merges ("resample"), a savings pass
        # each. Whole instances do without: on training-city arms (bench/results/
        # refiner_arms_oslo) sampled merges, first or after greedy, made worse GA starts at
        # n = 500 than the merge, greedy and their eight orientations, which differ more.
        first = ("sector-merge" if sectored else "merge", 1, 1)
        rounds = [first, ("resample", k - 1, 1)] if merges and sectored else [first] if merges else []
        if not sectored:  # else the sectors' greedy rounds follow the merges
            rounds += [("greedy", 1, 1)] + ([("merge", 1, SYMMETRIES)] if merges else []) + [("greedy", 1, SYMMETRIES)]
            rounds += [("multistart", min(MAX_STARTS, size - 1), 1)] + [("sample", SAMPLES_PER_ROUND, 1)] * 8
        found: dict[tuple, tuple[float, Routes]] = {}
        guide, rng = None, np.random.default_rng(seed)
        for r, (kind, count, symmetries) in enumerate(rounds):
            left = None if time_limit is None else time_limit - (time.perf_counter() - start)
            if kind == "resample" and left is not None:  # as many as fit
                count = min(count, int(left / (greedy * SAVINGS_PASS_ROLLOUTS)))
            if count < 1:
                continue
            rollouts = _round_rollouts(kind, count, symmetries, size)
            if left is not None and greedy * rollouts > left and not (always_answer and r == 0):
                break
            tic = time.perf_counter()
            if kind == "sector-merge":  # the first round: "resample" only ever follows it
                guide = self._sector_heatmap(unlimited)
            if kind in ("sector-merge", "resample"):
                decoded = _guided(unlimited, guide, count, rng, plain=kind == "sector-merge")
            else:
                decoded = self._decode([unlimited], kind, count, seed + r, None, symmetries)[0]
            for cost, routes in decoded:
                found.setdefault(_distinct(routes), (cost, routes))
            if symmetries == 1 and kind in ("greedy", "merge"):
                greedy = (time.perf_counter() - tic) / rollouts
                # Averaged over calls: one rollout slowed by a busy machine must not rule the next.
                self._greedy_seconds = 0.5 * (self._greedy_seconds + greedy / rollout_seconds(size, 1.0))
            if len(found) >= k:
                break
        if sectored and found and len(found) < k:  # sector greedy (~25 % above savings) only beside a merge
            left = time_limit - (time.perf_counter() - start)
            for key, value in self._sector_rounds(unlimited, k - len(found), seed, left, always_answer and not found).items():
                found.setdefault(key, value)
        ranked = [routes for _, routes in sorted(found.values(), key=lambda item: item[0])[:k]]
        return [_fit_fleet(instance, routes) for routes in ranked]

    @torch.inference_mode()
    def _sector_heatmap(self, unlimited: Instance) -> np.ndarray:
        """``(M, M)`` log-probabilities of the policy's moves on a large ACVRP instance without
        fleet limit, from its sectors encoded side by side (:func:`nco.policies.sectors.sector_guide`)."""
        subs, maps = sector_instances(unlimited)
        with _torch_threads(self.threads):
            inputs = {key: value.to(self.device) for key, value in instances_to_tensors(subs, "acvrp").items()}
            parts = self.policy.move_log_probs(inputs, "acvrp").cpu().numpy()
        return sector_guide(unlimited.num_customers + 1, maps, parts)

    def _sector_rounds(
        self, unlimited: Instance, k: int, seed: int, time_limit: float, always_answer: bool
    ) -> dict[tuple, tuple[float, Routes]]:
        """Distinct ``(cost, routes)`` of a large instance (without fleet limit) decoded in
        sectors: up to ``k`` greedy rounds, each with the sectors' boundaries turned further
        (:data:`SECTOR_TURNS`), keyed as :meth:`solutions` keys them."""
        start = time.perf_counter()
        # Before any round ran: about two sectors' share of the whole rollout (measured 0.13 of
        # 0.59 s at n = 900 in 9 sectors, 0.09 of 0.29 s at n = 500 in 5).
        expected = rollout_seconds(unlimited.num_customers + 1, self._greedy_seconds) * 2 / sector_count(unlimited)
        found: dict[tuple, tuple[float, Routes]] = {}
        for turn in SECTOR_TURNS[:k]:
            left = time_limit - (time.perf_counter() - start)
            if expected > left and not (always_answer and not found):
                break
            tic = time.perf_counter()
            subs, maps = sector_instances(unlimited, turn)
            decoded = self._decode(subs, "greedy", 1, seed)
            routes = joined_routes(maps, [ranked[0][1] for ranked in decoded])
            found.setdefault(_distinct(routes), (check(unlimited, routes).cost, routes))
            expected = time.perf_counter() - tic
        return found

    # --- batched decoding ----------------------------------------------------------------------
    @torch.inference_mode()  # no autograd bookkeeping at all: a few microseconds per step
    def _decode(
        self, batch: list[Instance], kind: str, count: int, seed: int, keep: int | None = 1, symmetries: int = 1
    ) -> list[list[tuple[float, Routes]]]:
        """Rollouts for equal-size instances, each seen in ``symmetries`` orientations of its map:
        per instance, ``(cost, routes)`` best first (the ``keep`` best, or all). Every route set
        is checked."""
        problem = problem_of(batch[0])
        if kind == "merge" and problem != "acvrp":
            raise InputError("decode", "merge joins the routes of capacitated (ACVRP) instances; this one is ATSP")
        size = batch[0].num_customers + 1
        if any(inst.coords is None for inst in batch):
            symmetries = 1  # a matrix without a map: every orientation would look the same
        rollouts = min(size - 1, count or MAX_STARTS) if kind == "multistart" else count
        # A merge holds (M, M) log-probabilities per orientation besides the matrices.
        per_chunk = max(1, CHUNK_BYTES // (8 * size * size * symmetries * (2 if kind == "merge" else 1)))
        out: list[list[tuple[float, Routes]]] = []
        with torch.random.fork_rng(devices=[]), _torch_threads(self.threads):
            torch.manual_seed(seed)
            for lo in range(0, len(batch), per_chunk):
                chunk = batch[lo : lo + per_chunk]
                inputs = {key: value.to(self.device) for key, value in instances_to_tensors(chunk, problem).items()}
                if symmetries > 1:  # orientation a of instance b is row a * B + b, as rollouts are
                    inputs = {key: _oriented(key, value, symmetries) for key, value in inputs.items()}
                if kind == "merge":
                    candidates = self._merges(chunk, inputs, problem, symmetries, count, seed + lo)
                    out += [sorted(found, key=lambda item: item[0])[:keep] for found in candidates]
                else:
                    out += self._rollouts(chunk, inputs, problem, kind, rollouts, symmetries, keep)
        return out

    def _rollouts(
        self,
        chunk: list[Instance],
        inputs: dict[str, torch.Tensor],
        problem: str,
        kind: str,
        rollouts: int,
        symmetries: int,
        keep: int | None,
    ) -> list[list[tuple[float, Routes]]]:
        """Per instance of ``chunk``, the ``keep`` best of its ``rollouts`` in each orientation:
        ``(cost, routes)``, checked."""
        args: dict[str, Any] = {
            "greedy": {"decode_type": "greedy"},
            "multistart": {"decode_type": "multistart_greedy", "num_starts": rollouts},
            "sample": {"decode_type": "sampling", "num_samples": rollouts, "temperature": SAMPLING_TEMPERATURE},
        }[kind]
        result = self.policy(inputs, problem=problem, **args)
        per_instance = rollouts * symmetries  # rows (rollout, orientation, instance), start-major
        costs = (-result["reward"]).view(per_instance, len(chunk)).T.cpu()
        acts = result["actions"].view(per_instance, len(chunk), -1).transpose(0, 1).cpu()
        out = []
        for c, inst in enumerate(chunk):
            ranked = [(float(costs[c, j]), actions_to_routes(acts[c, j])) for j in costs[c].argsort()[:keep]]
            for _, routes in ranked:  # the reward is the validator's cost; nothing leaves unchecked
                check(inst.replace(num_vehicles=None) if problem == "acvrp" else inst, routes)
            out.append(ranked)
        return out

    def _merges(
        self, chunk: list[Instance], inputs: dict[str, torch.Tensor], problem: str, symmetries: int, count: int, seed: int
    ) -> list[list[tuple[float, Routes]]]:
        """Per instance of ``chunk``, ``count`` guided savings in each orientation (the first
        of each unperturbed): ``(cost, routes)``, the cost the validator's."""
        guides = self.policy.move_log_probs(inputs, problem).cpu().numpy()  # row a * B + b
        rng = np.random.default_rng(seed)
        found = []
        for c, inst in enumerate(chunk):
            unlimited = inst.replace(num_vehicles=None) if problem == "acvrp" else inst
            oriented = (_guided(unlimited, guides[a * len(chunk) + c], count, rng, True) for a in range(symmetries))
            found.append([item for merged in oriented for item in merged])
        return found


def _guided(
    unlimited: Instance, guide: np.ndarray, count: int, rng: np.random.Generator, plain: bool
) -> list[tuple[float, Routes]]:
    """``(cost, routes)`` of ``count`` merges over ``guide`` (the first plain if ``plain``, the
    others with :data:`MERGE_NOISE`), the cost the validator's."""
    merged = perturbed_savings_routes(unlimited, guide, MERGE_WEIGHT, count, MERGE_NOISE, rng, plain)
    return [(float(check(unlimited, routes).cost), routes) for routes in merged]


def _round_rollouts(kind: str, count: int, symmetries: int, size: int) -> float:
    """What a round of :meth:`PolicySolver.solutions` costs, in greedy rollouts (one orientation).

    A merge in eight orientations measured 5.7-7.5 times one (the encoder, repeated, dominates);
    a sector merge (:meth:`PolicySolver._sector_heatmap` and a savings pass) 0.27 / 0.20
    greedy rollouts at n = 500 / 1000, against 0.55-0.68 for the whole instance's;
    ``count`` sampled merges over a heatmap already computed (``"resample"``) one savings pass each.
    """
    if kind == "resample":
        return count * SAVINGS_PASS_ROLLOUTS
    if kind == "sector-merge":
        return SECTOR_MERGE_ROLLOUTS
    if kind == "merge":
        return merge_rollouts(size) * symmetries
    rollouts = 1.0 if kind == "greedy" else 1 + count / ROLLOUTS_PER_GREEDY
    return rollouts * (_turned_rollouts(size) if symmetries > 1 else 1.0)


def _turned_rollouts(size: int) -> float:
    """What decoding in all orientations costs, in greedy rollouts of one orientation.

    The steps of the eight rollouts run together (about two rollouts' time), but each
    orientation encodes the instance again, and the encoder's share of a rollout grows with
    the size. Measured, shipped checkpoint, one thread: 2.6 at n = 100, 3.1 at n = 200, 4.7 at
    n = 500; this bound is 2.7, 3.4 and 5.5 there.
    """
    return 2.0 + (SYMMETRIES - 1) * min(1.0, size / 1000)


def _groups(instances: list[Instance]) -> list[list[int]]:
    """Indices of instances that can share a batch (same problem and size), in input order."""
    groups: dict[tuple[str, int], list[int]] = {}
    for i, inst in enumerate(instances):
        groups.setdefault((problem_of(inst), inst.num_customers), []).append(i)
    return list(groups.values())


def _oriented(key: str, value: torch.Tensor, symmetries: int) -> torch.Tensor:
    """A policy input repeated for ``symmetries`` orientations of the map: only the
    coordinates turn; the matrices and demands are the same in every one."""
    return augmented(value, symmetries) if key == "locs" else start_major(value, symmetries)


def _distinct(routes: Routes) -> tuple:
    """What two solutions share when they are the same routes in another order."""
    return tuple(sorted(map(tuple, routes)))


def _resplit(instance: Instance, ranked: list[tuple[float, Routes]]) -> list[tuple[float, Routes]]:
    """The best of ``ranked`` and of every entry's customer order cut again by the optimal split."""
    from nco.refine.split import split  # imports the refiner package (PyVRP): only when asked for

    if problem_of(instance) == "atsp":  # one route: nothing to cut
        return ranked
    unlimited = instance.replace(num_vehicles=None)
    cut = [split(unlimited, np.concatenate(routes), 0.0, max_overload=1.0) for _, routes in ranked]
    return sorted(ranked + [(check(unlimited, routes).cost, routes) for routes in cut], key=lambda item: item[0])


def _fit_fleet(instance: Instance, routes: Routes) -> Routes:
    """``routes``, or their giant tour re-cut into at most ``instance.num_vehicles`` routes."""
    from nco.refine.split import split  # imports the refiner package (PyVRP): only when a re-cut is needed

    fleet = instance.num_vehicles
    if fleet is None or len(routes) <= fleet:
        return routes
    return split(instance, np.concatenate(routes), 0.0, max_overload=1.0)


_THREADS_LOCK = threading.Lock()
_THREADS_USERS = 0
_THREADS_BEFORE = 0


@contextmanager
def _torch_threads(count: int) -> Iterator[None]:
    """Run the block on ``count`` torch threads; the process's setting is restored when the
    last concurrent user leaves (torch's setting is process-wide, and the HTTP server decodes
    in several threads at once)."""
    global _THREADS_USERS, _THREADS_BEFORE
    with _THREADS_LOCK:
        if _THREADS_USERS == 0:
            _THREADS_BEFORE = torch.get_num_threads()
            torch.set_num_threads(count)
        _THREADS_USERS += 1
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _THREADS_USERS -= 1
            if _THREADS_USERS == 0:
                torch.set_num_threads(_THREADS_BEFORE)
