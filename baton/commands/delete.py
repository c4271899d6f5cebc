"""``baton delete THREAD [--dry-run]``: remove one thread's checkpoints."""

from __future__ import annotations

import argparse

from baton import exit_codes
from baton.errors import BadInput
from baton.inputs import checked_thread_id
from baton.settings import load_settings
from baton.thread_index import thread_exists
from baton.upkeep import opened_saver, report_removal


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``delete``."""
    parser = commands.add_parser(
        "delete",
        help="delete a thread's checkpoints",
        description="Delete every checkpoint and pending write of THREAD, then VACUUM. The "
        "effect ledger keeps its record of what was done.",
    )
    parser.add_argument("thread", help="thread id")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=delete_command)


def delete_command(args: argparse.Namespace) -> int:
    """Validate the thread, then delete it (or count what would go)."""
    thread_id = checked_thread_id(args.thread)
    settings = load_settings()
    if not thread_exists(settings.db_path, thread_id):
        raise BadInput(f"unknown thread {thread_id}")
    with opened_saver(settings) as saver:
        removal = saver.delete_threads([thread_id], dry_run=args.dry_run)
        returned = None if args.dry_run else saver.vacuum()
    report_removal(removal, returned, args.json)
    return exit_codes.DONE
