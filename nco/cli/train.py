"""``nco train`` (REINFORCE), ``nco labels`` and ``nco imitate`` (the imitation warm start)."""

from __future__ import annotations

import argparse
from pathlib import Path

from nco.policies.labels import VAL_SHARDS  # a constant: no torch is imported with it


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train the attention policy with REINFORCE (Lightning)",
        description="Train on instances sampled from the training-city pools. Writes metrics.csv "
        "(train/val cost per epoch), epoch_<k>.pt, policy_last.pt / policy_best.pt (load with nco.load_policy or "
        "nco eval policy) and last.ckpt (for --resume) into --out.",
    )
    p.add_argument("--problem", choices=("acvrp", "atsp"), default="acvrp")
    p.add_argument("--num-loc", type=int, default=20, help="customers per instance (default: %(default)s)")
    p.add_argument(
        "--curriculum",
        help="sizes trained in turn, e.g. 20,50,100 (epochs split evenly) or 20:2,50:4,100:10; overrides --num-loc",
    )
    p.add_argument("--epochs", type=int, default=10, help="total epochs (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=64, help="instances per step (default: %(default)s)")
    p.add_argument("--train-size", type=int, default=6400, help="instances per epoch (default: %(default)s)")
    p.add_argument("--val-size", type=int, default=256, help="validation instances (default: %(default)s)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default: %(default)s)")
    p.add_argument("--lr-final", type=float, help="anneal the learning rate along a cosine to this by the last step")
    p.add_argument(
        "--warmup-steps", type=int, default=0, help="raise the learning rate linearly from 0 over this many first steps"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--baseline",
        choices=("pomo", "shared", "rollout", "exponential"),
        default="pomo",
        help="pomo: K rollouts from K different first customers, mean as baseline; shared: K sampled "
        "rollouts, mean as baseline; rollout: greedy rollout of a frozen copy (default: %(default)s)",
    )
    p.add_argument("--num-samples", type=int, default=8, help="K rollouts per instance for pomo/shared (default: %(default)s)")
    p.add_argument("--pools", help="comma-separated training cities (default: all of them; a test city is refused)")
    p.add_argument("--embed-dim", type=int, default=128)
    p.add_argument("--num-layers", type=int, default=3)
    p.add_argument("--no-edge-bias", action="store_true", help="ablation: ignore the matrix in the encoder")
    p.add_argument("--no-coords", action="store_true", help="do not feed lon/lat to the encoder")
    p.add_argument("--out", type=Path, required=True, help="run folder")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last.ckpt")
    p.add_argument("--init", type=Path, help="start from this policy checkpoint's weights and sizes (fine-tune)")
    p.add_argument(
        "--val-labels",
        type=Path,
        help="label folder (nco labels) whose held-out shards choose policy_best.pt by greedy gap; "
        "the curve goes to val_gap.csv (default: the validation cost chooses)",
    )
    p.add_argument(
        "--val-shards",
        type=int,
        default=VAL_SHARDS,
        help="first shards of --val-labels held out (0: all, for a folder held out whole, e.g. a validation city's)",
    )
    p.add_argument(
        "--augment",
        action="store_true",
        help="show each training instance's map mirrored or turned at random (the matrix is unchanged)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (1 is fastest on a busy shared CPU)")
    lightning = p.add_argument_group("Lightning Trainer (passed through)")
    lightning.add_argument("--accelerator", default="cpu")
    lightning.add_argument("--devices", default="1")
    lightning.add_argument("--num-nodes", type=int, default=1)
    lightning.add_argument("--strategy", default="auto")
    lightning.add_argument("--precision", default="32-true")
    p.set_defaults(func=_train)
    _register_imitation(subparsers)


def _train(args: argparse.Namespace) -> int:
    from nco.policies.policy import PolicyConfig
    from nco.policies.training import TrainConfig, parse_curriculum, train

    cfg = TrainConfig(
        problem=args.problem,
        curriculum=parse_curriculum(args.curriculum or str(args.num_loc), args.epochs),
        batch_size=args.batch_size,
        train_size=args.train_size,
        val_size=args.val_size,
        lr=args.lr,
        lr_final=args.lr_final,
        warmup_steps=args.warmup_steps,
        seed=args.seed,
        baseline=args.baseline,
        num_samples=args.num_samples,
        pools=args.pools.split(",") if args.pools else None,
        out=args.out,
        resume=args.resume,
        accelerator=args.accelerator,
        devices=int(args.devices) if args.devices.isdigit() else args.devices,
        num_nodes=args.num_nodes,
        strategy=args.strategy,
        precision=args.precision,
        threads=args.threads,
        init=args.init,
        val_labels=args.val_labels,
        val_shards=args.val_shards or None,
        augment=args.augment,
        policy=PolicyConfig(
            problem=args.problem,
            embed_dim=args.embed_dim,
            num_layers=args.num_layers,
            edge_bias=not args.no_edge_bias,
            use_coords=not args.no_coords,
        ),
    )
    best = train(cfg)
    print(f"best policy: {best}")
    return 0


def _register_imitation(subparsers: argparse._SubParsersAction) -> None:
    """``nco labels`` (refiner tours of training-city instances) and ``nco imitate`` (learn them)."""
    labels = subparsers.add_parser(
        "labels",
        help="label training-city instances with the genetic refiner or a policy (resumable, for nco imitate)",
        description="Writes shards of solved instances into --out, cycling through --sizes; a stopped run "
        "resumes where it left off. Only training cities are sampled.",
    )
    labels.add_argument("--out", type=Path, required=True, help="shard folder")
    labels.add_argument("--problem", choices=("acvrp", "atsp"), default="acvrp")
    labels.add_argument("--sizes", default="50,100,100,200", help="customers per shard, cycled (default: %(default)s)")
    labels.add_argument("--shards", type=int, default=1000, help="stop after this many shards (default: %(default)s)")
    labels.add_argument("--per-shard", type=int, default=32, help="instances per shard (default: %(default)s)")
    labels.add_argument("--seconds-per-100", type=float, default=0.4, help="refiner seconds per 100 customers")
    labels.add_argument("--seed", type=int, default=0)
    labels.add_argument(
        "--teacher",
        type=Path,
        help="label with this policy checkpoint's best --teacher-decode instead of the refiner (self-improvement)",
    )
    labels.add_argument(
        "--teacher-decode", default="multistart+aug+split", help="the teacher's decoding (default: %(default)s)"
    )
    labels.add_argument(
        "--pools", help="comma-separated training cities to sample (default: all of them; e.g. all but one, "
        "and the one left out for a validation set of its own)"
    )
    labels.set_defaults(func=_labels)
    imitate = subparsers.add_parser(
        "imitate",
        help="train the policy on refiner labels (teacher forcing; resumable)",
        description="Writes curve.csv (greedy gap to the labels of held-out shards per epoch), state.pt "
        "(for resuming), epoch_<k>.pt, policy_last.pt and policy_best.pt into --out. Fine-tune the result with "
        "`nco train --init`.",
    )
    imitate.add_argument("--labels", type=Path, required=True, help="shard folder of `nco labels`")
    imitate.add_argument("--out", type=Path, required=True, help="run folder (resumed when it holds a run)")
    imitate.add_argument("--init", type=Path, help="start from this policy checkpoint")
    imitate.add_argument("--epochs", type=int, default=10)
    imitate.add_argument("--batch-size", type=int, default=32)
    imitate.add_argument("--lr", type=float, default=2e-4)
    imitate.add_argument(
        "--lr-final", type=float, help="anneal the learning rate along a cosine to this by the last epoch"
    )
    imitate.add_argument("--val-shards", type=int, default=VAL_SHARDS, help="first shards held out for the curve")
    imitate.add_argument("--seed", type=int, default=0)
    imitate.add_argument(
        "--route-order",
        choices=("shuffle", "sweep", "keep"),
        default="shuffle",
        help="order of a label's routes each time it is seen: at random, swept around the depot "
        "from the farthest customer's route, or as labelled (a policy teacher's own order) (default: %(default)s)",
    )
    imitate.add_argument(
        "--val-labels", type=Path, help="shard folder held out whole for the curve (default: the first --val-shards)"
    )
    imitate.add_argument("--augment", action="store_true", help="each label in a random orientation of the map")
    imitate.add_argument(
        "--any-route", action="store_true", help="where a route starts, any route the label has not built counts as right"
    )
    imitate.set_defaults(func=_imitate)


def _labels(args: argparse.Namespace) -> int:
    from nco.policies.labels import generate, policy_labels, refiner_labels

    sizes = tuple(int(size) for size in args.sizes.split(","))
    pools = args.pools.split(",") if args.pools else None
    labeller, teacher = refiner_labels, "refiner"
    if args.teacher:
        from nco.policies.checkpoint import load_policy

        labeller = policy_labels(load_policy(args.teacher), args.teacher_decode)
        teacher = f"{args.teacher}:{args.teacher_decode}"
    generate(
        args.out, args.problem, sizes, args.shards, args.per_shard, args.seconds_per_100, args.seed, pools,
        labeller=labeller, teacher=teacher,
    )
    return 0


def _imitate(args: argparse.Namespace) -> int:
    from nco.policies.imitation import ImitationConfig, imitate

    cfg = ImitationConfig(
        labels=args.labels,
        out=args.out,
        init=args.init,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        val_shards=args.val_shards,
        seed=args.seed,
        route_order=args.route_order,
        val_labels=args.val_labels,
        augment=args.augment,
        lr_final=args.lr_final,
        any_route=args.any_route,
    )
    print(f"best policy: {imitate(cfg)}")
    return 0
