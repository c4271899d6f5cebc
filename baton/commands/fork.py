"""``baton fork THREAD [--to NEW] [--dry-run]``: copy a thread to try a different decision."""

from __future__ import annotations

import argparse

from baton import exit_codes
from baton.console import print_json, say
from baton.errors import BadInput
from baton.inputs import checked_thread_id, new_thread_id
from baton.settings import load_settings
from baton.upkeep import opened_saver
from persistence.checkpoint_lookups import thread_exists


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``fork``."""
    parser = commands.add_parser(
        "fork",
        help="copy a thread under a new id",
        description="Copy every checkpoint of THREAD under NEW, so a waiting approval can be "
        "answered differently on each. Effects run under the new thread's own ledger keys.",
    )
    parser.add_argument("thread", help="thread id to copy")
    parser.add_argument("--to", metavar="NEW", help="the new thread id (default: a new one)")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be copied")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=fork_command)


def fork_command(args: argparse.Namespace) -> int:
    """Validate both ids, then copy."""
    source = checked_thread_id(args.thread)
    target = checked_thread_id(args.to) if args.to is not None else new_thread_id()
    settings = load_settings()
    if not thread_exists(settings.database, source):
        raise BadInput(f"unknown thread {source}")
    if thread_exists(settings.database, target):
        raise BadInput(f"thread {target} exists")
    checkpoints = writes = 0
    if not args.dry_run:
        with opened_saver(settings) as saver:
            copied = saver.copy_thread_counted(source, target)
            checkpoints, writes = copied.checkpoints, copied.writes
    if args.json:
        print_json(
            {
                "source": source,
                "thread_id": target,
                "dry_run": args.dry_run,
                "checkpoints": checkpoints,
                "writes": writes,
            }
        )
    elif args.dry_run:
        say(f"would copy thread {source} to {target}; nothing written")
    else:
        say(f"forked {source} -> {target} ({checkpoints} checkpoints, {writes} writes)")
        say(f"continue it with: baton resume {target}")
    return exit_codes.DONE
