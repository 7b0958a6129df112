"""``nco osrm``: install the OSRM tools, fetch the example map, build and serve datasets."""

from __future__ import annotations

import argparse
import signal
import sys

# nco.osrm (requests, subprocess management) is imported by each action: every `nco` command
# builds this parser, and `nco solve` should not pay for the OSRM tools.


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("osrm", help="OSRM toolchain: install, build, serve")
    sub = parser.add_subparsers(dest="osrm_command", metavar="ACTION", required=True)

    p = sub.add_parser("install", help="find or download the OSRM binaries and profiles")
    p.add_argument("--force", action="store_true", help="re-download into the cache")
    p.set_defaults(func=_install)

    p = sub.add_parser("example", help="fetch the Monaco extract from the osrm-bindings sdist")
    p.set_defaults(func=_example)

    p = sub.add_parser("build", help="extract (car), partition and customize an OSM extract")
    p.add_argument("extract", help="an .osm.pbf, .osm or .osm.gz file")
    p.add_argument("--out", help="dataset folder (default: ~/.cache/nco/datasets/<city>)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.set_defaults(func=_build)

    p = sub.add_parser("serve", help="run osrm-routed on a built dataset until interrupted")
    p.add_argument("dataset", help="the <city>.osrm path printed by `nco osrm build`")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback)")
    p.add_argument("--max-table-size", type=int, help="largest table side the server accepts (default: OsrmServer's)")
    p.set_defaults(func=_serve)


def _install(args: argparse.Namespace) -> int:
    from nco.osrm import install

    tools = install(force=args.force)
    print(f"OSRM binaries: {tools.bin_dir}")
    print(f"OSRM profiles: {tools.profiles_dir}")
    return 0


def _example(args: argparse.Namespace) -> int:
    from nco.osrm import example_extract

    print(example_extract())
    return 0


def _build(args: argparse.Namespace) -> int:
    from nco.osrm import build

    result = build(args.extract, workdir=args.out, force=args.force)
    for step, seconds in result.timings.items():
        print(f"{step:<10} {seconds:6.2f} s")
    print(result.dataset)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from nco.osrm import OsrmServer

    limits = {} if args.max_table_size is None else {"max_table_size": args.max_table_size}
    server = OsrmServer(args.dataset, port=args.port, host=args.host, **limits)
    # SIGTERM (e.g. from a process supervisor) must unwind the `with` too, or the
    # osrm-routed child would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with server:
        print(f"osrm-routed serving {args.dataset} on {server.url} (Ctrl-C stops it)", flush=True)
        try:
            return server.wait()
        except KeyboardInterrupt:
            return 0
