"""The ``baton`` command: argument parsing and the one place errors become exit codes.

Every command module imports LangGraph inside its handler, so ``baton --help`` is fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from baton import exit_codes
from baton.commands import (
    chat,
    delete,
    demo,
    fork,
    history,
    prune,
    resume,
    run,
    serve,
    show,
    threads,
    trace,
    world,
)
from baton.console import warn
from baton.errors import BadInput
from persistence.database import DatabaseUnavailableError


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("baton")
        except PackageNotFoundError:  # run from a checkout that was never installed
            found = "unknown (not installed)"
        print(f"baton {found}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The parser for every ``baton`` subcommand."""
    parser = argparse.ArgumentParser(
        prog="baton",
        description="Durable multi-agent runs: triage, plan, parallel workers, human approval. "
        "Exit codes: 0 done, 1 failed, 2 bad input, 3 waiting for approval.",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (
        run,
        chat,
        resume,
        threads,
        show,
        history,
        trace,
        demo,
        world,
        fork,
        prune,
        delete,
        serve,
    ):
        module.add_parser(commands)
    return parser


def _tolerant_output() -> None:
    """Never fail on a character the terminal's encoding lacks."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one ``baton`` command and return its exit code."""
    _tolerant_output()
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, or argparse's one-line usage error (exit 2)
        return exc.code if isinstance(exc.code, int) else exit_codes.BAD_INPUT
    try:
        code: int = args.handler(args)
    except BadInput as exc:
        warn(f"baton: error: {exc}")
        return exit_codes.BAD_INPUT
    except DatabaseUnavailableError as exc:  # the server is down or the URL points nowhere
        warn(f"baton: error: {exc}")
        return exit_codes.FAILED
    except BrokenPipeError:  # the reader went away (`baton show X | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return exit_codes.FAILED
    except KeyboardInterrupt:
        warn("baton: interrupted; the thread continues from its last checkpoint with baton resume")
        return exit_codes.INTERRUPTED
    except Exception as exc:  # the CLI boundary: one line, never a traceback
        if os.environ.get("BATON_DEBUG"):
            raise
        message = " ".join(str(exc).split()) or "(no message)"
        warn(
            f"baton: internal error: {type(exc).__name__}: {message} "
            "(set BATON_DEBUG=1 for the traceback)"
        )
        return exit_codes.FAILED
    return code
