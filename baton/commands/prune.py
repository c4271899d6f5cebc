"""``baton prune [--keep N | --before DATE] [--dry-run]``: drop old checkpoint history."""

from __future__ import annotations

import argparse
from datetime import datetime

from baton import exit_codes
from baton.errors import BadInput
from baton.settings import load_settings
from baton.upkeep import opened_saver, report_removal
from persistence.checkpoint_lookups import thread_ids


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``prune``."""
    parser = commands.add_parser(
        "prune",
        help="drop old checkpoints (keep the latest N per thread, or finished threads)",
        description="Keep the latest N checkpoints of each thread and each of its subgraphs "
        "(waiting threads still resume, and every kept checkpoint reads as before), or "
        "delete the threads that finished before DATE; then VACUUM (SQLite).",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--keep", type=int, metavar="N", help="checkpoints to keep per thread")
    which.add_argument("--before", metavar="DATE", help="ISO date: delete threads finished before")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=prune_command)


def _cutoff(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"invalid date {text!r}: use ISO 8601, e.g. 2025-01-31") from None


def prune_command(args: argparse.Namespace) -> int:
    """Validate, then prune (or count) and vacuum."""
    if args.keep is not None and args.keep < 1:
        raise BadInput("--keep must be at least 1")
    cutoff = _cutoff(args.before) if args.before is not None else None
    settings = load_settings()
    if not thread_ids(settings.database):
        raise BadInput("no threads to prune")
    if cutoff is not None:
        from baton.runtime import config_for, open_runtime
        from baton.thread_view import TERMINAL, thread_status
        from persistence.checkpoint_upkeep import CheckpointUpkeep

        with open_runtime(settings) as rt:
            saver = rt.graph.checkpointer
            if not isinstance(saver, CheckpointUpkeep):
                raise TypeError("the runtime's checkpointer is not Baton's saver")

            def finished(thread_id: str) -> bool:
                return thread_status(rt.graph.get_state(config_for(thread_id))) in TERMINAL

            removal = saver.delete_finished_before(cutoff, finished, dry_run=args.dry_run)
            returned = None if args.dry_run else saver.reclaim_space()
    else:
        with opened_saver(settings) as saver:
            removal = saver.prune_history(args.keep, dry_run=args.dry_run)
            returned = None if args.dry_run else saver.reclaim_space()
    report_removal(removal, returned, args.json)
    return exit_codes.DONE
