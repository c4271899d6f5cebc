"""Which threads this process holds: a slot per thread, the runs it has, the leases.

A thread's lease (``baton.lease``) is taken for a run admitted on it, or for a block that
needs the thread idle (``exclusive``: updating its state, deleting it), and given back once
its slot is idle; while held, the lease's fence is what the thread's writes carry.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from baton.lease import Lease, ThreadBusy
from baton.service.errors import ApiError
from baton.service.handles import RunHandle, ThreadSlot
from baton.service.heartbeat import Heartbeat
from persistence.leases import Fence, current_fence

if TYPE_CHECKING:
    from baton.service.context import ServiceContext


class ThreadHolds:
    """The slots and leases of the threads this process drives."""

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._slots: dict[str, ThreadSlot] = {}
        self._handles: dict[str, RunHandle] = {}
        self.heartbeat = Heartbeat(ctx.settings.database, ctx.service.replica_timeout_s)

    def slot(self, thread_id: str) -> ThreadSlot:
        """The thread's slot (created idle)."""
        return self._slots.setdefault(thread_id, ThreadSlot(thread_id))

    def handle(self, run_id: str) -> RunHandle | None:
        """The handle of a pending or running run of this process."""
        return self._handles.get(run_id)

    def busy(self, thread_id: str) -> bool:
        """Whether the thread has a run running or queued."""
        slot = self._slots.get(thread_id)
        return slot is not None and slot.busy

    def lease(self, thread_id: str) -> Lease:
        """A lease on the thread for this process (not yet acquired), naming its heartbeat."""
        service = self.ctx.service
        return Lease(
            self.ctx.settings.database,
            thread_id,
            service.lease_ttl_s,
            self.heartbeat.replica,
            service.replica_timeout_s,
        )

    async def hold(self, slot: ThreadSlot) -> None:
        """Take the thread's lease for this process (409 if another process drives it)."""
        if slot.lease is not None:
            return
        lease = self.lease(slot.thread_id)
        try:
            await asyncio.to_thread(lease.acquire)
        except ThreadBusy as exc:
            raise ApiError(409, str(exc)) from None
        slot.lease = lease

    @asynccontextmanager
    async def exclusive(self, thread_id: str) -> AsyncIterator[Fence | None]:
        """Hold an idle thread (and its lease) for the block; 409 if a run is on it.

        The block's checkpoint writes and upkeep are fenced with the lease (its fence is
        what the block yields, for the other stores' writes).
        """
        slot = self.slot(thread_id)
        async with slot.lock:
            if slot.busy:
                raise ApiError(409, f"thread {thread_id} is busy; try again when its run has ended")
            await self.hold(slot)
            fenced = current_fence.set(slot.fence)
            try:
                yield slot.fence
            finally:
                current_fence.reset(fenced)
                await self.release(slot)

    async def release(self, slot: ThreadSlot) -> None:
        """Give up the thread's lease (the slot is idle)."""
        lease, slot.lease = slot.lease, None
        if lease is not None:
            await asyncio.to_thread(lease.release)
