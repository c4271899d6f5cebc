"""``baton trace THREAD``: the recorded events as a tree, grouped by step."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from baton import exit_codes
from baton.console import compact_json, print_json, say
from baton.thread_view import opened_thread


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``trace``."""
    parser = commands.add_parser("trace", help="show a thread's trace events by step")
    parser.add_argument("thread", help="thread id")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=trace_command)


def _model_call(d: dict[str, Any]) -> str:
    calls = f" → {', '.join(d['tool_calls'])}" if d.get("tool_calls") else ""
    return (
        f"{d.get('purpose')} · {d.get('tier')} {d.get('model')} · "
        f"{d.get('input_tokens')}+{d.get('output_tokens')} tokens · {d.get('latency_ms')} ms{calls}"
    )


def _verdict(d: dict[str, Any]) -> str:
    outcome = "passed" if d.get("passed") else "failed: " + "; ".join(d.get("reasons") or [])
    return f"{d.get('rule')} (revision {d.get('revision')}) {outcome}"


_DECIDED = {"approve": "approved", "edit": "edited", "reject": "rejected"}


def _effect(d: dict[str, Any]) -> str:
    decided = _DECIDED.get(str(d.get("decision")), str(d.get("decision")))
    replayed = ", replayed from the ledger" if d.get("replayed") else ""
    return f"{d.get('tool')} ({decided}{replayed}) · {compact_json(d.get('result'), 200)}"


def _decision(decision: dict[str, Any]) -> str:
    kind = str(decision.get("type"))
    if kind == "reject":
        return f"rejected — {decision.get('message')}"
    if kind == "edit":
        return f"edited → {compact_json((decision.get('edited_action') or {}).get('args'), 200)}"
    return _DECIDED.get(kind, kind)


_FORMATS: dict[str, Callable[[dict[str, Any]], str]] = {
    "model_call": _model_call,
    "model_error": lambda d: f"{d.get('purpose')} · {d.get('tier')} · {d.get('error')}",
    "validation_failure": lambda d: (
        f"{d.get('schema')} attempt {d.get('attempt')} ({d.get('tier')}): {d.get('error')}"
    ),
    "escalation": lambda d: f"{d.get('purpose')}: {d.get('from_tier')} → {d.get('to_tier')}",
    "route": lambda d: f"{d.get('route')} — {d.get('reason')}",
    "plan": lambda d: f"{len(d.get('steps') or [])} new step(s), done={d.get('done')}",
    "tool_call": lambda d: f"{d.get('tool')} {compact_json(d.get('args'), 200)}",
    "tool_invalid_args": lambda d: f"{d.get('tool')}: {d.get('error')}",
    "tool_rejected": lambda d: f"{d.get('tool')}: {d.get('error')}",
    "approval": lambda d: f"{d.get('tool')}: {_decision(d.get('decision') or {})}",
    "effect": _effect,
    "effect_rejected": lambda d: f"{d.get('tool')}: {d.get('error')}",
    "review_verdict": _verdict,
    "cap_reached": lambda d: str(d.get("cap")),
}


def describe(kind: str, data: dict[str, Any]) -> str:
    """One line for one event: the key data of its kind."""
    formatter = _FORMATS.get(kind)
    return formatter(data) if formatter else compact_json(data, 200)


def trace_command(args: argparse.Namespace) -> int:
    """Print the events of a thread, step by step in order of first appearance."""
    with opened_thread(args.thread) as (rt, _):
        events = rt.services.trace.events(args.thread)
    if args.json:
        print_json({"thread_id": args.thread, "events": events})
        return exit_codes.DONE
    if not events:
        say("no trace events")
        return exit_codes.DONE
    by_step: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_step.setdefault(event["step"], []).append(event)
    width = max(len(event["kind"]) for event in events)
    for step, step_events in by_step.items():
        say(step)
        for index, event in enumerate(step_events):
            branch = "└─" if index == len(step_events) - 1 else "├─"
            say(f"  {branch} {event['kind']:<{width}}  {describe(event['kind'], event['data'])}")
    return exit_codes.DONE
