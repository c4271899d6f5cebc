"""Thread state routes: read the state (latest or at a checkpoint), update it, read history.

An update writes values at the top level of the graph as if ``as_node`` had returned them;
it never reaches inside a worker (``checkpoint_ns`` must be empty), so no update can stand
in for a decision on an irreversible call. Updates wait for no run: a thread with a run in
flight is refused (409).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from langgraph.errors import InvalidUpdateError

from baton.service import wire
from baton.service.access import owned_thread
from baton.service.assistants import Assistant
from baton.service.deps import Caller, caller
from baton.service.errors import ApiError, one_line
from baton.service.run_body import CheckpointRef
from baton.service.snapshots import snapshot_of, thread_config
from baton.service.state_view import checkpoint_of, thread_state
from baton.service.thread_body import HistoryQuery, StateAtCheckpoint, StateUpdate
from baton.service.threads import graph_of

router = APIRouter(tags=["thread state"])
Who = Annotated[Caller, Depends(caller)]


def _assistant(who: Caller, thread_graph: str) -> Assistant:
    assistant = who.ctx.assistants.find(thread_graph)
    assert assistant is not None
    return assistant


def _top_level(ref: CheckpointRef | None, thread_id: str) -> str | None:
    if ref is None:
        return None
    if ref.checkpoint_ns:
        raise ApiError(422, "checkpoint.checkpoint_ns: only the top-level graph is addressed")
    if ref.thread_id and ref.thread_id != thread_id:
        raise ApiError(422, f"checkpoint.thread_id: this is thread {thread_id}")
    return ref.checkpoint_id


async def _state(
    who: Caller, thread_id: str, checkpoint_id: str | None, subgraphs: bool
) -> Response:
    thread = await owned_thread(who.ctx, who.tenant, thread_id)
    assistant = _assistant(who, graph_of(who, thread))
    graph = assistant.graph
    config = thread_config(thread_id, checkpoint_id)
    if checkpoint_id and await who.ctx.saver.aget_tuple(config) is None:
        raise ApiError(404, f"checkpoint {checkpoint_id} not found")
    snapshot = await (
        graph.aget_state(config, subgraphs=True)
        if subgraphs
        else snapshot_of(assistant, thread_id, checkpoint_id)
    )
    state = thread_state(snapshot)
    if not subgraphs:
        for task in state["tasks"]:
            task["state"] = None
    return wire.JsonResponse(state)


@router.get("/threads/{thread_id}/state")
async def get_state(thread_id: str, who: Who, subgraphs: bool = False) -> Response:
    """Get a thread's latest state."""
    return await _state(who, thread_id, None, subgraphs)


@router.get("/threads/{thread_id}/state/{checkpoint_id}")
async def get_state_at(
    thread_id: str, checkpoint_id: str, who: Who, subgraphs: bool = False
) -> Response:
    """Get a thread's state at a checkpoint."""
    return await _state(who, thread_id, checkpoint_id, subgraphs)


@router.post("/threads/{thread_id}/state/checkpoint")
async def post_state_at(thread_id: str, body: StateAtCheckpoint, who: Who) -> Response:
    """Get a thread's state at a checkpoint."""
    return await _state(who, thread_id, _top_level(body.checkpoint, thread_id), body.subgraphs)


@router.post("/threads/{thread_id}/state")
async def update_state(thread_id: str, body: StateUpdate, who: Who) -> Response:
    """Update a thread's state as a node would."""
    thread = await owned_thread(who.ctx, who.tenant, thread_id)
    graph = _assistant(who, graph_of(who, thread)).graph
    checkpoint_id = body.checkpoint_id or _top_level(body.checkpoint, thread_id)
    unknown = sorted(set(body.values or {}) - set(graph.channels))
    if unknown:
        raise ApiError(422, f"values.{unknown[0]}: not a channel of {graph.get_name()}'s state")
    if body.as_node is not None and body.as_node not in graph.nodes:
        raise ApiError(422, f"as_node: {graph.get_name()} has no node {body.as_node}")
    async with who.executor.exclusive(thread_id):
        config = thread_config(thread_id, checkpoint_id)
        if checkpoint_id and await who.ctx.saver.aget_tuple(config) is None:
            raise ApiError(404, f"checkpoint {checkpoint_id} not found")
        try:
            saved = await graph.aupdate_state(config, body.values, as_node=body.as_node)
        except (InvalidUpdateError, ValueError, TypeError, KeyError) as exc:
            raise ApiError(422, one_line(f"values: {exc}")) from None
    return wire.JsonResponse({"checkpoint": checkpoint_of(saved)})


async def _history(
    who: Who,
    thread_id: str,
    limit: int,
    before: str | None,
    metadata: dict[str, Any] | None,
    checkpoint_id: str | None,
) -> Response:
    thread = await owned_thread(who.ctx, who.tenant, thread_id)
    graph = _assistant(who, graph_of(who, thread)).graph
    config = thread_config(thread_id, checkpoint_id)
    before_config = thread_config(thread_id, before) if before else None
    states = [
        thread_state(snapshot)
        async for snapshot in graph.aget_state_history(
            config, filter=metadata or None, before=before_config, limit=limit
        )
    ]
    return wire.JsonResponse(states)


@router.get("/threads/{thread_id}/history")
async def get_history(
    thread_id: str,
    who: Who,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    before: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """A thread's past states, newest first."""
    return await _history(who, thread_id, limit, before, None, None)


@router.post("/threads/{thread_id}/history")
async def post_history(thread_id: str, body: HistoryQuery, who: Who) -> Response:
    """A thread's past states, newest first."""
    before = (
        body.before
        if isinstance(body.before, str) or body.before is None
        else (_top_level(body.before, thread_id))
    )
    checkpoint_id = _top_level(body.checkpoint, thread_id)
    return await _history(who, thread_id, body.limit, before, body.metadata, checkpoint_id)
