"""``baton run "REQUEST"``: start a new thread and drive it until it ends or waits."""

from __future__ import annotations

import argparse

from baton.errors import BadInput
from baton.execution import announce_models, drive
from baton.inputs import checked_request, checked_thread_id, new_thread_id
from baton.lease import ThreadBusy, thread_lease
from baton.outcome import report
from baton.runtime import open_runtime
from baton.settings import ensure_home_writable, load_settings
from persistence.checkpoint_lookups import thread_exists


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``run``."""
    parser = commands.add_parser(
        "run",
        help="start a run on a request",
        description="Start a new thread on REQUEST and run it until it finishes or waits "
        "for an approval. Exit 0 done, 1 failed, 2 bad input, 3 waiting for approval.",
    )
    parser.add_argument("request", help="what to do, in plain language (at most 4000 chars)")
    parser.add_argument("--thread", metavar="ID", help="thread id to use (default: a new one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object, no progress")
    parser.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    """Validate everything, then run; nothing is written before validation passes."""
    request = checked_request(args.request)
    thread_id = checked_thread_id(args.thread) if args.thread is not None else new_thread_id()
    settings = load_settings()
    if thread_exists(settings.database, thread_id):
        raise BadInput(f"thread {thread_id} exists; use baton resume {thread_id}")
    ensure_home_writable(settings)
    if not args.json:
        print(f"thread: {thread_id}", flush=True)
    with open_runtime(settings) as rt, thread_lease(settings.db_path, thread_id) as lease:
        if thread_exists(settings.database, thread_id):  # started by a racing `run --thread`
            raise ThreadBusy(f"thread {thread_id} is busy: another baton process started it")
        if not args.json:
            announce_models(rt)
        outcome = drive(
            rt,
            {"request": request},
            thread_id,
            show_progress=not args.json,
            heartbeat=lease.renew,
        )
    return report(outcome, args.json)
