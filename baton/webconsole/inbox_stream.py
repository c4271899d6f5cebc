"""The inbox's live feed: a server-sent event whenever one of the tenant's threads changes.

The run lifecycle tells ``ServiceContext.watch`` when a run starts on a thread (an approval
it waited on is being answered) and when a run ends (a new approval waits, or the thread is
done); this feed passes each change of the caller's tenant on as an ``inbox`` event, and the
page then reads ``/console/api/inbox`` again. The first event is ``ready``. Every
``SAFETY_S`` without a change an ``inbox`` event goes out anyway (``"reason": "safety"``), so
the page also catches what this process cannot see (a second replica's runs, a deleted
thread). Keep-alive comments go out every ``BATON_SSE_HEARTBEAT_S``, as on run streams.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from sse_starlette import EventSourceResponse

from baton.service.thread_watch import ThreadWatch

SAFETY_S = 20.0
"""Longest time without an ``inbox`` event while the feed is open."""

Event = dict[str, str]


async def inbox_events(
    watch: ThreadWatch, tenant: str, safety_s: float = SAFETY_S
) -> AsyncIterator[Event]:
    """``ready``, then one ``inbox`` event per change of the tenant's threads (or per lull)."""
    with watch.listen(tenant) as changes:
        yield {"event": "ready", "data": "{}"}
        while True:
            try:
                change = await asyncio.wait_for(changes.get(), safety_s)
            except TimeoutError:
                yield {"event": "inbox", "data": json.dumps({"reason": "safety"})}
                continue
            body = {"reason": "change", "thread_id": change.thread_id, "status": change.status}
            yield {"event": "inbox", "data": json.dumps(body)}


def inbox_feed(watch: ThreadWatch, tenant: str, heartbeat_s: float) -> EventSourceResponse:
    """The feed as a streamed response (never cached, heartbeats every ``heartbeat_s``)."""
    return EventSourceResponse(
        inbox_events(watch, tenant),
        ping=heartbeat_s,
        sep="\n",
        headers={"Cache-Control": "no-store"},
    )
