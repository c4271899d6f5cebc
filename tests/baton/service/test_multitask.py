"""One run per thread: reject, enqueue, interrupt and rollback; cancelling; waiting threads."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from served import Served, served

from bench.stubs import latency_tiers
from graphs.settings import Settings

POLICY = "How long does a refund for a duplicate charge take to reach the customer?"
DOUBLE = "Customer 1042 was charged twice for order 5531; refund the duplicate and email them."
SLOW_S = 0.4
"""Seconds per model call: long enough for a second request to find the run in flight."""


def _status(error: BaseException) -> int:
    assert isinstance(error, httpx.HTTPStatusError)
    return error.response.status_code


async def _thread(app: Served) -> str:
    return str((await app.sdk.threads.create())["thread_id"])


async def _running(app: Served, thread_id: str) -> str:
    """Start a run and return once its graph has made its first step."""
    run = await app.sdk.runs.create(thread_id, "baton", input={"request": POLICY})
    for _ in range(200):
        values = (await app.sdk.threads.get_state(thread_id))["values"]
        if isinstance(values, dict) and values.get("turn"):
            return str(run["run_id"])
        await asyncio.sleep(0.02)
    raise AssertionError("the run never started")


async def test_reject_refuses_a_second_run_while_one_is_in_flight(settings: Settings) -> None:
    async with served(settings, tiers=latency_tiers(SLOW_S)) as app:
        tid = await _thread(app)
        first = await _running(app, tid)
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await app.sdk.runs.create(tid, "baton", input={"request": POLICY})
        assert _status(refused.value) == 409
        assert f"run {first} is running" in refused.value.response.json()["detail"]
        assert [r["run_id"] for r in await app.sdk.runs.list(tid)] == [first]
        assert (await app.sdk.runs.join(tid, first))["status"] == "done"


async def test_enqueue_runs_one_after_the_other(settings: Settings) -> None:
    async with served(settings, tiers=latency_tiers(SLOW_S)) as app:
        tid = await _thread(app)
        first = await _running(app, tid)
        second = await app.sdk.runs.create(
            tid,
            "baton",
            input={"request": "And how do I ask for one?"},
            multitask_strategy="enqueue",
        )
        assert second["status"] == "pending"
        result = await app.sdk.runs.join(tid, second["run_id"])
        assert result["turn"] == 2 and result["status"] == "done"
        runs = {r["run_id"]: r for r in await app.sdk.runs.list(tid)}
        assert runs[first]["status"] == runs[second["run_id"]]["status"] == "success"
        assert runs[first]["updated_at"] <= runs[second["run_id"]]["updated_at"]


async def test_cancel_interrupts_a_running_run_and_keeps_what_it_did(settings: Settings) -> None:
    async with served(settings, tiers=latency_tiers(SLOW_S)) as app:
        tid = await _thread(app)
        run_id = await _running(app, tid)
        await app.sdk.runs.cancel(tid, run_id, wait=True)
        run = await app.sdk.runs.get(tid, run_id)
        assert run["status"] == "interrupted"
        assert run["cancel_reason"] == "cancelled by a client (action=interrupt)"
        thread = await app.sdk.threads.get(tid)
        assert thread["status"] in ("idle", "interrupted")
        assert thread["values"]["turn"] == 1, "the checkpoints it made are kept"
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await app.sdk.runs.cancel(tid, run_id)
        assert _status(refused.value) == 409
        # the turn it left unfinished is continued (no input), not dropped by a new one
        with pytest.raises(httpx.HTTPStatusError) as refused:
            await app.sdk.runs.create(tid, "baton", input={"request": "And another thing?"})
        assert "did not finish" in refused.value.response.json()["detail"]
        continued = await app.sdk.runs.wait(tid, "baton")
        assert continued["status"] == "done" and continued["turn"] == 1


async def test_cancel_with_rollback_removes_the_run_and_its_checkpoints(settings: Settings) -> None:
    async with served(settings, tiers=latency_tiers(SLOW_S)) as app:
        tid = await _thread(app)
        run_id = await _running(app, tid)
        await app.sdk.runs.cancel(tid, run_id, wait=True, action="rollback")
        with pytest.raises(httpx.HTTPStatusError) as gone:
            await app.sdk.runs.get(tid, run_id)
        assert _status(gone.value) == 404
        assert (await app.sdk.threads.get_state(tid))["values"] == {}
        assert await app.sdk.threads.get_history(tid) == []


async def test_interrupt_strategy_stops_the_run_in_flight_for_the_new_one(
    settings: Settings,
) -> None:
    async with served(settings, tiers=latency_tiers(SLOW_S)) as app:
        tid = await _thread(app)
        first = await _running(app, tid)
        result = await app.sdk.runs.wait(
            tid,
            "baton",
            input={"request": "What plans do you sell?"},
            multitask_strategy="interrupt",
        )
        assert result["status"] == "done"
        statuses = {r["run_id"]: r["status"] for r in await app.sdk.runs.list(tid)}
        assert statuses.pop(first) == "interrupted"
        assert list(statuses.values()) == ["success"]


async def test_rollback_on_a_waiting_thread_undoes_the_run_that_asked(settings: Settings) -> None:
    async with served(settings) as app:
        tid = await _thread(app)
        await app.sdk.runs.wait(tid, "baton", input={"request": DOUBLE})
        asked = (await app.sdk.runs.list(tid))[0]["run_id"]
        assert (await app.sdk.threads.get(tid))["status"] == "interrupted"
        result = await app.sdk.runs.wait(
            tid, "baton", input={"request": POLICY}, multitask_strategy="rollback"
        )
        assert result["status"] == "done" and result["turn"] == 1
        runs = await app.sdk.runs.list(tid)
        assert asked not in [r["run_id"] for r in runs] and len(runs) == 1
        assert [m["type"] for m in result["messages"]] == ["human", "ai"]
        assert _refunds(settings.home) == []


async def test_a_stateless_run_leaves_no_thread_behind(settings: Settings) -> None:
    async with served(settings) as app:
        result = await app.sdk.runs.wait(None, "baton", input={"request": POLICY})
        assert result["status"] == "done"
        assert await app.sdk.threads.search() == []
        kept = await app.sdk.runs.wait(
            None, "baton", input={"request": POLICY}, on_completion="keep"
        )
        assert kept["status"] == "done"
        (thread,) = await app.sdk.threads.search()
        assert thread["values"]["final_answer"] == kept["final_answer"]


async def test_a_failed_turn_is_an_error_not_a_success(settings: Settings) -> None:
    strict = settings.model_copy(update={"max_model_calls": 1})
    async with served(strict) as app:
        tid = await _thread(app)
        with pytest.raises(Exception, match="budget_exhausted"):
            await app.sdk.runs.wait(tid, "baton", input={"request": DOUBLE})
        (run,) = await app.sdk.runs.list(tid)
        assert run["status"] == "error" and run["error"]
        thread = await app.sdk.threads.get(tid)
        assert thread["status"] == "error" and thread["error"] == run["error"]
        names = [p.event async for p in app.sdk.runs.join_stream(tid, run["run_id"])]
        assert names[0] == "metadata" and names[-2:] == ["error", "end"]


def _refunds(home: Path) -> list[int]:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(home / "world.db")) as conn:
        return [
            row[0] for row in conn.execute("SELECT amount_cents FROM refunds WHERE order_id = 5531")
        ]


async def test_a_thread_a_terminal_drives_is_refused(settings: Settings) -> None:
    from baton.lease import thread_lease

    async with served(settings) as app:
        tid = await _thread(app)
        with thread_lease(settings.db_path, tid):  # what `baton resume` holds while it runs
            with pytest.raises(httpx.HTTPStatusError) as refused:
                await app.sdk.runs.create(tid, "baton", input={"request": POLICY})
            assert _status(refused.value) == 409
            assert "is busy" in refused.value.response.json()["detail"]
        assert await app.sdk.runs.list(tid) == []
        result = await app.sdk.runs.wait(tid, "baton", input={"request": POLICY})
        assert result["status"] == "done"


async def test_a_thread_a_terminal_drives_is_not_deleted(settings: Settings) -> None:
    from baton.lease import thread_lease

    async with served(settings) as app:
        tid = await _thread(app)
        done = await app.sdk.runs.wait(tid, "baton", input={"request": POLICY})
        assert done["status"] == "done"
        with thread_lease(settings.db_path, tid):
            with pytest.raises(httpx.HTTPStatusError) as refused:
                await app.sdk.threads.delete(tid)
            assert _status(refused.value) == 409
        kept = await app.sdk.threads.get_state(tid)
        assert kept["values"]["status"] == "done"
        assert len(await app.sdk.runs.list(tid)) == 1
        await app.sdk.threads.delete(tid)
        with pytest.raises(httpx.HTTPStatusError) as gone:
            await app.sdk.threads.get(tid)
        assert _status(gone.value) == 404
