"""PostgreSQL connections: how they are opened, and runs that outlive a dropped connection."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import psycopg
import pytest
from checkpoint_tables import count
from postgres_db import ADMIN_URL

from bench.concurrency import build_chat
from bench.superstep import build_loop
from graphs.checkpointer import open_async_checkpointer, open_checkpointer
from persistence.database import DatabaseUnavailableError, PostgresDatabase
from persistence.postgres.pool import open_pool


def _terminate_baton_connections(url: str) -> int:
    """``pg_terminate_backend`` every connection Baton has open to the database; how many."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND application_name = 'baton'",
            (name,),
        ).fetchall()
    return len(rows)


def test_connections_are_safe_behind_pgbouncer_and_retire(postgres_url: str) -> None:
    database = PostgresDatabase(postgres_url, max_lifetime_s=600)
    pool = open_pool(database)
    with pool.connection() as conn:
        assert conn.prepare_threshold is None  # no server-side prepared statements
        assert conn.autocommit
        assert conn.info.parameter_status("application_name") == "baton"
    assert pool.max_lifetime == 600
    pool.close()


def test_an_unreachable_server_is_one_clear_error() -> None:
    database = PostgresDatabase(
        "postgresql://postgres:secret@127.0.0.1:1/none", connect_timeout_s=1
    )
    with pytest.raises(DatabaseUnavailableError) as raised:
        open_pool(database)
    assert (
        str(raised.value)
        == "cannot connect to PostgreSQL at postgresql://postgres:***@127.0.0.1:1/none"
    )


def test_connections_dropped_while_idle_are_replaced(postgres_url: str) -> None:
    saver = open_checkpointer(PostgresDatabase(postgres_url, min_size=4))
    graph = build_loop(3, 0.0, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    graph.invoke({"request": "x", "steps": 0}, config)
    assert _terminate_baton_connections(postgres_url) >= 1  # every idle pooled connection
    started = time.monotonic()
    assert graph.get_state(config).values["steps"] == 3
    graph.invoke({"request": "y", "steps": 0}, {"configurable": {"thread_id": "u"}})
    assert time.monotonic() - started < 5  # replaced at once, not after backoff sleeps
    saver.close()


def test_a_run_goes_on_when_its_connections_are_terminated(postgres_url: str) -> None:
    saver = open_checkpointer(PostgresDatabase(postgres_url))
    graph = build_loop(60, 0.01, saver)
    config: Any = {"configurable": {"thread_id": "t"}}
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["state"] = graph.invoke({"request": "x", "steps": 0}, config, durability="sync")

    runner = threading.Thread(target=run)
    runner.start()
    killed = 0
    for _ in range(3):  # mid-run, again and again
        time.sleep(0.15)
        killed += _terminate_baton_connections(postgres_url)
    runner.join(timeout=60)
    assert killed >= 3
    assert outcome["state"]["steps"] == 60
    assert graph.get_state(config).values["steps"] == 60
    assert count(saver, "checkpoints", "t") == 62  # input, 60 steps, and the end
    saver.close()


async def test_concurrent_async_runs_go_on_when_their_connections_are_terminated(
    postgres_url: str,
) -> None:
    async with open_async_checkpointer(PostgresDatabase(postgres_url)) as saver:
        graph = build_chat(20, 0.01, saver)
        runs = asyncio.gather(
            *(
                graph.ainvoke(
                    {"request": "x", "steps": 0},
                    {"configurable": {"thread_id": f"t{i}"}},
                    durability="sync",
                )
                for i in range(20)
            )
        )
        killed = 0
        for _ in range(2):
            await asyncio.sleep(0.1)
            killed += await asyncio.to_thread(_terminate_baton_connections, postgres_url)
        finals = await runs
        assert killed >= 2
        assert [f["steps"] for f in finals] == [20] * 20
        for i in range(20):
            state = await graph.aget_state({"configurable": {"thread_id": f"t{i}"}})
            assert state.values["steps"] == 20
