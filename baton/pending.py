"""Pending approvals: reading them from a thread's state and showing them to a person."""

from __future__ import annotations

from typing import Any

from baton.console import compact_json, say


def pending_approvals(snapshot: Any) -> list[dict[str, Any]]:
    """Every interrupt of ``snapshot`` waiting for a decision, in the CLI's flat shape."""
    found = []
    for item in snapshot.interrupts:
        value = item.value if isinstance(item.value, dict) else {"description": str(item.value)}
        found.append(
            {
                "id": item.id,
                "tool": value.get("name"),
                "args": value.get("args", {}),
                "args_hash": value.get("args_hash"),
                "reason": value.get("description", ""),
                "step": value.get("step"),
                "worker": value.get("worker"),
                "refused": value.get("error"),
            }
        )
    return found


def resume_command(thread_id: str) -> str:
    """The command that approves everything pending and continues the thread."""
    return f"baton resume {thread_id} --approve all"


def print_pending(pending: list[dict[str, Any]], thread_id: str) -> None:
    """Show each pending approval, then how to answer."""
    for item in pending:
        say(f"approval {item['id']} · {item['step']} {item['worker']} · {item['tool']}")
        say(f"  args:   {compact_json(item['args'], limit=2000)}")
        say(f"  reason: {item['reason']}")
        if item.get("refused"):
            say(f"  previous decision refused: {item['refused']}")
    say(f"continue: {resume_command(thread_id)}")
    say(
        f"   or:    baton resume {thread_id} --approve ID | --reject ID --reason TEXT"
        " | --edit ID --args JSON"
    )
