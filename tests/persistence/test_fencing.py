"""Fenced writes on both engines: a holder whose lease was taken over writes nothing.

The checkpoint savers (sync and async), the stream log and the effect ledger's claim check
the writer's fencing token in the transaction that would store its rows; a write made with
no fence, or with a fence that still holds, lands beside it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import empty_checkpoint

from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.lease_store import lease_store
from persistence.leases import Fence, FencedOut, current_fence
from persistence.ledger import EffectCall
from persistence.ledger_sql import LedgerSql
from persistence.service_stores import open_service_stores
from persistence.stream_log import StreamEvent


def _alive(host: str, pid: int) -> bool:
    return True


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        yield SqliteDatabase(tmp_path / "baton.db")
    else:
        yield PostgresDatabase(request.getfixturevalue("postgres_url"))


def _taken_over(database: Database, thread_id: str) -> tuple[Fence, Fence]:
    """A lease claimed, left to expire, and claimed by another holder: (stale, fresh)."""
    store = lease_store(database)
    stale = store.claim(thread_id, "stale", "h", 1, 0.05, _alive)
    time.sleep(0.1)
    return stale, store.claim(thread_id, "fresh", "h", 2, 60, _alive)


def _config(thread_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}


def _checkpoint(n: int) -> Any:
    checkpoint = empty_checkpoint()
    checkpoint["id"] = f"1ef0000{n}-0000-6000-8000-000000000000"
    return checkpoint


def test_the_sync_saver_refuses_a_taken_over_writer(database: Database) -> None:
    saver = open_checkpointer(database)
    try:
        stale, fresh = _taken_over(database, "t")
        fenced = current_fence.set(stale)
        try:
            with pytest.raises(FencedOut, match="taken over"):
                saver.put(_config("t"), _checkpoint(1), {}, {})
            with pytest.raises(FencedOut):
                saver.put_writes(
                    {"configurable": {**_config("t")["configurable"], "checkpoint_id": "x"}},
                    [("c", 1)],
                    "task",
                )
        finally:
            current_fence.reset(fenced)
        assert saver.get_tuple(_config("t")) is None
        fenced = current_fence.set(fresh)
        try:
            saver.put(_config("t"), _checkpoint(2), {}, {})
        finally:
            current_fence.reset(fenced)
        saver.put(_config("u"), _checkpoint(3), {}, {})  # no fence: lands
        found = saver.get_tuple(_config("t"))
        assert found is not None and found.checkpoint["id"] == _checkpoint(2)["id"]
        assert saver.get_tuple(_config("u")) is not None
    finally:
        saver.close()


async def test_the_async_saver_refuses_only_the_taken_over_writer(database: Database) -> None:
    stale, fresh = _taken_over(database, "t")
    async with open_async_checkpointer(database) as saver:

        async def put(fence: Fence | None, thread_id: str, n: int) -> None:
            current_fence.set(fence)  # this task's own context
            await saver.aput(_config(thread_id), _checkpoint(n), {}, {})

        results = await asyncio.gather(
            put(stale, "t", 1), put(fresh, "t", 2), put(None, "u", 3), return_exceptions=True
        )
        assert isinstance(results[0], FencedOut) and results[1:] == [None, None]
        found = await saver.aget_tuple(_config("t"))
        assert found is not None and found.checkpoint["id"] == _checkpoint(2)["id"]
        assert [c.checkpoint["id"] async for c in saver.alist(_config("t"))] == [
            _checkpoint(2)["id"]
        ]


def test_the_stream_log_drops_a_taken_over_runs_events(database: Database, tmp_path: Path) -> None:
    stores = open_service_stores(database, tmp_path / "baton.db")
    try:
        stale, fresh = _taken_over(database, "t")
        log = stores.stream_log
        events = [StreamEvent(run, 1, "values", b"{}") for run in ("r-old", "r-new")]
        refused = log.append(events, {"r-old": stale, "r-new": fresh})
        assert refused == {"r-old"}
        assert log.last_seq("r-old") == 0 and log.last_seq("r-new") == 1
        assert log.append([StreamEvent("r-free", 1, "end", b"{}")]) == set()
    finally:
        stores.close()


def test_run_records_and_the_thread_index_refuse_a_taken_over_writer(
    database: Database, tmp_path: Path
) -> None:
    from persistence.runs import RunRecord
    from persistence.threads import ThreadRecord

    stores = open_service_stores(database, tmp_path / "baton.db")
    try:
        stale, fresh = _taken_over(database, "t")
        run = RunRecord("r1", "t", "acme", "a1", "baton", "running", "reject", 1.0, 1.0)
        stores.runs.insert(run)
        assert stores.threads.insert(ThreadRecord("t", "acme", 1.0, 1.0, status="busy"))
        with pytest.raises(FencedOut):
            stores.runs.update("r1", status="success", result={"late": True}, fence=stale)
        with pytest.raises(FencedOut):
            stores.threads.update("t", status="error", error="late", fence=stale)
        kept = stores.runs.get("r1")
        assert kept is not None and (kept.status, kept.result) == ("running", None)
        thread = stores.threads.get("t")
        assert thread is not None and (thread.status, thread.error) == ("busy", None)
        stores.runs.update("r1", status="success", attempt=2, fence=fresh)
        stores.threads.update("t", status="interrupted", fence=fresh)
        done = stores.runs.get("r1")
        assert done is not None and (done.status, done.attempt) == ("success", 2)
        thread = stores.threads.get("t")
        assert thread is not None and thread.status == "interrupted"
    finally:
        stores.close()


def test_inserts_and_removals_under_a_taken_over_lease_write_nothing(
    database: Database, tmp_path: Path
) -> None:
    from persistence.runs import RunRecord
    from persistence.threads import ThreadRecord

    stores = open_service_stores(database, tmp_path / "baton.db")
    try:
        stale, fresh = _taken_over(database, "t")
        run = RunRecord("r1", "t", "acme", "a1", "baton", "pending", "reject", 1.0, 1.0)
        thread = ThreadRecord("t", "acme", 1.0, 1.0, status="busy")
        with pytest.raises(FencedOut):
            stores.runs.insert(run, fence=stale)
        with pytest.raises(FencedOut):
            stores.threads.insert(thread, fence=stale)
        assert stores.runs.get("r1") is None and stores.threads.get("t") is None
        stores.runs.insert(run, fence=fresh)
        assert stores.threads.insert(thread, fence=fresh)
        with pytest.raises(FencedOut):
            stores.runs.delete(["r1"], fence=stale)
        with pytest.raises(FencedOut):
            stores.runs.delete_for_thread("t", fence=stale)
        with pytest.raises(FencedOut):
            stores.threads.delete("t", fence=stale)
        assert stores.runs.get("r1") is not None and stores.threads.get("t") is not None
        assert stores.runs.delete_for_thread("t", fence=fresh) == ["r1"]
        stores.threads.delete("t", fence=fresh)
        assert stores.runs.get("r1") is None and stores.threads.get("t") is None
    finally:
        stores.close()


async def test_checkpoint_upkeep_under_a_taken_over_lease_removes_nothing(
    database: Database,
) -> None:
    stale, fresh = _taken_over(database, "t")
    async with open_async_checkpointer(database) as saver:
        first = await saver.aput(_config("t"), _checkpoint(1), {}, {})
        await saver.aput(first, _checkpoint(2), {}, {})
        await saver.aput(_config("u"), _checkpoint(3), {}, {})

        async def ids(thread_id: str) -> list[str]:
            return [c.checkpoint["id"] async for c in saver.alist(_config(thread_id))]

        fenced = current_fence.set(stale)
        try:
            with pytest.raises(FencedOut):
                await saver.aprune(["t"])
            with pytest.raises(FencedOut):
                await saver.adelete_thread("t")
            assert len(await ids("t")) == 2
            await saver.adelete_thread("u")  # another thread's upkeep is not this lease's
            assert await ids("u") == []
        finally:
            current_fence.reset(fenced)
        fenced = current_fence.set(fresh)
        try:
            await saver.aprune(["t"])
            assert await ids("t") == [_checkpoint(2)["id"]]
            await saver.adelete_thread("t")
            assert await ids("t") == []
        finally:
            current_fence.reset(fenced)


def test_the_ledger_claims_nothing_for_a_taken_over_holder(
    database: Database, tmp_path: Path
) -> None:
    ledger = LedgerSql(tmp_path / "baton.db", database=database)
    try:
        stale, fresh = _taken_over(database, "t")
        call = EffectCall("k1", "t", "s1", "operator", "issue_refund", "{}", "refund ch_1")
        with pytest.raises(FencedOut, match="taken over"):
            ledger.claim(call, stale)
        assert ledger.effects_for("t") == [] and not ledger.outcome_unknown("k1")
        assert ledger.claim(call, fresh) is None
        assert [e["status"] for e in ledger.effects_for("t")] == ["started"]
    finally:
        ledger.close()
