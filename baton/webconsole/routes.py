"""The console's routes: three pages, their two assets, and the JSON the pages call.

The pages are the same static shell (no user text is rendered on the server; the script
inserts every value as text, never as markup). The JSON endpoints take the caller the way
every route of the service does (``baton.service.deps.caller``) and see only the caller's
threads. The inbox stays current from its event feed (``inbox_stream``: it reads the inbox
again on every event, and polls every 1.5 s only while the feed is unavailable); the threads
list polls every 1.5 s, a thread view every 1 s while its run is in flight.
"""

from __future__ import annotations

import asyncio
from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from baton.service import wire
from baton.service.access import owned_thread
from baton.service.admission import start_run
from baton.service.assistants import ORCHESTRATOR
from baton.service.deps import Caller, caller
from baton.service.errors import ApiError
from baton.service.run_body import CommandBody, RunCreate
from baton.webconsole.decide import ConsoleDecisions, FieldProblem, resume_map, who_answered
from baton.webconsole.inbox_stream import inbox_feed
from baton.webconsole.snapshot_reads import ThreadRead, read_thread
from baton.webconsole.views import thread_detail, thread_row
from persistence.threads import ThreadQuery, ThreadRecord, ThreadStatus

router = APIRouter(prefix="/console", include_in_schema=False)
Who = Annotated[Caller, Depends(caller)]
STATUSES = ("new", "running", "waiting", "done", "failed", "budget_exhausted", "error")
_SCAN = 200
_ASSETS = {
    "console.js": "text/javascript",
    "inbox.js": "text/javascript",
    "thread.js": "text/javascript",
    "console.css": "text/css",
}
_NO_STORE = {"Cache-Control": "no-store"}


def _asset(name: str) -> str:
    return files("baton.webconsole").joinpath("static", name).read_text(encoding="utf-8")


@router.get("")
async def console_home() -> Response:
    """The console opens on the inbox."""
    return RedirectResponse("/console/inbox")


@router.get("/inbox")
@router.get("/threads")
@router.get("/threads/{thread_id}")
async def page(thread_id: str | None = None) -> Response:
    """The page shell; the script reads the path and fetches what it shows."""
    return HTMLResponse(_asset("page.html"), headers=_NO_STORE)


@router.get("/static/{name}")
async def asset(name: str) -> Response:
    """The console's script and style sheet."""
    if name not in _ASSETS:
        raise ApiError(404, f"{name} not found")
    return Response(_asset(name), media_type=_ASSETS[name], headers=_NO_STORE)


async def _reads(who: Caller, status: ThreadStatus | None) -> list[ThreadRead]:
    query = ThreadQuery(
        tenant=who.tenant,
        status=status,
        limit=_SCAN,
        sort_by="updated_at",
    )
    found: list[ThreadRecord] = await asyncio.to_thread(who.ctx.threads.search, query)
    return list(
        await asyncio.gather(
            *(read_thread(who.ctx, t, who.executor.busy(t.thread_id)) for t in found)
        )
    )


@router.get("/api/inbox")
async def inbox(who: Who) -> Response:
    """Every pending approval of the caller's threads, oldest first."""
    reads = await _reads(who, "interrupted")
    items = sorted((i for r in reads for i in r.pending), key=lambda i: float(i["asked_at"]))
    return wire.JsonResponse({"items": items})


@router.get("/api/inbox/events")
async def inbox_events(who: Who) -> Response:
    """Server-sent events: ``inbox`` whenever the caller's inbox may have changed."""
    return inbox_feed(who.ctx.watch, who.tenant, who.ctx.service.sse_heartbeat_s)


@router.get("/api/threads")
async def threads(
    who: Who,
    status: Annotated[str | None, Query(max_length=40)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The caller's threads, last active first; by status, by words of the request."""
    if status and status not in STATUSES:
        raise ApiError(422, f"status: one of {', '.join(STATUSES)}")
    rows = [thread_row(r) for r in await _reads(who, None)]
    words = (q or "").lower().split()
    rows = [
        row
        for row in rows
        if (not status or row["status"] == status)
        and all(word in row["request"].lower() for word in words)
    ]
    return wire.JsonResponse({"threads": rows})


@router.get("/api/threads/{thread_id}")
async def thread(thread_id: str, who: Who) -> Response:
    """One thread in full."""
    record = await owned_thread(who.ctx, who.tenant, thread_id)
    read = await read_thread(who.ctx, record, who.executor.busy(thread_id))
    return wire.JsonResponse(await thread_detail(who.ctx, read))


def _refused(status: int, detail: str, **extra: Any) -> Response:
    return JSONResponse({"detail": detail, **extra}, status_code=status)


@router.post("/api/threads/{thread_id}/decisions")
async def decide(thread_id: str, body: ConsoleDecisions, who: Who) -> Response:
    """Answer pending approvals of one thread together: one resume run, or a refusal."""
    record = await owned_thread(who.ctx, who.tenant, thread_id)
    busy = who.executor.busy(thread_id)
    read = await read_thread(who.ctx, record, busy)
    pending = {item["id"]: item for item in read.pending}
    for decision in body.decisions:
        if decision.id in pending:
            continue
        answered = await who_answered(who.ctx, thread_id, decision.id, decision.tool_call_id)
        if answered:
            return _refused(409, f"already answered by {answered}", answered_by=answered)
        return _refused(409, f"approval {decision.id} is not pending on thread {thread_id}")
    try:
        answers = resume_map(body, pending, who.ctx.services.tools)
    except FieldProblem as refused:
        return _refused(422, str(refused), errors=refused.problems)
    run = RunCreate(
        assistant_id=record.graph_id or ORCHESTRATOR, command=CommandBody(resume=answers)
    )
    try:
        handle = await start_run(who.ctx, who.executor, who.tenant, thread_id, run)
    except ApiError as exc:
        first = body.decisions[0]
        answered = await who_answered(who.ctx, thread_id, first.id, first.tool_call_id)
        if exc.status == 409 and answered:
            return _refused(409, f"already answered by {answered}", answered_by=answered)
        raise
    return wire.JsonResponse({"run_id": handle.run.run_id, "decided": sorted(answers)})
