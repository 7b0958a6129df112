"""``nco eval``: measure methods on test sets (``compare``: all methods at equal budgets)."""

from __future__ import annotations

import argparse

from nco.baselines import get_solver, list_solvers
from nco.harness import compare, load_testset, load_vrplib_dir, markdown_table, write_reports


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="evaluate methods on test sets")
    sub = parser.add_subparsers(dest="eval_command", metavar="ACTION", required=True)
    _register_compare(sub)
    _register_policy(sub)


def _register_compare(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="run methods at equal time budgets; write Markdown, CSV, JSON and a cost-vs-time PNG",
        description="One row per method and budget: mean cost, mean gap to the reference (the "
        "test set's ref, a VRPLIB .sol's BKS, else the best found here), mean wall time measured "
        "by the harness, and how many runs were feasible.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--testset", metavar="NAME", help="a test set name (e.g. acvrp_n100_unseen) or an .npz batch")
    source.add_argument("--vrplib", metavar="DIR", help="a folder of .vrp files (BKS from same-named .sol files)")
    p.add_argument(
        "--methods",
        type=_names,
        default="nn,savings,ortools,pyvrp",
        help=f"comma-separated, from: {', '.join(list_solvers())} (default: %(default)s)",
    )
    p.add_argument("--budgets", type=_budgets, default="0.5,1,2", help="seconds per run, comma-separated (default: %(default)s)")
    p.add_argument("--seeds", type=_positive, default=1, help="number of seeds, 0..K-1 (default: %(default)s)")
    p.add_argument("--out", required=True, help="folder for compare.md/.csv/.json/.png")
    p.add_argument(
        "--workers", type=_positive, default=1, help="instances at once on Ray (default 1: timings must not share cores)"
    )
    p.add_argument("--address", help="with --workers: an existing Ray cluster (default: a local Ray)")
    p.add_argument("--limit-instances", type=_positive, metavar="K", help="use only the first K instances")
    p.set_defaults(func=_compare)


def _compare(args: argparse.Namespace) -> int:
    methods = {name: get_solver(name) for name in args.methods}  # fail on unknown names before solving
    if args.testset:
        instances, refs = load_testset(args.testset)
    else:
        instances, refs = load_vrplib_dir(args.vrplib)
    if args.limit_instances:
        instances = instances[: args.limit_instances]
        refs = None if refs is None else refs[: args.limit_instances]
    result = compare(instances, refs, methods, args.budgets, range(args.seeds), workers=args.workers, address=args.address)
    result.meta.update(source=args.testset or args.vrplib, instances=len(instances))
    paths = write_reports(result, args.out, title=f"{args.testset or args.vrplib}: {len(instances)} instances")
    print(markdown_table(result), end="")
    for path in paths:
        print(path)
    return 0


def _register_policy(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "policy",
        help="evaluate a policy checkpoint on a test set; write JSON and Markdown",
        description="Mean cost, mean gap to the test set's ref, batched ms/instance; every solution "
        "is checked by the validator.",
    )
    p.add_argument("--checkpoint", help="a policy .pt (default: the shipped ACVRP checkpoint)")
    p.add_argument("--testset", required=True, metavar="NAME", help="e.g. acvrp_n100_unseen")
    p.add_argument("--decode", default="greedy", help="greedy, sample:K, multistart[:S] or merge[:K] (savings steered by the policy; K: best of K perturbed), each optionally +aug (8 map orientations) and/or +split (default: %(default)s)")
    p.add_argument("--limit-instances", type=_positive, metavar="K", help="use only the first K instances")
    p.add_argument("--out", default="runs/eval", help="folder for the .json/.md (default: %(default)s)")
    p.set_defaults(func=_policy)


def _policy(args: argparse.Namespace) -> int:
    from nco.policies.evaluate import evaluate_checkpoint, markdown, write_eval

    row = evaluate_checkpoint(args.checkpoint, args.testset, args.decode, args.limit_instances)
    stem = f"policy_{args.testset}_{args.decode.replace(':', '')}"
    print(markdown([row]), end="")
    for path in write_eval([row], args.out, stem):
        print(path)
    return 0


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give at least one method")
    return names


def _budgets(text: str) -> list[float]:
    try:
        budgets = [float(b) for b in text.split(",") if b.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"budgets must be numbers of seconds ({exc})") from exc
    if not budgets or min(budgets) <= 0:
        raise argparse.ArgumentTypeError("budgets must be positive seconds")
    return budgets


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return int(text)
