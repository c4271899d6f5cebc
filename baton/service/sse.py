"""Server-sent events as the LangGraph SDK reads them.

Each event is ``event: NAME``, ``data: JSON`` and ``id: SEQ`` (the run's sequence number, so a
client that reconnects with ``Last-Event-ID`` resumes after it). Keep-alive comments go out
every ``BATON_SSE_HEARTBEAT_S``. ``Location`` names the run's stream (the SDK reconnects
there by itself when a connection drops) and ``Content-Location`` the run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from sse_starlette import EventSourceResponse

from persistence.stream_log import StreamEvent

_SEP = b"\r\n"


def encode(event: StreamEvent) -> bytes:
    """One event in SSE framing (names and data never contain line breaks)."""
    name = event.event.replace("\r", "").replace("\n", "").encode()
    return b"event: %s\r\ndata: %s\r\nid: %d\r\n\r\n" % (name, event.data, event.seq)


def last_event_id(header: str | None) -> int:
    """The sequence number a reconnecting client saw last (0: from the start)."""
    if not header:
        return 0
    try:
        return max(0, int(header.strip()))
    except ValueError:
        return 0


def sse_response(
    events: AsyncIterator[StreamEvent],
    *,
    run_path: str,
    heartbeat_s: float,
    on_drop: Callable[[], Coroutine[Any, Any, None]] | None = None,
    modes: set[str] | None = None,
) -> EventSourceResponse:
    """Stream ``events``; ``on_drop`` runs if the client leaves before the stream ends."""

    async def body() -> AsyncIterator[bytes]:
        ended = False
        try:
            async for event in events:
                if modes and not _wanted(event.event, modes):
                    continue
                yield encode(event)
            ended = True
        finally:
            if not ended and on_drop is not None:
                # the generator may be closing under cancellation: hand the work to a task
                asyncio.get_running_loop().create_task(on_drop())

    return EventSourceResponse(
        body(),
        ping=heartbeat_s,
        sep="\r\n",
        headers={"Location": f"{run_path}/stream", "Content-Location": run_path},
    )


def _wanted(event: str, modes: set[str]) -> bool:
    """Whether a joined stream filtered to ``modes`` shows ``event``."""
    base = event.split("|", 1)[0]
    if base in ("metadata", "error", "end") or base in modes:
        return True
    return base.startswith("messages") and bool(modes & {"messages", "messages-tuple"})
