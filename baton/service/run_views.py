"""Runs as the API returns them, and waiting for one to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from starlette.responses import StreamingResponse

from baton.service import wire
from persistence.runs import UNFINISHED

if TYPE_CHECKING:
    from baton.service.deps import Caller
    from persistence.runs import RunRecord


def run_json(run: RunRecord) -> dict[str, Any]:
    """The API's ``Run``."""
    return {
        "run_id": run.run_id,
        "thread_id": run.thread_id,
        "assistant_id": run.assistant_id,
        "created_at": wire.iso(run.created_at),
        "updated_at": wire.iso(run.updated_at),
        "status": run.status,
        "metadata": run.metadata,
        "multitask_strategy": run.multitask_strategy,
        "kwargs": {key: value for key, value in run.kwargs.items() if key != "temporary"},
        "attempt": run.attempt,
        "cancel_reason": run.error if run.status == "interrupted" else None,
        "error": run.error if run.status == "error" else None,
    }


def run_path(run: RunRecord) -> str:
    """Where the run is addressed (stateless runs by their own id)."""
    if run.kwargs.get("temporary"):
        return f"/runs/{run.run_id}"
    return f"/threads/{run.thread_id}/runs/{run.run_id}"


async def finished(caller: Caller, run_id: str) -> RunRecord | None:
    """Wait until the run ends; its final record (None if it was rolled back).

    A run another replica executes is read from the run store until it has ended.
    """
    handle = caller.executor.handle(run_id)
    if handle is not None:
        await handle.done.wait()
    while True:
        record = await asyncio.to_thread(caller.ctx.runs.get, run_id)
        if record is None or record.status not in UNFINISHED:
            return record
        handle = caller.executor.handle(run_id)  # this replica may have taken it over
        if handle is not None:
            await handle.done.wait()
        else:
            await asyncio.sleep(FOLLOW_POLL_S)


FOLLOW_POLL_S = 0.1
"""How often a wait on a run that another replica executes reads its record."""


def result_of(run: RunRecord | None) -> dict[str, Any]:
    """What ``wait`` and ``join`` return: final values, ``__interrupt__`` or ``__error__``."""
    if run is None:
        return {"__error__": {"error": "RolledBack", "message": "the run was rolled back"}}
    return run.result or {}


def waiting_response(
    caller: Caller,
    run: RunRecord,
    *,
    on_drop: Callable[[], Coroutine[Any, Any, None]] | None = None,
) -> StreamingResponse:
    """The run's result once it ends; blank lines (JSON whitespace) keep the connection open."""
    heartbeat = caller.ctx.service.sse_heartbeat_s

    async def body() -> AsyncIterator[bytes]:
        ended = False
        waiter = asyncio.ensure_future(finished(caller, run.run_id))
        try:
            while True:
                try:
                    record = await asyncio.wait_for(asyncio.shield(waiter), heartbeat)
                    break
                except TimeoutError:
                    yield b"\n"
            ended = True
            yield wire.dumps(result_of(record))
        finally:
            if not ended:
                waiter.cancel()
                if on_drop is not None:
                    asyncio.get_running_loop().create_task(on_drop())

    path = run_path(run)
    return StreamingResponse(
        body(),
        media_type="application/json",
        headers={"Location": f"{path}/join", "Content-Location": path},
    )
