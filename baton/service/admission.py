"""Admitting a run: every check that can refuse it, before anything is written.

Checks that need only the request (the assistant, the input, the config, fields Baton does
not honour) come first; checks against the thread's state (is it waiting for an approval,
are the decisions valid, may a new turn start) run under the thread's lock in
``RunExecutor.admit``, and again for a queued run when its turn comes.

A new turn on a thread that waits for an approval, or whose last turn did not finish (a
run that was cancelled or cut off), is refused (409) unless the caller says what to do with
it: ``multitask_strategy="interrupt"`` starts the turn on top of the thread and abandons
what was pending (approvals never run; the approval audit records them as abandoned);
``"rollback"`` first undoes the run that left the thread so (its checkpoints go, what it
did in the world stays done), then starts the turn. Either way nothing irreversible runs
without a decision.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from baton.pending import live_interrupts
from baton.service.access import find_thread
from baton.service.errors import ApiError
from baton.service.inputs import checked_input
from baton.service.resume import checked_resume, decider_for
from baton.service.snapshots import answered_interrupts, snapshot_of, thread_config
from persistence.checkpoint_lookups import thread_exists
from persistence.leases import current_fence
from persistence.runs import RunRecord
from persistence.threads import ThreadRecord

if TYPE_CHECKING:
    from langgraph.types import Interrupt

    from baton.service.context import ServiceContext
    from baton.service.executor import RunExecutor
    from baton.service.handles import RunHandle, ThreadSlot
    from baton.service.run_body import RunCreate


def _client_config(ctx: ServiceContext, body: RunCreate, thread_id: str) -> dict[str, Any]:
    config = body.config
    configurable = dict(config.configurable) if config else {}
    given = configurable.pop("thread_id", None)
    if given is not None and str(given) != thread_id:
        raise ApiError(422, f"config.configurable.thread_id: this run's thread is {thread_id}")
    limit = config.recursion_limit if config else None
    if limit is not None and limit > ctx.settings.recursion_limit:
        raise ApiError(
            422, f"config.recursion_limit: at most {ctx.settings.recursion_limit} on this server"
        )
    configurable.pop("checkpoint_id", None)
    return {
        "tags": list(config.tags) if config else [],
        "metadata": dict(config.metadata) if config else {},
        "configurable": configurable,
        "recursion_limit": limit,
    }


def _checkpoint_id(body: RunCreate, thread_id: str) -> str | None:
    ref = body.checkpoint
    if ref is not None and ref.checkpoint_ns:
        raise ApiError(422, "checkpoint.checkpoint_ns: runs start from the top-level graph")
    if ref is not None and ref.thread_id and ref.thread_id != thread_id:
        raise ApiError(422, f"checkpoint.thread_id: this run's thread is {thread_id}")
    configured = body.config.configurable.get("checkpoint_id") if body.config else None
    found = body.checkpoint_id or (ref.checkpoint_id if ref else None) or configured
    return str(found) if found else None


def _durability(body: RunCreate) -> str | None:
    if body.durability is not None:
        return body.durability
    return "exit" if body.checkpoint_during is False else None


async def _abandon(ctx: ServiceContext, run: RunRecord, waiting: list[Interrupt]) -> None:
    for item in waiting:
        value = item.value if isinstance(item.value, dict) else {}
        if value.get("type") not in ("tool_approval", "effect_reconciliation"):
            continue
        await asyncio.to_thread(
            ctx.services.audit.record,
            run.thread_id,
            step=str(value.get("step", "")),
            tool=str(value.get("name", "")),
            tool_call_id=str(value.get("tool_call_id", "")),
            args=dict(value.get("args") or {}),
            args_hash=str(value.get("args_hash", "")),
            event="abandoned",
            decider=decider_for(None, run.tenant),
            detail=f"run {run.run_id} started a new turn "
            f"with multitask_strategy={run.multitask_strategy}",
        )


async def _roll_back_last_run(ctx: ServiceContext, run: RunRecord) -> None:
    earlier = await asyncio.to_thread(ctx.runs.list_for_thread, run.thread_id, limit=5, offset=0)
    previous = next((r for r in earlier if r.run_id != run.run_id), None)
    if previous is None:
        raise ApiError(409, f"thread {run.thread_id} has no run of this server to roll back")
    # both fenced with the thread's lease (admission's, or the queued run's turn)
    await ctx.saver.adelete_for_runs([previous.run_id])
    await asyncio.to_thread(ctx.runs.delete, [previous.run_id], fence=current_fence.get())
    await ctx.hub.forget([previous.run_id])


async def check_against_thread(
    ctx: ServiceContext, run: RunRecord, *, superseded: bool = False
) -> RunRecord:
    """Check ``run`` against its thread's state now; the run to start (decisions filled in).

    ``superseded``: the strategy was already spent on the runs in flight (cancelled, or
    rolled back), so a thread found waiting is only abandoned, not rolled back further.
    """
    assistant = ctx.assistants.find(run.graph_id)
    if assistant is None:
        raise ApiError(409, f"this server has no graph {run.graph_id}")
    if run.kwargs.get("checkpoint_id"):
        config = thread_config(run.thread_id, run.kwargs["checkpoint_id"])
        if await ctx.saver.aget_tuple(config) is None:
            raise ApiError(404, f"checkpoint {run.kwargs['checkpoint_id']} not found")
    snapshot = await snapshot_of(assistant, run.thread_id)
    waiting = list(live_interrupts(snapshot))
    command = run.kwargs.get("command")
    if command is not None:
        resume = checked_resume(
            command.get("resume"),
            waiting,
            ctx.services.tools,
            thread_id=run.thread_id,
            tenant=run.tenant,
            answered=await answered_interrupts(ctx, run.thread_id),
        )
        return replace(run, kwargs={**run.kwargs, "command": {"resume": resume}})
    if run.kwargs.get("input") is None or not (waiting or snapshot.next):
        return run
    if run.multitask_strategy == "interrupt" or (
        run.multitask_strategy == "rollback" and superseded
    ):
        await _abandon(ctx, run, waiting)
    elif run.multitask_strategy == "rollback":
        await _roll_back_last_run(ctx, run)
        # what the undone run had answered may be pending again: the new turn abandons it
        await _abandon(ctx, run, list(live_interrupts(await snapshot_of(assistant, run.thread_id))))
    elif waiting:
        ids = ", ".join(item.id for item in waiting)
        raise ApiError(
            409,
            f"thread {run.thread_id} is waiting for approval ({ids}): answer the pending "
            'approval first (command {"resume": {ID: decision}}), or send '
            "multitask_strategy interrupt (abandon it) or rollback (undo the run that asked)",
        )
    else:
        raise ApiError(
            409,
            f"thread {run.thread_id} has a turn that did not finish: continue it first (a run "
            "with neither input nor command), or send multitask_strategy interrupt (drop it) "
            "or rollback (undo the run that left it)",
        )
    return run


async def start_run(
    ctx: ServiceContext,
    executor: RunExecutor,
    tenant: str,
    thread_id: str | None,
    body: RunCreate,
) -> RunHandle:
    """Check a run request, store the run and start (or queue) it; 4xx if refused."""
    problem = body.unsupported()
    if problem:
        raise ApiError(422, problem)
    assistant = ctx.assistants.find(body.assistant_id)
    if assistant is None:
        raise ApiError(404, f"assistant {body.assistant_id} not found")
    temporary = thread_id is None
    if temporary and body.command is not None:
        raise ApiError(
            422, "command: a resume needs the thread it answers (POST /threads/{id}/runs)"
        )
    if body.command is not None and body.command.resume is None:
        raise ApiError(422, "command.resume: give the decision(s) to resume with")
    thread_id = thread_id or str(uuid.uuid4())
    existing = None if temporary else await find_thread(ctx, tenant, thread_id)
    if existing is None and not temporary:
        if body.if_not_exists != "create":
            raise ApiError(404, f"thread {thread_id} not found")
        if await asyncio.to_thread(
            ctx.threads.get, thread_id
        ) is not None or await asyncio.to_thread(thread_exists, ctx.settings.database, thread_id):
            raise ApiError(409, f"thread id {thread_id} is taken")
    if existing is not None and existing.graph_id not in (None, assistant.graph_id):
        raise ApiError(
            409, f"thread {thread_id} holds {existing.graph_id}'s state, not {assistant.graph_id}'s"
        )
    now = time.time()
    run = RunRecord(
        run_id=str(uuid.uuid4()),
        thread_id=thread_id,
        tenant=tenant,
        assistant_id=assistant.assistant_id,
        graph_id=assistant.graph_id,
        status="pending",
        multitask_strategy=body.multitask_strategy,
        created_at=now,
        updated_at=now,
        metadata=dict(body.metadata or {}),
        kwargs={
            "input": checked_input(assistant, body.input),
            "command": {"resume": body.command.resume} if body.command else None,
            "stream_mode": body.modes(),
            "subgraphs": body.stream_subgraphs,
            "config": _client_config(ctx, body, thread_id),
            "checkpoint_id": _checkpoint_id(body, thread_id),
            "interrupt_before": body.interrupt_before,
            "interrupt_after": body.interrupt_after,
            "durability": _durability(body),
            "temporary": temporary and body.on_completion != "keep",
        },
    )

    async def admit(slot: ThreadSlot, superseded: bool) -> RunRecord:
        checked = run if slot.busy else await check_against_thread(ctx, run, superseded=superseded)
        if existing is None:
            thread = ThreadRecord(
                thread_id=thread_id,
                tenant=tenant,
                created_at=now,
                updated_at=now,
                status="busy",
                metadata={"graph_id": assistant.graph_id, "assistant_id": assistant.assistant_id},
                graph_id=assistant.graph_id,
            )
            if not await asyncio.to_thread(ctx.threads.insert, thread, fence=slot.fence):
                raise ApiError(409, f"thread id {thread_id} is taken")
        await asyncio.to_thread(ctx.runs.insert, checked, fence=slot.fence)
        return checked

    return await executor.admit(thread_id, body.multitask_strategy, admit)
