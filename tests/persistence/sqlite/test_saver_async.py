"""Baton's async saver on real SQLite: the saver's thread, commits on the loop, busy fallback."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from graphs.settings import Settings
from persistence.sqlite.connect import connect
from persistence.sqlite.saver_async import BatonAsyncSaver
from persistence.sqlite.thread import SaverClosedError


def _config(thread: str, checkpoint: str = "c1") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": "", "checkpoint_id": checkpoint}}


def _rows(path: Path, thread: str) -> list[tuple[str, int]]:
    """The writes of ``thread`` as (task, idx), read on a connection of the test's own."""
    with sqlite3.connect(path) as conn:
        found = conn.execute(
            "SELECT task_id, idx FROM writes WHERE thread_id = ? ORDER BY task_id", (thread,)
        )
        return [(str(task), int(idx)) for task, idx in found]


def _count_writes(conn: sqlite3.Connection, thread: str) -> int:
    row = conn.execute("SELECT COUNT(*) FROM writes WHERE thread_id = ?", (thread,))
    return int(row.fetchone()[0])


def _commits(conn: sqlite3.Connection) -> list[str]:
    """Record every COMMIT ``conn`` runs from now on."""
    seen: list[str] = []
    conn.set_trace_callback(lambda sql: seen.append(sql) if sql.startswith("COMMIT") else None)
    return seen


async def test_writes_queued_in_one_loop_iteration_share_one_commit(settings: Settings) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        _, loop_conn = saver.connections
        commits = _commits(loop_conn)
        await asyncio.gather(
            *(saver.aput_writes(_config("a"), [("results", i)], f"task-{i:03}") for i in range(300))
        )
        loop_conn.set_trace_callback(None)
        held = saver.loop_round_ms()
    assert len(commits) == 1
    assert held["rounds"] == 1 and 0 < held["median_ms"] == held["max_ms"] < 10_000
    assert len(_rows(settings.db_path, "a")) == 300


async def test_a_locked_database_moves_the_round_to_the_thread_and_the_loop_keeps_running(
    settings: Settings,
) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        blocker = connect(settings.db_path)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        ticking = asyncio.create_task(ticker())
        first = asyncio.create_task(saver.aput_writes(_config("b"), [("results", 1)], "t1"))
        await asyncio.sleep(0.2)
        second = asyncio.create_task(saver.aput_writes(_config("b"), [("results", 2)], "t2"))
        await asyncio.sleep(0.2)
        assert not first.done() and not second.done()  # both wait for the lock, on the thread
        assert ticks >= 20  # while the event loop went on running other work
        assert _rows(settings.db_path, "b") == []
        blocker.rollback()
        blocker.close()
        await asyncio.wait_for(asyncio.gather(first, second), timeout=10)
        ticking.cancel()
        assert _rows(settings.db_path, "b") == [("t1", 0), ("t2", 0)]
        # with the lock free again, writes commit on the loop's connection once more
        commits = _commits(saver.connections[1])
        await saver.aput_writes(_config("b"), [("results", 3)], "t3")
        assert commits == ["COMMIT"]


async def test_a_refused_round_raises_in_each_of_its_callers_and_writes_nothing(
    settings: Settings,
) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        await saver.run(
            lambda s: s.conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON writes "
                "WHEN NEW.task_id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
        calls = [
            saver.aput_writes(_config("c"), [("results", 1)], "good"),
            saver.aput_writes(_config("c"), [("results", 2)], "bad"),
        ]
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(o, sqlite3.IntegrityError) for o in outcomes), outcomes
        assert _rows(settings.db_path, "c") == []
        await saver.aput_writes(_config("c"), [("results", 3)], "good")
    assert _rows(settings.db_path, "c") == [("good", 0)]


async def test_the_sync_interface_works_from_the_loop_and_from_other_threads(
    settings: Settings,
) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        checkpoint = empty_checkpoint()
        config = {"configurable": {"thread_id": "d", "checkpoint_ns": ""}}
        saved = saver.put(config, checkpoint, {"source": "input", "step": -1}, {})  # on the loop
        errors: list[BaseException] = []

        def from_a_thread() -> None:
            try:
                saver.put_writes(saved, [("results", "x")], "task")
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        worker = threading.Thread(target=from_a_thread)
        worker.start()
        await asyncio.to_thread(worker.join)
        assert errors == []
        loaded = saver.get_tuple(config)
        assert loaded is not None and loaded.checkpoint["id"] == checkpoint["id"]
        assert [w[1:] for w in loaded.pending_writes or []] == [("results", "x")]
        latest = await saver.aget_tuple(config)
        assert latest is not None and latest.config == saved
        assert [t.checkpoint["id"] for t in saver.list(config)] == [checkpoint["id"]]


async def test_a_stricter_clone_shares_the_thread_and_keeps_its_serializer(
    settings: Settings,
) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        clone = saver.with_allowlist([("some.module", "SomeType")])
        assert clone is not saver and clone.connections == saver.connections
        assert isinstance(clone.serde, JsonPlusSerializer) and clone.serde is not saver.serde
        await clone.aput_writes(_config("e"), [("results", 1)], "task")
        tuples = [t async for t in saver.alist({"configurable": {"thread_id": "e"}})]
        assert tuples == []  # writes alone make no checkpoint
    assert _rows(settings.db_path, "e") == [("task", 0)]


async def test_a_closed_saver_refuses_calls_with_one_clear_error(settings: Settings) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:
        pending = asyncio.create_task(saver.aput_writes(_config("f"), [("results", 1)], "t"))
        await asyncio.sleep(0)
    assert pending.done() and pending.exception() is None  # what was queued was committed
    with pytest.raises(SaverClosedError, match="closed"):
        await saver.aget_tuple(_config("f"))


async def test_without_a_loop_connection_the_thread_commits_the_writes(
    settings: Settings,
) -> None:
    saver = BatonAsyncSaver(open_checkpointer(settings.db_path))
    try:
        assert saver.connections == (saver.sync.conn,)
        assert saver.loop_round_ms() == {"rounds": 0}
        commits = await saver.run(lambda s: _commits(s.conn))
        await asyncio.gather(
            *(saver.aput_writes(_config("g"), [("results", i)], f"t{i}") for i in range(50))
        )
        assert 1 <= len(commits) < 50  # rounds on the thread share commits too
        assert len(_rows(settings.db_path, "g")) == 50
    finally:
        await saver.aclose()


async def test_upkeep_on_the_saver_thread_can_call_the_saver_itself(settings: Settings) -> None:
    async with open_async_checkpointer(settings.db_path) as saver:

        def nested(inner: Any) -> int:
            saver.put_writes(_config("h"), [("results", 1)], "task")  # from the saver's thread
            assert saver.get_tuple(_config("h")) is None  # writes alone make no checkpoint
            return _count_writes(inner.conn, "h")

        assert await asyncio.wait_for(saver.run(nested), timeout=10) == 1
    assert _rows(settings.db_path, "h") == [("task", 0)]


async def test_setup_creates_the_tables_and_records_the_migrations(settings: Settings) -> None:
    from persistence.sqlite.saver import BatonSaver

    saver = BatonAsyncSaver(BatonSaver(connect(settings.db_path, check_same_thread=False)))
    await saver.setup()
    tables = await saver.run(
        lambda s: {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master")}
    )
    assert {"checkpoints", "writes", "replaced_writes", "baton_migrations"} <= tables
    await saver.aput_writes(_config("s"), [("results", 1)], "task")
    assert _rows(settings.db_path, "s") == [("task", 0)]
    await saver.aclose()
