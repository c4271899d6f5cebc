"""Runs across replicas: carrying on the unfinished runs that no live process drives.

Every replica looks at the run store at start and then every ``claim_interval_s`` (unset:
0.5 s on PostgreSQL, 1 s on SQLite). For an unfinished run that this process does not
have, it looks at the thread's lease, reads the run again, and only then tries the lease
(``baton.lease``): a live holder refuses (that replica drives the thread, or admits a run
on it right now), so only a thread whose holder died (same host: its pid is gone; any
host: its replica's heartbeat went stale, or its lease expired) is taken, by one replica,
with a new fencing token. (A run still unfinished when its lease is seen free has no
holder: a replica holds the lease from before it stores a run until after it stores the
run's end, so a claim never lands between a run's end and the next request.) The run is
read again under the lease (it may have ended meanwhile) and carried on from its last
checkpoint; a pending one (queued behind it by the dead replica) starts after it, as a
queued run would. The lease's claim is the queue's
lock: one run per thread at a time, across every replica.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from baton.service.errors import ApiError
from baton.service.handles import RunHandle, ThreadSlot
from persistence.runs import UNFINISHED

if TYPE_CHECKING:
    from baton.service.context import ServiceContext
    from baton.service.executor import RunExecutor
    from persistence.runs import RunRecord

log = logging.getLogger("baton.service")


async def carry_on_orphans(executor: RunExecutor) -> int:
    """Claim and carry on every unfinished run no live process drives; how many."""
    ctx = executor.ctx
    carried = 0
    for seen in await asyncio.to_thread(ctx.runs.unfinished):
        if executor.handle(seen.run_id) is not None:
            continue
        slot = executor.slot(seen.thread_id)
        async with slot.lock:
            if executor.handle(seen.run_id) is not None:
                continue
            if not slot.busy:
                # look before claiming: a claim, even one given back at once, would turn a
                # request for the thread away (409) on the replica that just finished a run
                if await asyncio.to_thread(_held_elsewhere, executor, seen.thread_id):
                    continue
                again = await asyncio.to_thread(ctx.runs.get, seen.run_id)
                if again is None or again.status not in UNFINISHED:
                    continue
                try:
                    await executor.hold(slot)
                except ApiError:  # a live process drives the thread
                    continue
            run = await asyncio.to_thread(ctx.runs.get, seen.run_id)
            if run is None or run.status not in UNFINISHED:
                if not slot.busy:
                    await executor.release(slot)
                continue
            if run.status == "running":
                run = restarted(run)
                await asyncio.to_thread(
                    ctx.runs.update, run.run_id, attempt=run.attempt, fence=slot.fence
                )
            await ctx.hub.open(run.run_id)
            executor.adopt(slot, RunHandle(run, resumed=run.status == "running", queued=True))
            carried += 1
    return carried


def _held_elsewhere(executor: RunExecutor, thread_id: str) -> bool:
    return executor.lease(thread_id).held_by_another()


async def claim_forever(executor: RunExecutor) -> None:
    """``carry_on_orphans`` every ``claim_interval_s`` until cancelled."""
    while True:
        ctx = executor.ctx
        await asyncio.sleep(ctx.service.claim_every(ctx.settings.database.engine))
        try:
            carried = await carry_on_orphans(executor)
        except Exception:  # the database is unreachable: look again next time
            log.exception("could not look for unfinished runs")
            continue
        if carried:
            log.warning("carrying on %d run(s) whose replica stopped", carried)


def restarted(run: RunRecord) -> RunRecord:
    """The run as started once more."""
    return replace(run, attempt=run.attempt + 1, updated_at=time.time())


async def taken_over(slot: ThreadSlot) -> bool:
    """Whether another process claimed the slot's thread since this one took its lease."""
    lease = slot.lease
    if lease is None:
        return False
    try:
        return await asyncio.to_thread(lease.taken_over)
    except Exception:  # the database is unreachable: carry on as the holder
        log.exception("could not check the lease of thread %s", slot.thread_id)
        return False


async def renew_forever(ctx: ServiceContext, slots: dict[str, ThreadSlot]) -> None:
    """Renew every held lease each third of its lifetime; forget idle slots; until cancelled."""
    period = ctx.service.lease_ttl_s / 3
    while True:
        await asyncio.sleep(period)
        for thread_id, slot in list(slots.items()):
            if slot.lease is not None:
                try:
                    await asyncio.to_thread(slot.lease.renew)
                except Exception:  # a locked database: the next round renews it
                    log.exception("could not renew the lease of thread %s", thread_id)
            elif not slot.busy and not slot.lock.locked():
                del slots[thread_id]
