"""Who is told, in this process, that a tenant's thread changed status.

The run lifecycle (``run_life``) calls ``changed`` when a run starts on a thread (it turns
busy: an approval it waited on is being answered) and when a run ends (the thread waits
for a decision, is done or failed). Listeners (the console's live inbox) get one
``ThreadChange`` per call for their tenant only. A listener that falls behind loses the
oldest changes (its queue is bounded), which is harmless: each change only says "read
again". Changes made by another process (a second replica) are not seen here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_QUEUE = 64


@dataclass(frozen=True)
class ThreadChange:
    """One thread of one tenant took a new status."""

    tenant: str
    thread_id: str
    status: str


class ThreadWatch:
    """Fan out thread changes to the listeners of their tenant."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[ThreadChange]]] = {}

    def changed(self, tenant: str, thread_id: str, status: str) -> None:
        """Tell the tenant's listeners (never blocks)."""
        change = ThreadChange(tenant, thread_id, status)
        for queue in self._listeners.get(tenant, ()):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(change)

    @contextmanager
    def listen(self, tenant: str) -> Iterator[asyncio.Queue[ThreadChange]]:
        """A queue of the tenant's changes for the block."""
        queue: asyncio.Queue[ThreadChange] = asyncio.Queue(_QUEUE)
        self._listeners.setdefault(tenant, set()).add(queue)
        try:
            yield queue
        finally:
            listeners = self._listeners.get(tenant, set())
            listeners.discard(queue)
            if not listeners:
                self._listeners.pop(tenant, None)

    def listening(self, tenant: str) -> int:
        """How many listeners the tenant has."""
        return len(self._listeners.get(tenant, ()))
