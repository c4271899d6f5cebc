"""``baton threads``: every thread, its status, request and last update."""

from __future__ import annotations

import argparse
from typing import Any

from baton import exit_codes
from baton.console import first_line, print_json, say
from baton.settings import home_path
from baton.thread_list import list_threads


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``threads``."""
    parser = commands.add_parser("threads", help="list threads, most recent first")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(handler=threads_command)


def threads_command(args: argparse.Namespace) -> int:
    """List threads; with none, say so. Reads only: works on a read-only home."""
    rows: list[dict[str, Any]] = list_threads(home_path() / "baton.db")
    if args.json:
        print_json(rows)
        return exit_codes.DONE
    if not rows:
        say("no threads yet")
        return exit_codes.DONE
    width = max(len("THREAD"), *(len(row["thread_id"]) for row in rows))
    say(f"{'THREAD':<{width}}  {'STATUS':<16}  {'UPDATED':<32}  REQUEST")
    for row in rows:
        say(
            f"{row['thread_id']:<{width}}  {row['status']:<16}  {row['updated_at'] or '':<32}  "
            f"{first_line(row['request'], 60)}"
        )
    return exit_codes.DONE
