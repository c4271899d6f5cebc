"""Pending approvals: reading them from a thread's state and showing them to a person."""

from __future__ import annotations

from typing import Any

from baton.console import compact_json, say

RECONCILIATION = "effect_reconciliation"
"""The interrupt kind that asks whether an effect of unknown outcome happened."""


def live_interrupts(snapshot: Any) -> list[Any]:
    """The interrupts still waiting for an answer.

    After a crash, the parent checkpoint still lists the interrupt a worker raised before
    its approval was answered, while the worker's own checkpoint (read with
    ``get_state(..., subgraphs=True)``) has moved past it: such an interrupt is stale.
    """
    live = []
    for task in snapshot.tasks:
        sub = task.state
        if hasattr(sub, "interrupts") and hasattr(sub, "tasks") and not sub.interrupts:
            continue  # the worker moved on: it was cut off after the answer, not waiting
        live += list(task.interrupts)
    return live


def cut_off(snapshot: Any) -> bool:
    """Some pending task neither finished nor waits: the process running it died."""
    live = {item.id for item in live_interrupts(snapshot)}
    return any(
        not any(i.id in live for i in task.interrupts)
        and task.result is None
        and task.error is None
        for task in snapshot.tasks
    )


def refuse_new_turn(snapshot: Any, thread_id: str) -> str | None:
    """Why the thread cannot take a new turn now, or None when it can.

    A waiting approval must be answered first: a new turn would drop the pending call
    without a decision. A run that was cut off, or whose last step failed, is continued
    (or retried) with ``baton resume`` first.
    """
    if pending_approvals(snapshot):
        return (
            f"thread {thread_id} is waiting for approval: answer it first "
            f"(baton resume {thread_id} --approve ID | --reject ID --reason TEXT | "
            "--edit ID --args JSON)"
        )
    if snapshot.next:
        return (
            f"thread {thread_id} has a turn that did not finish: "
            f"continue it first with baton resume {thread_id}"
        )
    return None


def pending_approvals(snapshot: Any) -> list[dict[str, Any]]:
    """Every interrupt of ``snapshot`` waiting for a decision, in the CLI's flat shape."""
    found = []
    for item in live_interrupts(snapshot):
        value = item.value if isinstance(item.value, dict) else {"description": str(item.value)}
        found.append(
            {
                "id": item.id,
                "kind": value.get("type", "tool_approval"),
                "tool": value.get("name"),
                "args": value.get("args", {}),
                "args_hash": value.get("args_hash"),
                "reason": value.get("description", ""),
                "step": value.get("step"),
                "worker": value.get("worker"),
                "refused": value.get("error"),
                "live": value.get("live"),
                "tool_call_id": value.get("tool_call_id"),
            }
        )
    return found


def _print_live(live: Any) -> None:
    """What the world says about the call now: the refundable remainder, who did it before."""
    if not isinstance(live, dict):
        return
    if live.get("refundable") is not None:
        charge = f" of charge {live['charge_id']}" if live.get("charge_id") else ""
        refunded = f" (refunded {live['refunded']})" if live.get("refunded") else ""
        say(f"  now:    refundable {live['refundable']}{charge}{refunded}")
    for refund in live.get("refunds") or ():
        say(f"          earlier refund: {refund}")
    if live.get("already_done"):
        say(f"  ALREADY DONE by {live['already_done']}: approving will not repeat it")
    if live.get("in_progress"):
        say(f"  in progress by {live['in_progress']}")
    if live.get("identity"):
        say(f"  IDENTITY: {live['identity']}")
        say("          (`--approve all` leaves it: approve it by its id, edit or reject it)")


def refresh_live(
    pending: list[dict[str, Any]], services: Any, thread_id: str, request: str = ""
) -> None:
    """Read each approval's ``live`` standing again: the world may have moved since it was asked.

    A refund another thread (or someone outside Baton) made meanwhile shows up here. If the
    world cannot be read (a read-only or damaged home), the standing from the ask stays.
    """
    import sqlite3

    from graphs.standing import standing
    from tools.ledger import idempotency_key
    from tools.world import WorldUnavailable

    for item in pending:
        spec = services.tools.get(item.get("tool"))
        if item.get("kind") != "tool_approval" or spec is None or not item.get("tool_call_id"):
            continue
        key = idempotency_key(thread_id, item["tool_call_id"])
        try:
            found = standing(
                spec, item["args"], services.ledger, key, world=services.world, request=request
            )
            item["live"] = found or item["live"]
        except (sqlite3.Error, WorldUnavailable):
            continue


def resume_command(thread_id: str) -> str:
    """The command that approves everything pending and continues the thread."""
    return f"baton resume {thread_id} --approve all"


def print_pending(pending: list[dict[str, Any]], thread_id: str) -> None:
    """Show each pending approval, then how to answer."""
    for item in pending:
        if item.get("kind") == RECONCILIATION:
            say(f"outcome unknown {item['id']} · {item['step']} {item['worker']} · {item['tool']}")
            say(f"  args:   {compact_json(item['args'], limit=2000)}")
            say(f"  {item['reason']}")
            say(f"  answer: baton resume {thread_id} --sent {item['id']} | --not-sent {item['id']}")
            continue
        say(f"approval {item['id']} · {item['step']} {item['worker']} · {item['tool']}")
        say(f"  args:   {compact_json(item['args'], limit=2000)}")
        say(f"  reason: {item['reason']}")
        _print_live(item.get("live"))
        if item.get("refused"):
            say(f"  previous decision refused: {item['refused']}")
    say(f"continue: {resume_command(thread_id)}")
    say(
        f"   or:    baton resume {thread_id} --approve ID | --reject ID --reason TEXT"
        " | --edit ID --args JSON"
    )
