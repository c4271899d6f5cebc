"""Human progress lines from the run's progress events (``state.events``, ``custom`` mode).

The CLI renders the same versioned events that ``baton serve`` forwards to HTTP clients,
so a terminal and a chat backend tell one story. Events are at-least-once (a node that
re-runs says its piece again), so lines keyed by an id are printed once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baton.console import first_line, say

_MARK = {"ok": "✓", "failed": "✗", "budget_exhausted": "✗"}
_DECIDED = {"approve": "approved", "edit": "edited"}


class ProgressPrinter:
    """Turns progress events into one line per thing a person would want to see."""

    def __init__(self, out: Callable[[str], None] = say) -> None:
        self._out = out
        self._said: set[tuple[Any, ...]] = set()

    def _once(self, key: tuple[Any, ...], line: str) -> None:
        if key not in self._said:
            self._said.add(key)
            self._out(line)

    def handle(self, event: Any) -> None:
        """Print what one progress event means (anything else is ignored)."""
        if not isinstance(event, dict) or event.get("v") != 1:
            return
        handler = getattr(self, f"_on_{event.get('event')}", None)
        if handler is not None:
            handler(event)

    def _on_route(self, e: dict[str, Any]) -> None:
        self._once(("route", e["turn"]), f"route: {e['route']} — {e['reason']}")

    def _on_plan(self, e: dict[str, Any]) -> None:
        head = f"plan (iteration {e['iteration']})"
        if not e["steps"]:
            self._once(
                ("plan", e["turn"], e["iteration"]),
                f"{head}: {'done' if e['done'] else 'no new steps'}",
            )
            return
        lines = [f"{head}:"]
        for step in e["steps"]:
            deps = list(step.get("depends_on") or [])
            after = f" (after {', '.join(deps)})" if deps else ""
            instruction = first_line(str(step.get("instruction", "")), 100)
            lines.append(f"  {step.get('id')} {step.get('worker')}: {instruction}{after}")
        self._once(("plan", e["turn"], e["iteration"]), "\n".join(lines))

    def _on_step_started(self, e: dict[str, Any]) -> None:
        note = f" (revision {e['revision']})" if e.get("revision") else ""
        instruction = first_line(str(e.get("instruction", "")), 100)
        key = ("start", e["turn"], e["step"], e.get("revision"))
        self._once(key, f"→ {e['step']} {e['worker']}{note}: {instruction}")

    def _on_step_finished(self, e: dict[str, Any]) -> None:
        status = str(e["status"])
        head = f"{_MARK.get(status, '•')} {e['step']} {e['worker']}"
        if status == "ok":
            line = f"{head}: {first_line(str(e.get('output') or ''))}"
        else:
            reason = e.get("error") or e.get("output") or ""
            line = f"{head} {status.replace('_', ' ')}: {first_line(str(reason))}"
        self._once(("finish", e["turn"], e["step"], line), line)

    def _on_tool_called(self, e: dict[str, Any]) -> None:
        head = f"  {e['step']} {e['worker']} · {e['tool']}"
        line = f"{head} ok" if e["ok"] else f"{head} error: {first_line(str(e.get('error')))}"
        self._once(("tool", e["tool_call_id"], e["ok"]), line)

    def _on_effect_done(self, e: dict[str, Any]) -> None:
        notes = [_DECIDED.get(str(e.get("decision")), "")]
        notes.append("replayed from the ledger" if e.get("replayed") else "")
        note = ", ".join(n for n in notes if n)
        line = f"  {e['step']} {e['worker']} · {e['tool']} ok" + (f" ({note})" if note else "")
        self._once(("effect", e["tool_call_id"]), line)

    def _on_effect_not_repeated(self, e: dict[str, Any]) -> None:
        done_by = "; ".join(e.get("done_by") or []) or "earlier"
        line = f"  {e['step']} {e['worker']} · {e['tool']} not repeated: already done by {done_by}"
        self._once(("effect", e["tool_call_id"]), line)

    def _on_review(self, e: dict[str, Any]) -> None:
        head = f"review {e['step']} · {e['rule']}"
        line = f"{head}: passed" if e["passed"] else f"{head}: failed — {'; '.join(e['reasons'])}"
        self._once(("review", e["turn"], e["step"], e["revision"], e["rule"]), line)

    def _on_draft_approved(self, e: dict[str, Any]) -> None:
        key = ("draft", e["turn"], e["step"], e["revision"])
        self._once(key, f"✓ draft {e['step']} passed review")

    def _on_approval_waiting(self, e: dict[str, Any]) -> None:
        line = f"⏸ {e['step']} {e['worker']} · {e['tool']} waits for approval"
        self._once(("waiting", e["tool_call_id"], e["args_hash"]), line)

    def _on_ticket_filed(self, e: dict[str, Any]) -> None:
        self._once(("ticket", e["ticket_id"]), f"✓ ticket #{e['ticket_id']} filed: {e['title']}")
