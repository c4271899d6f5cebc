"""``baton history THREAD``: the thread's checkpoints, oldest first."""

from __future__ import annotations

import argparse
from typing import Any

from baton import exit_codes
from baton.console import print_json, say
from baton.runtime import config_for
from baton.thread_view import opened_thread


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``history``."""
    parser = commands.add_parser("history", help="list a thread's checkpoints")
    parser.add_argument("thread", help="thread id")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(handler=history_command)


def history_command(args: argparse.Namespace) -> int:
    """Print one row per checkpoint: step, source, id, the run that made it, time, next."""
    with opened_thread(args.thread) as (rt, _):
        snapshots = list(rt.graph.get_state_history(config_for(args.thread)))
    rows: list[dict[str, Any]] = []
    for snapshot in reversed(snapshots):
        metadata = snapshot.metadata or {}
        rows.append(
            {
                "checkpoint_id": snapshot.config["configurable"]["checkpoint_id"],
                "step": metadata.get("step"),
                "source": metadata.get("source"),
                "run_id": metadata.get("run_id"),
                "next": list(snapshot.next),
                "created_at": snapshot.created_at,
            }
        )
    if args.json:
        print_json(rows)
        return exit_codes.DONE
    say(f"{'STEP':>4}  {'SOURCE':<6}  {'CHECKPOINT':<36}  {'RUN':<36}  {'CREATED':<32}  NEXT")
    for row in rows:
        nxt = ", ".join(row["next"]) or "-"
        say(
            f"{row['step']!s:>4}  {row['source'] or '':<6}  {row['checkpoint_id']:<36}  "
            f"{row['run_id'] or '-':<36}  {row['created_at'] or '':<32}  {nxt}"
        )
    return exit_codes.DONE
