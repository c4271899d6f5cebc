"""``baton threads``: every thread, its status, request and last update."""

from __future__ import annotations

import argparse
from typing import Any

from baton import exit_codes
from baton.console import first_line, print_json, say
from baton.runtime import config_for, open_runtime
from baton.settings import home_path, light_setting, load_settings
from baton.thread_list import list_threads
from baton.thread_view import thread_status
from persistence.checkpoint_lookups import thread_ids


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``threads``."""
    parser = commands.add_parser("threads", help="list threads, most recent first")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(handler=threads_command)


def threads_command(args: argparse.Namespace) -> int:
    """List threads, most recent first; with none, say so. Reads only.

    On SQLite (the default) each status is read straight from ``baton.db``
    (``baton.thread_list``), without loading LangGraph: quick, and it works on a read-only
    home. With ``BATON_DATABASE_URL`` (PostgreSQL) it is read through the graph.
    """
    if light_setting("BATON_DATABASE_URL"):
        rows = _rows_through_the_graph()
    else:
        rows = list_threads(home_path() / "baton.db")
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


def _rows_through_the_graph() -> list[dict[str, Any]]:
    """Each thread's status from the compiled graph's own snapshot."""
    settings = load_settings()
    ids = thread_ids(settings.database)
    rows: list[dict[str, Any]] = []
    if ids:
        with open_runtime(settings, readonly=True) as rt:
            for thread_id in ids:
                snapshot = rt.graph.get_state(config_for(thread_id), subgraphs=True)
                rows.append(
                    {
                        "thread_id": thread_id,
                        "status": thread_status(snapshot),
                        "request": (snapshot.values or {}).get("request", ""),
                        "updated_at": snapshot.created_at,
                    }
                )
    return rows
