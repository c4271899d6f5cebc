"""The JSON the console's pages render: inbox items, thread rows and one thread in full."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from baton.commands.trace import describe
from baton.webconsole.snapshot_reads import ThreadRead

if TYPE_CHECKING:
    from baton.service.context import ServiceContext

STUDIO = "https://smith.langchain.com/studio/thread/{thread}?baseUrl={base}"
"""Where Studio opens a thread of a ``langgraph dev`` server (``BATON_STUDIO_BASE_URL``)."""
_STUDIO_BASE = "http://127.0.0.1:2024"


def studio_url(thread_id: str) -> str:
    """The Studio link for a thread on the local ``langgraph dev`` server."""
    base = os.environ.get("BATON_STUDIO_BASE_URL", _STUDIO_BASE)
    return STUDIO.format(thread=quote(thread_id, safe=""), base=quote(base, safe=":/"))


def thread_row(read: ThreadRead) -> dict[str, Any]:
    """One line of the threads list."""
    return {
        "thread_id": read.thread.thread_id,
        "status": read.status,
        "request": str(read.values.get("request") or ""),
        "created_at": read.thread.created_at,
        "updated_at": read.thread.updated_at,
        "pending": len(read.pending),
        "turn": read.values.get("turn"),
    }


def _plan(values: dict[str, Any], pending: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plan steps with their dependencies and status (waiting while an approval is pending)."""
    results = values.get("results") or {}
    waiting = {item.get("step") for item in pending}
    steps = []
    for step in values.get("plan") or []:
        if not isinstance(step, dict):
            continue
        result = results.get(step.get("id")) or {}
        status = "waiting" if step.get("id") in waiting else result.get("status", "not run")
        steps.append(
            {
                "id": step.get("id"),
                "worker": step.get("worker"),
                "instruction": step.get("instruction"),
                "depends_on": list(step.get("depends_on") or []),
                "status": status,
                "output": result.get("output") or "",
                "error": result.get("error"),
            }
        )
    return steps


def _timelines(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trace events grouped by step, each with its offset from the step's first event."""
    by_step: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_step.setdefault(str(event["step"]), []).append(event)
    timelines = []
    for step, rows in by_step.items():
        start = rows[0]["at"]
        timelines.append(
            {
                "step": step,
                "seconds": round(rows[-1]["at"] - start, 3),
                "events": [
                    {
                        "kind": row["kind"],
                        "offset_ms": round((row["at"] - start) * 1000),
                        "summary": describe(row["kind"], row["data"]),
                        "tier": row["data"].get("tier"),
                        "latency_ms": row["data"].get("latency_ms"),
                        "tokens": _tokens(row["data"]),
                    }
                    for row in rows
                ],
            }
        )
    return timelines


def _tokens(data: dict[str, Any]) -> int | None:
    given = [data.get("input_tokens"), data.get("output_tokens")]
    numbers = [n for n in given if isinstance(n, int)]
    return sum(numbers) if numbers else None


def _turns(values: dict[str, Any], status: str) -> list[dict[str, Any]]:
    turns = [dict(t) for t in values.get("turns") or [] if isinstance(t, dict)]
    recorded = {t.get("turn") for t in turns}
    if values.get("turn") is not None and values.get("turn") not in recorded:
        turns.append(  # the turn in flight (or waiting): not recorded until it finishes
            {
                "turn": values.get("turn"),
                "request": values.get("request"),
                "route": (values.get("route") or {}).get("route"),
                "status": status,
                "answer": values.get("final_answer") or "",
                "effects": [],
            }
        )
    return turns


async def thread_detail(ctx: ServiceContext, read: ThreadRead) -> dict[str, Any]:
    """Everything the thread view shows."""
    thread_id = read.thread.thread_id
    events = await asyncio.to_thread(ctx.services.trace.events, thread_id)
    effects = await asyncio.to_thread(ctx.services.ledger.effects_for, thread_id)
    return {
        **thread_row(read),
        "turns": _turns(read.values, read.status),
        "plan": _plan(read.values, read.pending),
        "timelines": _timelines(events),
        "audit": read.audit,
        "effects": effects,
        "approvals": read.pending,
        "final_answer": read.values.get("final_answer") or "",
        "error": read.values.get("error") or read.thread.error,
        "studio_url": studio_url(thread_id),
    }
