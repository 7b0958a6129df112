"""``nco solve-batch``: solve a folder or JSONL file of problems on Ray; answers to JSONL."""

from __future__ import annotations

import argparse
import sys

from nco.cli.solve import add_solve_options


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "solve-batch",
        help="solve many problems in parallel on Ray (a local Ray, or a cluster with --address)",
        description="Solve every problem in a folder of problem files (VROOM or nco JSON, VRPLIB) or "
        "in a JSONL file (one VROOM problem per line, optional \"id\") and append one JSON line per "
        "problem to OUTPUT: nco solve's answer with the problem's \"id\", or {id, code, error, field}. "
        "Problems OUTPUT already answers are skipped, so an interrupted batch resumes. Exit status 2 "
        "when some problems got an error record.",
    )
    parser.add_argument("input", help="a folder of problem files, or a JSONL file")
    parser.add_argument("-o", "--output", required=True, help="the JSONL file answers are appended to")
    add_solve_options(parser, osrm_help="OSRM server for problems without matrices (every worker must reach it)")
    parser.add_argument(
        "--workers", type=int, help="problems at once, 1 CPU each (default: every CPU of this machine or cluster)"
    )
    parser.add_argument("--address", help="an existing Ray cluster ('auto', 'ray://head:10001'); default: a local Ray")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nco.batch.progress import ProgressBar
    from nco.batch.solve import solve_batch

    with ProgressBar(disable=args.quiet) as bar:
        summary = solve_batch(
            args.input,
            args.output,
            method=args.method,
            time_limit=args.time_limit,
            seed=args.seed,
            osrm_url=args.osrm_url,
            allow_haversine=args.allow_haversine,
            workers=args.workers,
            address=args.address,
            progress=bar,
        )
    if not args.quiet:
        print(
            f"nco: {summary.solved} solved, {summary.failed} failed, {summary.skipped} answered before; "
            f"{summary.wall:.1f} s -> {args.output}",
            file=sys.stderr,
        )
    return 2 if summary.failed else 0
