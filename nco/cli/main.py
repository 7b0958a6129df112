"""The ``nco`` command: one entry point, one subcommand group per module."""

from __future__ import annotations

import argparse
import importlib
import sys

from nco.errors import NcoError

# Each module in nco.cli named here defines ``register(subparsers)``; it adds its own
# subcommand(s) and sets ``func`` on the parsed namespace. Keep the CLI thin: modules parse
# arguments and call library functions.
COMMANDS = [
    "osrm",
    "data",
    "solve",
    "serve",
    "eval",
    "train",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nco",
        description="Neural vehicle routing on real road matrices.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"nco.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NcoError as exc:
        print(f"nco {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
