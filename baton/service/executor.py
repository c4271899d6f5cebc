"""One run per thread: admitting runs, queueing them, cancelling them, carrying them on.

Every thread the service drives has a slot: the run it is running, the runs queued behind it
(``enqueue``) and Baton's thread lease (``baton.lease``), held from the moment a run is
admitted until the thread's queue is empty, so a ``baton resume`` from a terminal cannot
drive the thread meanwhile, nor the service a thread a terminal is driving (409). Admission
decisions for a thread are made under its lock, so two concurrent requests cannot both
find it free. A service that was killed finds its unfinished runs in the run store when it
starts and carries them on; their leases name a dead process and are taken over. On
PostgreSQL the process beats a heartbeat (``baton.service.heartbeat``) that every lease it
takes names, so other replicas take its threads over within ``replica_timeout_s`` of its
death on any machine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from baton.service.claims import carry_on_orphans, claim_forever, renew_forever, taken_over
from baton.service.errors import ApiError, one_line
from baton.service.handles import CancelAction, RunHandle, ThreadSlot
from baton.service.holds import ThreadHolds
from baton.service.outcome import Outcome, error_outcome
from baton.service.run_life import record_end, start_and_run
from persistence.leases import FencedOut, current_fence

if TYPE_CHECKING:
    from baton.service.context import ServiceContext
    from persistence.runs import RunRecord

log = logging.getLogger("baton.service")

Admit = Callable[[ThreadSlot, bool], Awaitable["RunRecord"]]
"""Checks a run against its thread (under the thread's lock) and stores it; its record.

Called with the slot and whether in-flight runs were just cancelled for this run."""
NEVER_STARTED = Outcome("interrupted", "idle", {}, None)
"""The outcome of a run cancelled before its graph started."""
PreStart = Callable[["RunRecord"], Awaitable["RunRecord"]]
"""Checks a queued run against its thread when its turn comes (``ApiError`` refuses it)."""


class RunExecutor(ThreadHolds):
    """Runs on threads, one at a time per thread."""

    def __init__(self, ctx: ServiceContext, pre_start: PreStart) -> None:
        super().__init__(ctx)
        self._pre_start = pre_start
        self._ticker: asyncio.Task[None] | None = None
        self._claimer: asyncio.Task[None] | None = None

    async def admit(self, thread_id: str, strategy: str, admit: Admit) -> RunHandle:
        """Apply the multitask strategy, then check, store and start (or queue) a run."""
        slot = self.slot(thread_id)
        async with slot.lock:
            if slot.busy and strategy == "reject":
                running = slot.inflight()[0].run
                raise ApiError(
                    409,
                    f"thread {thread_id} is busy: run {running.run_id} is {running.status}; "
                    "wait for it, or send multitask_strategy enqueue, interrupt or rollback",
                )
            superseded = slot.busy and strategy in ("interrupt", "rollback")
            if superseded:
                reason = f"superseded by a new run (multitask_strategy={strategy})"
                await self._cancel_all(
                    slot, "rollback" if strategy == "rollback" else "interrupt", reason
                )
            queued = slot.busy
            if queued and len(slot.queue) >= self.ctx.service.max_queued_runs:
                raise ApiError(429, f"thread {thread_id} already has {len(slot.queue)} runs queued")
            if not queued:
                await self.hold(slot)
            # what admission writes or undoes on the thread is fenced with its lease
            fenced = current_fence.set(slot.fence)
            try:
                run = await admit(slot, superseded)
            except BaseException:
                if not slot.busy:
                    await self.release(slot)
                raise
            finally:
                current_fence.reset(fenced)
            await self.ctx.hub.open(run.run_id)
            handle = RunHandle(run, queued=queued)
            self._handles[run.run_id] = handle
            if queued:
                slot.queue.append(handle)
            else:
                self._launch(slot, handle)
            return handle

    def adopt(self, slot: ThreadSlot, handle: RunHandle) -> None:
        """Take on a run this process did not admit (a restart's, or a dead replica's)."""
        self._handles[handle.run.run_id] = handle
        if slot.busy:
            slot.queue.append(handle)
        else:
            self._launch(slot, handle)

    def _launch(self, slot: ThreadSlot, handle: RunHandle) -> None:
        slot.active = handle
        handle.task = asyncio.get_running_loop().create_task(self._drive(slot, handle))

    async def _drive(self, slot: ThreadSlot, handle: RunHandle) -> None:
        run = handle.run
        # this task's checkpoint and effect writes are fenced with the thread's lease token
        fence = slot.fence
        current_fence.set(fence)
        self.ctx.hub.fence(run.run_id, fence)
        try:
            if handle.cancel_action is not None:
                outcome = NEVER_STARTED
            else:
                outcome = await start_and_run(self.ctx, handle, self._pre_start, fence)
        except asyncio.CancelledError:
            handle.done.set()  # the service is stopping; the run resumes at the next start
            raise
        except Exception as exc:  # the stores failed: report it on the run, keep serving
            log.exception("run %s could not be driven", run.run_id)
            outcome = error_outcome(type(exc).__name__, one_line(str(exc)))
        fenced_out = await taken_over(slot)
        if not fenced_out:
            try:
                await record_end(self.ctx, handle, outcome, fence)
            except FencedOut:  # taken over between the look and the write: nothing recorded
                fenced_out = True
            except BaseException:
                await self._ended(slot, handle)
                raise
        if fenced_out:
            # another process claimed the thread (this one stalled past its lease): the run
            # is theirs now, so this one records nothing more and lets go of the thread
            log.warning("run %s: the lease of thread %s was taken over", run.run_id, slot.thread_id)
            handle.done.set()
            self._handles.pop(run.run_id, None)
            slot.active, slot.lease = None, None
            slot.queue.clear()
            await self.ctx.hub.abandon(run.run_id)
            return
        await self._ended(slot, handle)

    async def _ended(self, slot: ThreadSlot, handle: RunHandle) -> None:
        handle.done.set()
        self._handles.pop(handle.run.run_id, None)
        slot.active = None
        await self._next(slot)

    async def _next(self, slot: ThreadSlot) -> None:
        if slot.queue:
            self._launch(slot, slot.queue.popleft())
            return
        async with slot.lock:
            if not slot.busy:
                await self.release(slot)

    async def _cancel_all(self, slot: ThreadSlot, action: CancelAction, reason: str) -> None:
        """Stop every run of the thread (queued ones never start) and wait for them."""
        handles = slot.inflight()
        for handle in handles:
            handle.request_cancel(action, reason)
        queued = list(slot.queue)
        slot.queue.clear()
        for handle in queued:
            await record_end(self.ctx, handle, NEVER_STARTED, slot.fence)
            handle.done.set()
            self._handles.pop(handle.run.run_id, None)
        if slot.active is not None:
            await slot.active.done.wait()

    async def cancel(self, run_id: str, action: CancelAction, reason: str) -> RunHandle | None:
        """Stop one run; its handle (None if it is not pending or running here)."""
        handle = self._handles.get(run_id)
        if handle is None:
            return None
        slot = self.slot(handle.run.thread_id)
        if handle in slot.queue:
            slot.queue.remove(handle)
            handle.request_cancel(action, reason)
            await record_end(self.ctx, handle, NEVER_STARTED, slot.fence)
            handle.done.set()
            self._handles.pop(run_id, None)
            if not slot.busy:
                await self._next(slot)
            return handle
        handle.request_cancel(action, reason)
        return handle

    async def cancel_thread(self, thread_id: str, reason: str) -> None:
        """Stop every run of a thread (it is being deleted)."""
        slot = self._slots.get(thread_id)
        if slot is not None:
            async with slot.lock:
                await self._cancel_all(slot, "interrupt", reason)

    async def recover(self) -> int:
        """Carry on every unfinished run that no live process drives; how many.

        At start, and then every ``claim_interval_s``: a run whose replica died (or stalled
        past its lease) is claimed by whichever replica takes its thread's lease first.
        """
        return await carry_on_orphans(self)

    async def open(self) -> int:
        """Start beating, carry on what no live process drives, then start the tickers.

        How many runs were carried on at start.
        """
        await asyncio.to_thread(self.heartbeat.start)
        carried = await self.recover()
        self.start()
        return carried

    def start(self) -> None:
        """Start renewing the leases this process holds, and claiming orphaned runs."""
        loop = asyncio.get_running_loop()
        self._ticker = loop.create_task(renew_forever(self.ctx, self._slots))
        self._claimer = loop.create_task(claim_forever(self))

    async def stop(self) -> None:
        """Stop every run (they stay running in the store and resume at the next start)."""
        for ticker in (self._ticker, self._claimer):
            if ticker is not None:
                ticker.cancel()
        tasks = [h.task for h in self._handles.values() if h.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for slot in list(self._slots.values()):
            await self.release(slot)
        await asyncio.to_thread(self.heartbeat.stop)
