"""``nco solve``: solve a VROOM-shaped JSON (or VRPLIB) problem; print routes, draw a map."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from nco.api import METHODS
from nco.errors import InputError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "solve",
        help="solve a routing problem (VROOM JSON, nco instance JSON or VRPLIB)",
        description="Solve a VROOM-shaped JSON problem (or an nco instance JSON, or a VRPLIB .vrp "
        "file) and write VROOM-shaped JSON routes; nco's extras sit under the 'nco' key.",
    )
    parser.add_argument("input", help="problem file; '-' reads JSON from stdin")
    parser.add_argument("-o", "--output", default="-", help="where to write the JSON routes ('-' = stdout, default)")
    parser.add_argument("--plot", metavar="PNG", help="also draw the routes on a map")
    add_solve_options(parser, osrm_help="OSRM server for matrices (when the input has none) and map geometry")
    parser.add_argument("--quiet", action="store_true", help="no progress line")
    parser.set_defaults(func=run)


def add_solve_options(parser: argparse.ArgumentParser, osrm_help: str) -> None:
    """The options every solving command shares (``nco solve``, ``nco solve-batch``)."""
    parser.add_argument("--time-limit", type=float, default=1.0, help="seconds per problem, all included (default 1)")
    parser.add_argument("--method", choices=METHODS, default="nco", help="solver (default nco: policy + GA)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--osrm-url", help=osrm_help)
    parser.add_argument(
        "--allow-haversine", action="store_true", help="without matrices or OSRM, use great-circle estimates"
    )


def run(args: argparse.Namespace) -> int:
    from nco.api.progress import ProgressLine
    from nco.api.reading import read_problem
    from nco.api.solve import solve

    # Checked before the solve, so that a typo does not waste it.
    if args.output != "-":
        _check_writable("--output", args.output)
    if args.plot:
        _check_writable("--plot", args.plot)
    problem = read_problem(args.input)
    options = dict(
        time_limit=args.time_limit,
        method=args.method,
        seed=args.seed,
        osrm_url=args.osrm_url,
        allow_haversine=args.allow_haversine,
    )
    if args.quiet:
        result = solve(problem, **options)
    else:
        with ProgressLine(args.method, args.time_limit) as progress:
            result = solve(problem, progress=progress, **options)
            progress(result["nco"]["runtime"], result["summary"]["cost"])
    text = json.dumps(result, indent=None if args.output == "-" else 1)
    if args.output == "-":
        sys.stdout.write(text + "\n")
    else:
        try:
            Path(args.output).write_text(text + "\n")
        except OSError as exc:
            raise InputError("--output", f"cannot write {args.output} ({exc.strerror})") from None
    if args.plot:
        from nco.plotting.routes import save_route_map

        save_route_map(result, args.plot, geometry=args.osrm_url)
        if not args.quiet:
            print(f"nco: map written to {args.plot}", file=sys.stderr)
    return 0


def _check_writable(option: str, path: str) -> None:
    """Refuse a file ``option`` cannot write: a missing or read-only folder, or a folder itself."""
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(option, f"folder {folder} does not exist")
    if target.is_dir():
        raise InputError(option, f"{path} is a folder")
    if not os.access(folder, os.W_OK):
        raise InputError(option, f"folder {folder} is not writable")
