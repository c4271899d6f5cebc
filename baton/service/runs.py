"""Run routes: create, stream, wait, join, join-stream, cancel, get, list, delete.

Thread runs live under ``/threads/{thread_id}/runs``; stateless runs (``/runs``, what
``RemoteGraph`` calls when its config has no thread) run on a temporary thread that is
deleted when the run ends, unless ``on_completion="keep"``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Query, Response

from baton.service import wire
from baton.service.access import owned_run, owned_thread
from baton.service.admission import start_run
from baton.service.deps import Caller, caller
from baton.service.errors import ApiError
from baton.service.run_body import RunCreate
from baton.service.run_views import finished, result_of, run_json, run_path, waiting_response
from baton.service.sse import last_event_id, sse_response
from persistence.runs import RunRecord

router = APIRouter(tags=["runs"])
Who = Annotated[Caller, Depends(caller)]
_DISCONNECT_REASON = "the client disconnected (on_disconnect=cancel)"


async def _created(who: Caller, thread_id: str | None, body: RunCreate) -> RunRecord:
    handle = await start_run(who.ctx, who.executor, who.tenant, thread_id, body)
    return handle.run


def _stream(
    who: Caller, run: RunRecord, after: int, *, cancel_on_drop: bool, modes: set[str] | None = None
) -> Response:
    async def drop() -> None:
        await who.executor.cancel(run.run_id, "interrupt", _DISCONNECT_REASON)

    return sse_response(
        who.ctx.hub.subscribe(run.run_id, after),
        run_path=run_path(run),
        heartbeat_s=who.ctx.service.sse_heartbeat_s,
        on_drop=drop if cancel_on_drop else None,
        modes=modes,
    )


async def _create_and_stream(who: Caller, thread_id: str | None, body: RunCreate) -> Response:
    run = await _created(who, thread_id, body)
    return _stream(who, run, 0, cancel_on_drop=body.on_disconnect == "cancel")


async def _create_and_wait(who: Caller, thread_id: str | None, body: RunCreate) -> Response:
    run = await _created(who, thread_id, body)

    async def drop() -> None:
        await who.executor.cancel(run.run_id, "interrupt", _DISCONNECT_REASON)

    return waiting_response(who, run, on_drop=drop if body.on_disconnect == "cancel" else None)


@router.post("/threads/{thread_id}/runs")
async def create_run(thread_id: str, body: RunCreate, who: Who) -> Response:
    """Create a background run."""
    run = await _created(who, thread_id, body)
    return wire.JsonResponse(run_json(run), headers={"Content-Location": run_path(run)})


@router.post("/threads/{thread_id}/runs/stream")
async def stream_run(thread_id: str, body: RunCreate, who: Who) -> Response:
    """Create a run and stream its events."""
    return await _create_and_stream(who, thread_id, body)


@router.post("/threads/{thread_id}/runs/wait")
async def wait_run(thread_id: str, body: RunCreate, who: Who) -> Response:
    """Create a run and wait for its result."""
    return await _create_and_wait(who, thread_id, body)


@router.post("/runs")
async def create_stateless_run(body: RunCreate, who: Who) -> Response:
    """Create a stateless background run."""
    run = await _created(who, None, body)
    return wire.JsonResponse(run_json(run), headers={"Content-Location": run_path(run)})


@router.post("/runs/stream")
async def stream_stateless_run(body: RunCreate, who: Who) -> Response:
    """Create a stateless run and stream its events."""
    return await _create_and_stream(who, None, body)


@router.post("/runs/wait")
async def wait_stateless_run(body: RunCreate, who: Who) -> Response:
    """Create a stateless run and wait for its result."""
    return await _create_and_wait(who, None, body)


@router.get("/threads/{thread_id}/runs")
async def list_runs(
    thread_id: str,
    who: Who,
    limit: Annotated[int, Query(ge=1, le=1000)] = 10,
    offset: Annotated[int, Query(ge=0)] = 0,
    status: Literal["pending", "running", "success", "error", "interrupted"] | None = None,
) -> Response:
    """List a thread's runs, newest first."""
    await owned_thread(who.ctx, who.tenant, thread_id)
    runs = await asyncio.to_thread(
        who.ctx.runs.list_for_thread, thread_id, limit=limit, offset=offset, status=status
    )
    return wire.JsonResponse([run_json(run) for run in runs])


@router.get("/threads/{thread_id}/runs/{run_id}")
async def get_run(thread_id: str, run_id: str, who: Who) -> Response:
    """Get a run."""
    run = await owned_run(who.ctx, who.tenant, run_id, thread_id)
    return wire.JsonResponse(run_json(run))


@router.delete("/threads/{thread_id}/runs/{run_id}", status_code=204)
async def delete_run(thread_id: str, run_id: str, who: Who) -> Response:
    """Delete a finished run's record."""
    run = await owned_run(who.ctx, who.tenant, run_id, thread_id)
    if who.executor.handle(run_id) is not None:
        raise ApiError(409, f"run {run_id} is {run.status}; cancel it first")
    await asyncio.to_thread(who.ctx.runs.delete, [run_id])
    await who.ctx.hub.forget([run_id])
    return Response(status_code=204)


@router.get("/threads/{thread_id}/runs/{run_id}/join")
async def join_run(thread_id: str, run_id: str, who: Who) -> Response:
    """Wait for a run's result."""
    run = await owned_run(who.ctx, who.tenant, run_id, thread_id)
    return waiting_response(who, run)


@router.get("/threads/{thread_id}/runs/{run_id}/stream")
async def join_run_stream(
    thread_id: str,
    run_id: str,
    who: Who,
    last_event: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    stream_mode: Annotated[list[str] | None, Query()] = None,
    cancel_on_disconnect: bool = False,
) -> Response:
    """Join a run's event stream."""
    run = await owned_run(who.ctx, who.tenant, run_id, thread_id)
    modes = set(stream_mode or ()) - {""}
    return _stream(
        who,
        run,
        last_event_id(last_event),
        cancel_on_drop=cancel_on_disconnect,
        modes=modes or None,
    )


@router.get("/runs/{run_id}/stream")
async def join_stateless_stream(
    run_id: str,
    who: Who,
    last_event: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> Response:
    """Join a stateless run's event stream."""
    run = await owned_run(who.ctx, who.tenant, run_id, None)
    return _stream(who, run, last_event_id(last_event), cancel_on_drop=False)


@router.get("/runs/{run_id}/join")
async def join_stateless_run(run_id: str, who: Who) -> Response:
    """Wait for a stateless run's result."""
    run = await owned_run(who.ctx, who.tenant, run_id, None)
    return waiting_response(who, run)


@router.post("/threads/{thread_id}/runs/{run_id}/cancel")
async def cancel_run(
    thread_id: str,
    run_id: str,
    who: Who,
    wait: bool = False,
    action: Literal["interrupt", "rollback"] = "interrupt",
) -> Response:
    """Cancel a pending or running run."""
    run = await owned_run(who.ctx, who.tenant, run_id, thread_id)
    handle = await who.executor.cancel(run_id, action, f"cancelled by a client (action={action})")
    if handle is None:
        raise ApiError(
            409, f"run {run_id} is {run.status}; only pending or running runs can be cancelled"
        )
    if not wait:
        return Response(status_code=202)
    return wire.JsonResponse(result_of(await finished(who, run_id)))
