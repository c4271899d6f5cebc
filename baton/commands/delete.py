"""``baton delete THREAD [--run RUN] [--dry-run]``: remove a thread, or undo its latest run."""

from __future__ import annotations

import argparse

from baton import exit_codes
from baton.errors import BadInput
from baton.inputs import checked_run_id, checked_thread_id
from baton.settings import load_settings
from baton.upkeep import opened_saver, report_removal
from persistence.checkpoint_lookups import run_ids, thread_exists


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``delete``."""
    parser = commands.add_parser(
        "delete",
        help="delete a thread's checkpoints, or one run of it",
        description="Delete every checkpoint and pending write of THREAD, then VACUUM. With "
        "--run, delete only what that run wrote (`baton run` and `resume` print their run "
        "id; `baton show` lists them): the latest run's removal puts the thread back where "
        "that run found it; an earlier run's removal leaves later runs' state as it was. "
        "The effect ledger keeps its "
        "record of what was done, so approving the same call again does not repeat it.",
    )
    parser.add_argument("thread", help="thread id")
    parser.add_argument("--run", metavar="RUN", help="delete only this run of the thread")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=delete_command)


def delete_command(args: argparse.Namespace) -> int:
    """Validate the thread (and run), then delete (or count what would go)."""
    thread_id = checked_thread_id(args.thread)
    run_id = checked_run_id(args.run) if args.run is not None else None
    settings = load_settings()
    if not thread_exists(settings.database, thread_id):
        raise BadInput(f"unknown thread {thread_id}")
    if run_id is not None and run_id not in run_ids(settings.database, thread_id):
        raise BadInput(f"thread {thread_id} has no run {run_id} (baton show lists its runs)")
    with opened_saver(settings) as saver:
        if run_id is None:
            removal = saver.delete_threads([thread_id], dry_run=args.dry_run)
        else:
            removal = saver.delete_for_runs_counted(
                [run_id], dry_run=args.dry_run, thread_ids=[thread_id]
            )
        returned = None if args.dry_run else saver.reclaim_space()
    report_removal(removal, returned, args.json)
    return exit_codes.DONE
