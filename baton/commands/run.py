"""``baton run "REQUEST"``: a turn on a thread (a new one, or the next turn of a conversation)."""

from __future__ import annotations

import argparse
from typing import Any

from baton.errors import BadInput
from baton.execution import announce_models, drive
from baton.inputs import checked_request, checked_thread_id, new_thread_id
from baton.lease import ThreadBusy, thread_lease
from baton.outcome import report
from baton.pending import refuse_new_turn
from baton.runtime import Runtime, config_for, open_runtime
from baton.settings import ensure_home_writable, load_settings, require_world
from persistence.checkpoint_lookups import thread_exists


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``run``."""
    parser = commands.add_parser(
        "run",
        help="run a request: a new thread, or the next turn of one",
        description="Run REQUEST as a turn: on a new thread, or with --thread on an existing "
        "conversation whose last turn finished. Runs until the turn finishes or waits for an "
        "approval. Exit 0 done, 1 failed, 2 bad input, 3 waiting for approval.",
    )
    parser.add_argument("request", help="what to do, in plain language (at most 4000 chars)")
    parser.add_argument("--thread", metavar="ID", help="thread to run it on (default: a new one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object, no progress")
    parser.set_defaults(handler=run_command)


def _checkpoint_id(rt: Runtime, thread_id: str) -> str | None:
    snapshot = rt.graph.get_state(config_for(thread_id))
    return str((snapshot.config or {}).get("configurable", {}).get("checkpoint_id") or "") or None


def ready_for_a_turn(rt: Runtime, thread_id: str) -> str | None:
    """Refuse (``BadInput``) a thread that cannot take a turn; its checkpoint id, if any."""
    if not thread_exists(rt.settings.database, thread_id):
        return None
    snapshot = rt.graph.get_state(config_for(thread_id), subgraphs=True)
    refusal = refuse_new_turn(snapshot, thread_id)
    if refusal is not None:
        raise BadInput(refusal)
    return _checkpoint_id(rt, thread_id)


def run_command(args: argparse.Namespace) -> int:
    """Validate everything, then run; nothing is written before validation passes."""
    request = checked_request(args.request)
    thread_id = checked_thread_id(args.thread) if args.thread is not None else new_thread_id()
    settings = load_settings()
    require_world(settings)
    ensure_home_writable(settings)
    with open_runtime(settings) as rt:
        seen = ready_for_a_turn(rt, thread_id)
        if not args.json:
            print(f"thread: {thread_id}", flush=True)
        with thread_lease(settings.database, thread_id) as lease:
            now = _checkpoint_id(rt, thread_id) if seen else None
            if now != seen or (seen is None and thread_exists(settings.database, thread_id)):
                raise ThreadBusy(f"thread {thread_id} is busy: another baton process moved it on")
            if not args.json:
                announce_models(rt)
            turn: dict[str, Any] = {"request": request}
            outcome = drive(rt, turn, thread_id, show_progress=not args.json, heartbeat=lease.renew)
    return report(outcome, args.json)
