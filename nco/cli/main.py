"""The ``nco`` command: one entry point, one subcommand group per module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from nco.errors import NcoError, failure

# Each module in nco.cli named here defines ``register(subparsers)``; it adds its own
# subcommand(s) and sets ``func`` on the parsed namespace. Keep the CLI thin: modules parse
# arguments and call library functions.
COMMANDS = [
    "osrm",
    "data",
    "solve",
    "batch",
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
    """Run one command; every failure is one line on stderr, never a traceback.

    Exit status: 0 done, 2 any error nco raises on purpose (bad input, no solution, OSRM),
    1 a bug (``NCO_DEBUG=1`` shows its traceback), 130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    prefix = f"nco {args.command}"
    try:
        return int(args.func(args) or 0)
    except NcoError as exc:
        print(f"{prefix}: error: {failure(exc).error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # whoever read stdout went away (nco solve ... | head): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except Exception as exc:
        if os.environ.get("NCO_DEBUG"):
            raise
        detail = " ".join(str(exc).split())[:300]
        print(f"{prefix}: {failure(exc).error}: {detail} (NCO_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


def entry() -> None:
    """The console script: :func:`main`, then exit.

    After ``nco solve`` the process leaves without the interpreter's teardown: freeing torch
    and a large instance object by object took about 1 s at 1000 stops, and a solve leaves
    no thread to join or file to close (its output is written and flushed first).
    """
    code = main()
    if sys.argv[1:2] == ["solve"]:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
