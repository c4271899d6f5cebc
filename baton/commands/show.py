"""``baton show THREAD``: route, plan, step results, approvals, effects, answer, usage."""

from __future__ import annotations

import argparse
import time
from typing import Any

from baton import exit_codes
from baton.console import compact_json, field, print_json, say
from baton.pending import pending_approvals, print_pending, refresh_live
from baton.runtime import Runtime
from baton.thread_view import opened_thread, stopped_by, thread_status
from persistence.checkpoint_lookups import run_ids


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``show``."""
    parser = commands.add_parser("show", help="show everything about one thread")
    parser.add_argument("thread", help="thread id")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=show_command)


def _dump(value: Any) -> Any:
    """Pydantic models in state as plain JSON-ready data."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else value


def thread_details(rt: Runtime, thread_id: str, snapshot: Any) -> dict[str, Any]:
    """Everything ``show`` prints, as JSON-ready data."""
    values = snapshot.values or {}
    route = values.get("route")
    pending = pending_approvals(snapshot)
    refresh_live(pending, rt.services, thread_id, str(values.get("request") or ""))
    return {
        "thread_id": thread_id,
        "status": thread_status(snapshot),
        "request": values.get("request"),
        "route": _dump(route) if route is not None else None,
        "plan": [_dump(step) for step in values.get("plan", [])],
        "results": {sid: _dump(r) for sid, r in values.get("results", {}).items()},
        "ticket_id": values.get("ticket_id"),
        "pending": pending,
        "effects": rt.services.ledger.effects_for(thread_id),
        "audit": rt.services.audit.rows(thread_id),
        "final_answer": values.get("final_answer"),
        "error": values.get("error") or _stopped(snapshot, thread_id),
        "usage": rt.services.budget.usage(thread_id).model_dump(),
        "runs": run_ids(rt.settings.database, thread_id),
    }


def _stopped(snapshot: Any, thread_id: str) -> str | None:
    reason = stopped_by(snapshot)
    return f"{reason}; `baton resume {thread_id}` continues it" if reason else None


def show_command(args: argparse.Namespace) -> int:
    """Print the thread's details."""
    with opened_thread(args.thread) as (rt, snapshot):
        details = thread_details(rt, args.thread, snapshot)
    if args.json:
        print_json(details)
        return exit_codes.DONE
    say(f"thread:  {details['thread_id']}")
    say(f"status:  {details['status']}")
    say(f"request: {details['request']}")
    if details["route"]:
        say(f"route:   {details['route']['route']} — {details['route']['reason']}")
    _print_plan_and_results(details)
    if details["ticket_id"] is not None:
        say(f"ticket:  #{details['ticket_id']}")
    if details["pending"]:
        say("pending approvals:")
        print_pending(details["pending"], args.thread)
    say("effects:" if details["effects"] else "effects: none")
    for effect in details["effects"]:
        say(f"  {effect['tool']} {effect['status']} · {compact_json(effect['args'])}")
        if effect.get("result") is not None:
            say(f"    result: {compact_json(effect['result'])}")
        if effect.get("error"):
            say(f"    error: {effect['error']}")
    _print_audit(details["audit"])
    if details["error"]:
        say(f"error: {details['error']}")
    if details["final_answer"]:
        say("final answer:")
        for line in str(details["final_answer"]).splitlines():
            say(f"  {line}")
    say(f"runs:    {', '.join(details['runs']) or '-'} (oldest first)")
    usage = details["usage"]
    say(
        f"usage: {usage['model_calls']} model calls, {usage['tool_calls']} tool calls, "
        f"{usage['input_tokens']} input + {usage['output_tokens']} output tokens"
    )
    return exit_codes.DONE


def _print_plan_and_results(details: dict[str, Any]) -> None:
    results = details["results"]
    if details["plan"]:
        say("plan:")
    for step in details["plan"]:
        deps = step.get("depends_on") or []
        after = f" (after {', '.join(deps)})" if deps else ""
        result = results.get(step["id"])
        status = result["status"] if result else "not run"
        say(f"  {step['id']} {step['worker']} [{status}]: {step['instruction']}{after}")
        if result is None:
            continue
        for line in (result.get("output") or "").splitlines():
            say(f"      {line}")
        if result.get("error"):
            say(f"      error: {result['error']}")
        if result.get("citations"):
            say(f"      citations: {', '.join(result['citations'])}")
        draft = field(result, "draft")
        if draft:
            say(f"      draft to {draft['to']}: {draft['subject']}")


def _print_audit(rows: list[dict[str, Any]]) -> None:
    """Every proposal, decision and execution, with who and when."""
    if not rows:
        return
    say("approval audit:")
    for row in rows:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["at"]))
        what = f"{row['event']} {row['decision']}".rstrip()
        who = f" by {row['decider']}" if row["decider"] else ""
        say(f"  {when} {row['step']} {row['tool']} {what}{who} · args {row['args_hash']}")
        if row["event"] in ("proposed", "executed"):
            say(f"    args: {compact_json(row['args'])}")
        if row["detail"]:
            say(f"    {row['detail']}")
