"""``nco serve``: the HTTP solve service (FastAPI on uvicorn)."""

from __future__ import annotations

import argparse
import os

# The bearer token comes from the environment: a command-line argument would show in `ps`.
TOKEN_VARIABLE = "NCO_TOKEN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the HTTP solve service (POST /solve, GET /health, /docs)",
        description="Serve POST /solve (VROOM-shaped JSON in and out), GET /health and the "
        "OpenAPI docs at /docs. The policy checkpoint is loaded once at start-up. On loopback, "
        "only requests whose Host and Origin name the loopback are answered. With "
        f"{TOKEN_VARIABLE} set, every request but /health needs 'Authorization: Bearer <token>'.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help=f"interface (default loopback); set {TOKEN_VARIABLE} on others"
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    parser.add_argument("--osrm-url", help="OSRM server for problems that give coordinates but no matrices")
    parser.add_argument("--allow-haversine", action="store_true", help="without OSRM, use great-circle estimates")
    # Defaults live in nco.api.server.Limits; importing it here would load FastAPI for --help.
    parser.add_argument("--max-time-limit", type=float, help="cap on a request's time_limit in s (default 30)")
    parser.add_argument("--max-jobs", type=int, help="jobs per request (default 1000)")
    parser.add_argument("--max-vehicles", type=int, help="vehicles per request (default 200)")
    parser.add_argument("--workers", type=int, help="problems solved at once (default: CPU count)")
    parser.add_argument("--queue", type=int, help="requests in progress or waiting; more get 503 (default 32)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from nco.api.server import Limits, run_server

    given = {
        "max_jobs": args.max_jobs,
        "max_vehicles": args.max_vehicles,
        "max_time_limit": args.max_time_limit,
        "workers": args.workers,
        "queue": args.queue,
    }
    limits = Limits(**{name: value for name, value in given.items() if value is not None})
    run_server(
        args.host,
        args.port,
        token=os.environ.get(TOKEN_VARIABLE) or None,
        limits=limits,
        osrm_url=args.osrm_url,
        allow_haversine=args.allow_haversine,
    )
    return 0
