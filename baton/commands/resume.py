"""``baton resume THREAD``: answer pending approvals and continue, or continue a cut-off run."""

from __future__ import annotations

import argparse
from typing import Any

from baton.console import compact_json, say
from baton.decisions import build_decisions, parse_request
from baton.errors import BadInput
from baton.execution import announce_models, drive
from baton.inputs import checked_thread_id
from baton.lease import ThreadBusy, thread_lease
from baton.outcome import read_outcome, report
from baton.pending import cut_off, live_interrupts, pending_approvals
from baton.runtime import Runtime, config_for, open_runtime
from baton.settings import ensure_home_writable, load_settings, require_world
from persistence.checkpoint_lookups import thread_exists


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``resume``."""
    parser = commands.add_parser(
        "resume",
        help="answer approvals and continue a thread",
        description="Continue THREAD: answer its pending approvals, or pick up a run that "
        "was cut off. With no decision and only approvals pending, show them (exit 3).",
    )
    parser.add_argument("thread", help="the thread id printed by `baton run`")
    parser.add_argument(
        "--approve",
        nargs="+",
        action="extend",
        metavar="ID",
        help="approve these pending approvals, or `all`",
    )
    parser.add_argument("--reject", action="append", metavar="ID", help="reject one approval")
    parser.add_argument(
        "--reason", action="append", metavar="TEXT", help="why (one per --reject, in order)"
    )
    parser.add_argument("--edit", action="append", metavar="ID", help="change an approval's args")
    parser.add_argument(
        "--args",
        action="append",
        metavar="JSON",
        dest="edit_args",
        help="JSON object of arguments replacing the proposed ones (one per --edit, in order)",
    )
    parser.add_argument(
        "--sent",
        action="append",
        metavar="ID",
        help="an effect of unknown outcome did happen: record it, do not repeat it",
    )
    parser.add_argument(
        "--not-sent",
        action="append",
        metavar="ID",
        dest="not_sent",
        help="an effect of unknown outcome did not happen: carry it out now",
    )
    parser.add_argument(
        "--budget",
        metavar="LIMITS",
        help="raise the budget of a turn that ran out and go on from where it stopped: "
        "model_calls=N,tool_calls=N,tokens=N (any of them; each above what the turn used)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object, no progress")
    parser.set_defaults(handler=resume_command)


def parse_budget(text: str) -> dict[str, int]:
    """``model_calls=80,tokens=600000`` as a dict; anything else is ``BadInput``."""
    keys = ("model_calls", "tool_calls", "tokens")
    asked: dict[str, int] = {}
    for part in text.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or key not in keys or not value.strip().isdigit() or int(value) < 1:
            raise BadInput(
                f"--budget {text!r}: use KEY=N pairs separated by commas, KEY one of "
                f"{', '.join(keys)}, N a positive whole number"
            )
        if key in asked:
            raise BadInput(f"--budget names {key} twice")
        asked[key] = int(value)
    return asked


def resume_command(args: argparse.Namespace) -> int:
    """Validate the thread and every decision, then stream the resume."""
    from langgraph.types import Command

    thread_id = checked_thread_id(args.thread)
    request = parse_request(
        args.approve, args.reject, args.reason, args.edit, args.edit_args, args.sent, args.not_sent
    )
    budget = parse_budget(args.budget) if args.budget is not None else None
    if budget is not None and not request.empty:
        raise BadInput("--budget continues a turn that ran out; it takes no decisions")
    settings = load_settings()
    if not thread_exists(settings.database, thread_id):
        raise BadInput(f"unknown thread {thread_id}")
    require_world(settings)
    ensure_home_writable(settings)
    with open_runtime(settings) as rt:
        if budget is not None:
            return _raise_budget(rt, thread_id, budget, args.json)
        snapshot = rt.graph.get_state(config_for(thread_id), subgraphs=True)
        if not snapshot.next and not live_interrupts(snapshot):
            ran_out = (snapshot.values or {}).get("status") == "budget_exhausted"
            hint = " (it ran out of budget: `--budget` raises it)" if ran_out else ""
            raise BadInput(f"thread {thread_id} is finished{hint}")
        pending = pending_approvals(snapshot)
        decisions = build_decisions(request, pending, rt.services.tools)
        if not args.json:
            say(f"thread: {thread_id}")
        if not decisions and pending and not cut_off(snapshot):
            return report(read_outcome(rt, thread_id), args.json)
        with thread_lease(settings.database, thread_id) as lease:
            now = rt.graph.get_state(config_for(thread_id))
            if _checkpoint_id(now) != _checkpoint_id(snapshot):
                raise ThreadBusy(
                    f"thread {thread_id} is busy: another process moved it on while this "
                    f"command started; see baton show {thread_id}"
                )
            if not args.json:
                announce_models(rt)
                _echo(decisions, pending)
            stream_input: Command[Any] | None = Command(resume=decisions) if decisions else None
            outcome = drive(
                rt, stream_input, thread_id, show_progress=not args.json, heartbeat=lease.renew
            )
    return report(outcome, args.json)


def _raise_budget(rt: Runtime, thread_id: str, asked: dict[str, int], as_json: bool) -> int:
    """Raise the exhausted turn's budget and drive it on from where it stopped."""
    from graphs.continue_turn import CannotContinue, continuation

    config = config_for(thread_id)
    seen = _checkpoint_id(rt.graph.get_state(config))
    try:  # checked before anything is written
        plan = continuation(rt.graph, config, rt.services.budget, rt.settings, asked)
    except CannotContinue as exc:
        raise BadInput(str(exc)) from None
    limits = plan.limits
    with thread_lease(rt.settings.database, thread_id) as lease:
        if _checkpoint_id(rt.graph.get_state(config)) != seen:
            raise ThreadBusy(f"thread {thread_id} is busy: another process moved it on")
        plan.apply(rt.graph, config, rt.services.budget)
        if not as_json:
            say(f"thread: {thread_id}")
            say(
                f"budget raised: {limits.model_calls} model calls, {limits.tool_calls} tool "
                f"calls, {limits.tokens} tokens; going on from where the turn stopped"
            )
            announce_models(rt)
        outcome = drive(rt, None, thread_id, show_progress=not as_json, heartbeat=lease.renew)
    return report(outcome, as_json)


def _checkpoint_id(snapshot: Any) -> str:
    return str((snapshot.config or {}).get("configurable", {}).get("checkpoint_id"))


def _echo(decisions: dict[str, dict[str, Any]], pending: list[dict[str, Any]]) -> None:
    tools = {item["id"]: item["tool"] for item in pending}
    for interrupt_id, decision in decisions.items():
        kind = decision["type"]
        line = f"{kind.replace('_', ' ')} {interrupt_id} · {tools[interrupt_id]}"
        if kind == "reject":
            line += f": {decision['message']}"
        elif kind == "edit":
            line += f": {compact_json(decision['edited_action']['args'])}"
        say(line)
