"""Stand-ins for a model or tool call: nothing but a fixed latency."""

from __future__ import annotations

import asyncio
import time


def call_stub(latency_s: float) -> None:
    """Block for ``latency_s`` (0 returns at once), like a synchronous model call."""
    if latency_s > 0:
        time.sleep(latency_s)


async def acall_stub(latency_s: float) -> None:
    """Wait ``latency_s`` without blocking the event loop, like an async model call."""
    await asyncio.sleep(latency_s)
