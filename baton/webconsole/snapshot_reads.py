"""Reading one thread for the console: its state, its pending approvals and their context.

Each pending approval (``baton.pending.pending_approvals``, the CLI's shape) is read with
its ``live`` standing refreshed (the refundable remainder may have moved since it was
asked), the argument schema of its tool (the edit form is generated from it), the review
verdicts of the drafts its step depends on, the request that started the turn, and when it
was asked (the approval audit's ``proposed`` row).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from baton.pending import live_interrupts, pending_approvals, refresh_live
from baton.service.assistants import ORCHESTRATOR
from baton.service.snapshots import snapshot_of
from baton.thread_view import thread_status

if TYPE_CHECKING:
    from langgraph.types import StateSnapshot

    from baton.service.context import ServiceContext
    from persistence.threads import ThreadRecord


@dataclass(frozen=True)
class ThreadRead:
    """One thread as the console shows it."""

    thread: ThreadRecord
    values: dict[str, Any]
    status: str
    pending: list[dict[str, Any]]
    audit: list[dict[str, Any]]


def shown_status(thread: ThreadRecord, snapshot: StateSnapshot | None, busy: bool) -> str:
    """running, waiting, done, failed, budget_exhausted, error or new."""
    if busy:
        return "running"
    if snapshot is None or not (snapshot.values or snapshot.next):
        return "error" if thread.status == "error" else "new"
    status = thread_status(snapshot)
    if status == "running" and thread.status == "error":
        return "error"
    return status


def _verdicts(values: dict[str, Any], step_id: str | None) -> list[dict[str, Any]]:
    """The latest review verdicts of the step and of the steps it depends on."""
    plan = {s.get("id"): s for s in values.get("plan") or [] if isinstance(s, dict)}
    step = plan.get(step_id) or {}
    wanted = {step_id, *(step.get("depends_on") or [])}
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for verdict in values.get("review_verdicts") or []:
        if not isinstance(verdict, dict) or verdict.get("step_id") not in wanted:
            continue
        key = (str(verdict.get("step_id")), str(verdict.get("rule")))
        if key not in latest or verdict.get("revision", 0) >= latest[key].get("revision", 0):
            latest[key] = verdict
    return list(latest.values())


def _enrich(
    ctx: ServiceContext, thread: ThreadRecord, values: dict[str, Any], items: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    request = str(values.get("request") or "")
    refresh_live(items, ctx.services, thread.thread_id, request)
    audit = ctx.services.audit.rows(thread.thread_id)
    for item in items:
        spec = ctx.services.tools.get(str(item.get("tool")))
        asked = [
            r["at"]
            for r in audit
            if r["event"] == "proposed" and r["tool_call_id"] == item.get("tool_call_id")
        ]
        item.update(
            thread_id=thread.thread_id,
            request=request,
            asked_at=max(asked) if asked else thread.updated_at,
            schema=spec.args_schema.model_json_schema() if spec is not None else None,
            reviews=_verdicts(values, item.get("step")),
        )
    return items, audit


async def read_thread(ctx: ServiceContext, thread: ThreadRecord, busy: bool) -> ThreadRead:
    """The thread's values, status and pending approvals (none while a run holds it)."""
    assistant = ctx.assistants.find(thread.graph_id or ORCHESTRATOR)
    if assistant is None or thread.graph_id is None:
        return ThreadRead(thread, {}, shown_status(thread, None, busy), [], [])
    snapshot = await snapshot_of(assistant, thread.thread_id)
    values = dict(snapshot.values or {})
    pending = [] if busy else pending_approvals(snapshot)
    edited = {
        i.id: i.value.get("review") for i in live_interrupts(snapshot) if isinstance(i.value, dict)
    }
    for item in pending:  # verdicts on text a human edited, asked again with them
        item["text_review"] = edited.get(item["id"])
    pending, audit = await asyncio.to_thread(_enrich, ctx, thread, values, pending)
    return ThreadRead(thread, values, shown_status(thread, snapshot, busy), pending, audit)
