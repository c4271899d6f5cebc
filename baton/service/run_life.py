"""A run's start and end as the stores see them: statuses, first and last events.

A run starts ``running`` (a queued one is checked against its thread first) with its
``metadata`` event; it ends with its record and its thread's status set, then ``error``
(when it failed) and ``end`` events, and its stream handed over to the log. A rolled-back
run leaves no record and no events; a stateless run's temporary thread goes with it.
Both the start and the end are told to ``ctx.watch`` (the thread's new status). The run
record and thread index writes carry the fence of the lease the run is driven under: once
another process has taken the thread over, each is refused in its own transaction
(``FencedOut``) and nothing is recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from baton.service import wire
from baton.service.driver import finished_outcome, run_to_outcome
from baton.service.errors import ApiError
from baton.service.outcome import Outcome, error_outcome

if TYPE_CHECKING:
    from baton.service.context import ServiceContext
    from baton.service.handles import RunHandle
    from persistence.leases import Fence
    from persistence.runs import RunRecord


async def start_and_run(
    ctx: ServiceContext,
    handle: RunHandle,
    pre_start: Callable[[RunRecord], Awaitable[RunRecord]],
    fence: Fence | None = None,
) -> Outcome:
    """Mark the run running, announce it, run its graph; how it went."""
    run = handle.run
    if handle.queued and not handle.resumed:
        try:
            checked = await pre_start(run)
        except ApiError as exc:
            refused = await finished_outcome(ctx, run)
            return error_outcome("Refused", exc.detail, refused.thread_status)
        if checked.kwargs != run.kwargs:
            await asyncio.to_thread(ctx.runs.update, run.run_id, kwargs=checked.kwargs, fence=fence)
        handle.run = run = checked
    await asyncio.to_thread(
        ctx.runs.update, run.run_id, status="running", attempt=run.attempt, fence=fence
    )
    handle.run = run = replace(run, status="running")
    # as LangGraph's server does: a chat UI lists a graph's threads by these metadata keys
    named = {"graph_id": run.graph_id, "assistant_id": run.assistant_id}
    await asyncio.to_thread(
        ctx.threads.update,
        run.thread_id,
        status="busy",
        graph_id=run.graph_id,
        metadata=named,
        fence=fence,
    )
    ctx.watch.changed(run.tenant, run.thread_id, "busy")
    meta = {"run_id": run.run_id, "thread_id": run.thread_id, "attempt": run.attempt}
    ctx.hub.publish(run.run_id, "metadata", wire.dumps(meta))
    return await run_to_outcome(ctx, handle)


async def record_end(
    ctx: ServiceContext, handle: RunHandle, outcome: Outcome, fence: Fence | None = None
) -> None:
    """Store how the run ended, send its last events and close its stream."""
    run = handle.run
    message = outcome.error["message"] if outcome.error else handle.cancel_reason or None
    rolled_back = handle.cancel_action == "rollback" and outcome.run_status == "interrupted"
    if rolled_back:
        await asyncio.to_thread(ctx.runs.delete, [run.run_id], fence=fence)
    else:
        await asyncio.to_thread(
            ctx.runs.update,
            run.run_id,
            status=outcome.run_status,
            result=outcome.result,
            error=message,
            fence=fence,
        )
    await asyncio.to_thread(
        ctx.threads.update, run.thread_id, status=outcome.thread_status, error=message, fence=fence
    )
    ctx.watch.changed(run.tenant, run.thread_id, outcome.thread_status)
    if outcome.error is not None:
        ctx.hub.publish(run.run_id, "error", wire.dumps(outcome.error))
    end = {"run_id": run.run_id, "status": "rollback" if rolled_back else outcome.run_status}
    ctx.hub.publish(run.run_id, "end", wire.dumps(end))
    await ctx.hub.close(run.run_id)
    if rolled_back:
        await ctx.hub.forget([run.run_id])
    if run.kwargs.get("temporary"):
        await ctx.saver.adelete_thread(run.thread_id)
        await asyncio.to_thread(ctx.threads.delete, run.thread_id, fence=fence)
