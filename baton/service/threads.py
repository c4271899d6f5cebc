"""Thread routes: create, get, search, count, patch, delete.

A thread belongs to the tenant that created it; another tenant is told it does not exist.
Its values and waiting interrupts are read from its checkpoints; its status from the run
that last ended on it (``busy`` while one is pending or running).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response

from baton.service import wire
from baton.service.access import owned_thread
from baton.service.assistants import ORCHESTRATOR
from baton.service.deps import Caller, caller
from baton.service.errors import ApiError
from baton.service.snapshots import snapshot_of
from baton.service.state_view import thread_interrupts
from baton.service.thread_body import ThreadCount, ThreadCreate, ThreadPatch, ThreadSearch
from persistence.checkpoint_lookups import thread_exists
from persistence.threads import SortBy, ThreadQuery, ThreadRecord

router = APIRouter(tags=["threads"])
Who = Annotated[Caller, Depends(caller)]
_COUNT_CAP = 100_000


def graph_of(who: Caller, thread: ThreadRecord) -> str:
    """The graph whose state the thread holds (or will, by its metadata), else the orchestrator."""
    named = thread.graph_id or thread.metadata.get("graph_id")
    if isinstance(named, str) and who.ctx.assistants.find(named) is not None:
        return named
    return ORCHESTRATOR


async def thread_json(
    who: Caller, thread: ThreadRecord, *, with_values: bool = True
) -> dict[str, Any]:
    """The API's ``Thread``: the record plus the latest values and waiting interrupts."""
    values: Any = {}
    interrupts: dict[str, Any] = {}
    if with_values and thread.graph_id is not None:
        assistant = who.ctx.assistants.find(thread.graph_id)
        if assistant is not None:
            snapshot = await snapshot_of(assistant, thread.thread_id)
            values = snapshot.values or {}
            interrupts = thread_interrupts(snapshot)
    busy = who.executor.busy(thread.thread_id)
    return {
        "thread_id": thread.thread_id,
        "created_at": wire.iso(thread.created_at),
        "updated_at": wire.iso(thread.updated_at),
        "metadata": thread.metadata,
        "status": "busy" if busy else thread.status,
        "values": values,
        "interrupts": interrupts,
        "config": {},
        "error": thread.error if thread.status == "error" else None,
    }


@router.post("/threads")
async def create_thread(body: ThreadCreate, who: Who) -> Response:
    """Create a thread."""
    if body.supersteps:
        raise ApiError(422, "supersteps: building a thread from updates is not supported")
    if body.ttl is not None:
        raise ApiError(422, "ttl: thread expiry is not supported; use baton prune")
    thread_id = body.thread_id or str(uuid.uuid4())
    existing = await asyncio.to_thread(who.ctx.threads.get, thread_id)
    if existing is None and await asyncio.to_thread(
        thread_exists, who.ctx.settings.database, thread_id
    ):
        raise ApiError(409, f"thread id {thread_id} is taken")
    now = time.time()
    record = ThreadRecord(thread_id, who.tenant, now, now, metadata=dict(body.metadata or {}))
    if existing is None and await asyncio.to_thread(who.ctx.threads.insert, record):
        return wire.JsonResponse(await thread_json(who, record, with_values=False))
    existing = await asyncio.to_thread(who.ctx.threads.get, thread_id)
    if existing is None or existing.tenant != who.tenant or body.if_exists == "raise":
        raise ApiError(409, f"thread {thread_id} already exists")
    return wire.JsonResponse(await thread_json(who, existing))


def _query(who: Caller, body: ThreadSearch | ThreadCount, limit: int, offset: int) -> ThreadQuery:
    if body.values:
        raise ApiError(422, "values: searching threads by their values is not supported")
    sort_by: SortBy = getattr(body, "sort_by", None) or "created_at"
    order = getattr(body, "sort_order", None) or "desc"
    return ThreadQuery(
        tenant=who.tenant,
        metadata=dict(body.metadata or {}),
        status=body.status,
        ids=tuple(getattr(body, "ids", None) or ()),
        limit=limit,
        offset=offset,
        sort_by=sort_by,
        descending=order == "desc",
    )


@router.post("/threads/search")
async def search_threads(body: ThreadSearch, who: Who) -> Response:
    """Search the caller's threads."""
    if body.extract:
        raise ApiError(422, "extract: not supported")
    query = _query(who, body, body.limit, body.offset)
    found = await asyncio.to_thread(who.ctx.threads.search, query)
    return wire.JsonResponse([await thread_json(who, t) for t in found])


@router.post("/threads/count")
async def count_threads(body: ThreadCount, who: Who) -> Response:
    """Count the caller's threads."""
    query = _query(who, body, _COUNT_CAP, 0)
    found = await asyncio.to_thread(who.ctx.threads.search, query)
    return wire.JsonResponse(len(found))


@router.get("/threads/{thread_id}")
async def get_thread(thread_id: str, who: Who) -> Response:
    """Get a thread."""
    thread = await owned_thread(who.ctx, who.tenant, thread_id)
    return wire.JsonResponse(await thread_json(who, thread))


@router.patch("/threads/{thread_id}")
async def patch_thread(thread_id: str, body: ThreadPatch, who: Who) -> Response:
    """Set metadata keys on a thread."""
    if body.ttl is not None:
        raise ApiError(422, "ttl: thread expiry is not supported; use baton prune")
    await owned_thread(who.ctx, who.tenant, thread_id)
    await asyncio.to_thread(who.ctx.threads.update, thread_id, metadata=body.metadata)
    thread = await owned_thread(who.ctx, who.tenant, thread_id)
    return wire.JsonResponse(await thread_json(who, thread))


@router.delete("/threads/{thread_id}", status_code=204)
async def delete_thread(thread_id: str, who: Who) -> Response:
    """Delete a thread, its runs and state."""
    await owned_thread(who.ctx, who.tenant, thread_id)
    await who.executor.cancel_thread(thread_id, "the thread was deleted")
    # under the thread's lease: 409 while another process (a replica, a terminal) drives it
    async with who.executor.exclusive(thread_id) as fence:
        await who.ctx.saver.adelete_thread(thread_id)
        run_ids = await asyncio.to_thread(who.ctx.runs.delete_for_thread, thread_id, fence=fence)
        await who.ctx.hub.forget(run_ids)
        await asyncio.to_thread(who.ctx.threads.delete, thread_id, fence=fence)
    return Response(status_code=204)
