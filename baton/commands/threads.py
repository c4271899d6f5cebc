"""``baton threads``: every thread, its status, request and last update."""

from __future__ import annotations

import argparse

from baton import exit_codes
from baton.console import first_line, print_json, say
from baton.settings import home_path, light_setting, load_settings
from persistence.database import POSTGRES_URL, Database, PostgresDatabase, SqliteDatabase
from persistence.thread_summaries import thread_summaries


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``threads``."""
    parser = commands.add_parser("threads", help="list threads, most recent first")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(handler=threads_command)


def threads_command(args: argparse.Namespace) -> int:
    """List threads, most recent first; with none, say so. Reads only.

    Each status is read straight from the checkpoint store (``baton.db``, or PostgreSQL
    with ``BATON_DATABASE_URL``; ``persistence.thread_summaries``), without loading
    LangGraph or the settings: quick, and it works on a read-only home.
    """
    rows = thread_summaries(_database())
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


def _database() -> Database:
    """The engine the settings select, read without loading them (one URL, or the home)."""
    url = light_setting("BATON_DATABASE_URL")
    if url is None:
        return SqliteDatabase(home_path() / "baton.db")
    if not POSTGRES_URL.match(url):
        return load_settings().database  # refuses the URL with the settings' one-line error
    return PostgresDatabase(url)
