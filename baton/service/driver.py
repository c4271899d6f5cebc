"""Running one run: stream its graph into its event stream, then read how it ended.

The graph streams with Baton's durability setting over the async saver; each stream item
becomes the API events the run asked for (``baton.service.chunks``). A run carried on after
a restart continues from its checkpoint: a resume sends its decisions again (answers the
thread already acted on are not pending any more, so nothing is decided twice), any other
run continues with no input once it has saved a checkpoint under its run id.

Why a resume is sent again rather than continued with no input: LangGraph keeps a resume
*map* (``Command(resume={interrupt id: value})``) only in the run's config; each task's
``interrupt()`` writes its answer (a ``RESUME`` pending write) when that task finishes. A
process killed before the approval node finished leaves no trace of the decision on the
checkpoint, so the run record, which holds the command, is what carries it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from langgraph.errors import GraphRecursionError
from langgraph.types import Command

from baton.pending import live_interrupts
from baton.service import wire
from baton.service.chunks import ChunkMapper, graph_modes
from baton.service.errors import ApiError, one_line
from baton.service.outcome import Outcome, error_outcome, outcome_of
from baton.service.snapshots import run_checkpointed, run_config, snapshot_of, thread_config

if TYPE_CHECKING:
    from baton.service.context import ServiceContext
    from baton.service.handles import RunHandle
    from persistence.runs import RunRecord
    from persistence.threads import ThreadStatus

log = logging.getLogger("baton.service")


async def _graph_input(ctx: ServiceContext, handle: RunHandle) -> Any:
    run = handle.run
    command = run.kwargs.get("command")
    if command is not None:
        return Command(resume=command["resume"])
    if handle.resumed and await run_checkpointed(ctx, run):
        return None
    return run.kwargs.get("input")


async def stream_graph(ctx: ServiceContext, handle: RunHandle) -> None:
    """Stream the run's graph, publishing each event as it comes."""
    run = handle.run
    assistant = ctx.assistants.find(run.graph_id)
    if assistant is None:
        raise ApiError(409, f"this server has no graph {run.graph_id}")
    modes: list[Any] = run.kwargs.get("stream_mode") or ["values"]
    subgraphs = bool(run.kwargs.get("subgraphs"))
    mapper = ChunkMapper(modes, subgraphs=subgraphs)
    extra: dict[str, Any] = {}
    for key in ("interrupt_before", "interrupt_after"):
        if run.kwargs.get(key):
            extra[key] = run.kwargs[key]
    config = run_config(run)
    if run.kwargs.get("checkpoint_id") and not handle.resumed:
        config["configurable"]["checkpoint_id"] = run.kwargs["checkpoint_id"]
    graph_input = await _graph_input(ctx, handle)
    if handle.cancel_action is not None:
        raise asyncio.CancelledError
    publish = ctx.hub.publish
    handle.in_graph = True
    try:
        async for item in assistant.graph.astream(
            graph_input,
            config,
            stream_mode=graph_modes(modes),
            subgraphs=subgraphs,
            durability=run.kwargs.get("durability") or ctx.settings.durability,
            **extra,
        ):
            for name, data in mapper.events(item):
                publish(run.run_id, name, wire.dumps(data))
    finally:
        handle.in_graph = False


async def finished_outcome(ctx: ServiceContext, run: RunRecord) -> Outcome:
    """Read the thread after its graph stopped (without raising)."""
    assistant = ctx.assistants.find(run.graph_id)
    assert assistant is not None
    snapshot = await snapshot_of(assistant, run.thread_id)
    return outcome_of(snapshot, live_interrupts(snapshot))


async def run_to_outcome(ctx: ServiceContext, handle: RunHandle) -> Outcome:
    """Run the graph and say how it went; ``CancelledError`` only for a client's cancel."""
    try:
        await stream_graph(ctx, handle)
        return await finished_outcome(ctx, handle.run)
    except asyncio.CancelledError:
        if handle.cancel_action is None:
            raise  # the service is stopping: the run stays running and resumes at start
        return await cancelled_outcome(ctx, handle)
    except ApiError as exc:
        return error_outcome("Refused", exc.detail)
    except GraphRecursionError:
        limit = run_config(handle.run).get("recursion_limit") or ctx.settings.recursion_limit
        return error_outcome(
            "GraphRecursionError",
            f"recursion limit of {limit} steps reached; the thread keeps its last checkpoint",
        )
    except Exception as exc:  # the graph's own failure, reported on the run, never raised
        log.exception("run %s failed", handle.run.run_id)
        return error_outcome(type(exc).__name__, one_line(str(exc)) or type(exc).__name__)


async def cancelled_outcome(ctx: ServiceContext, handle: RunHandle) -> Outcome:
    """A run a client stopped: what the thread kept (``interrupt``) or gave back (``rollback``)."""
    run = handle.run
    if handle.cancel_action == "rollback":
        await ctx.saver.adelete_for_runs([run.run_id])
    assistant = ctx.assistants.find(run.graph_id)
    assert assistant is not None
    snapshot = await assistant.graph.aget_state(thread_config(run.thread_id), subgraphs=True)
    waiting = live_interrupts(snapshot)
    values = wire.loads(wire.dumps(dict(snapshot.values or {})))
    thread_status: ThreadStatus = "interrupted" if waiting or snapshot.next else "idle"
    return Outcome("interrupted", thread_status, values, None)
