"""Finding the threads and runs a tenant may see (everyone else's are "not found")."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from baton.inputs import THREAD_ID
from baton.service.errors import not_found

if TYPE_CHECKING:
    from baton.service.context import ServiceContext
    from persistence.runs import RunRecord
    from persistence.threads import ThreadRecord


def valid_id(value: str) -> bool:
    """Whether ``value`` is a usable thread or run id (1-64 of ``A-Z a-z 0-9 _ . : -``)."""
    return bool(THREAD_ID.match(value))


async def find_thread(ctx: ServiceContext, tenant: str, thread_id: str) -> ThreadRecord | None:
    """The tenant's thread, or None (missing, malformed id, or another tenant's)."""
    if not valid_id(thread_id):
        return None
    thread = await asyncio.to_thread(ctx.threads.get, thread_id)
    return thread if thread is not None and thread.tenant == tenant else None


async def owned_thread(ctx: ServiceContext, tenant: str, thread_id: str) -> ThreadRecord:
    """The tenant's thread; 404 otherwise."""
    thread = await find_thread(ctx, tenant, thread_id)
    if thread is None:
        raise not_found(f"thread {thread_id}")
    return thread


async def owned_run(
    ctx: ServiceContext, tenant: str, run_id: str, thread_id: str | None
) -> RunRecord:
    """The tenant's run (on ``thread_id`` when given); 404 otherwise."""
    run = await asyncio.to_thread(ctx.runs.get, run_id) if valid_id(run_id) else None
    if (
        run is None
        or run.tenant != tenant
        or (thread_id is not None and run.thread_id != thread_id)
    ):
        raise not_found(f"run {run_id}")
    return run
