"""What only the SQLite saver has: a failed batch, databases from the stock saver, migrations."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from langgraph.checkpoint.sqlite import SqliteSaver

from bench.superstep import build_loop
from graphs.checkpointer import open_checkpointer
from graphs.settings import Settings
from persistence.sqlite.migrate import migrate
from persistence.sqlite.schema import CHECKPOINT_MIGRATIONS


def _config(thread: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": "", "checkpoint_id": "c1"}}


def test_a_failed_batch_raises_in_every_caller_and_commits_nothing(settings: Settings) -> None:
    saver = open_checkpointer(settings.db_path)
    saver.conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON writes BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(Exception, match="no"):
        saver.put_writes(_config("t"), [("results", 1)], "task")
    saver.conn.execute("DROP TRIGGER refuse")
    saver.put_writes(_config("t"), [("results", 2)], "task")
    assert saver.conn.execute("SELECT COUNT(*) FROM writes").fetchone()[0] == 1
    saver.close()


def test_a_stock_database_gains_the_run_column_and_still_reads(settings: Settings) -> None:
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    stock = SqliteSaver(sqlite3.connect(settings.db_path, check_same_thread=False))
    build_loop(2, 0.0, stock).invoke(
        {"request": "x", "steps": 0}, {"configurable": {"thread_id": "s"}}
    )
    stock.conn.close()
    saver = open_checkpointer(settings.db_path)
    columns = [row[1] for row in saver.conn.execute("PRAGMA table_info(writes)")]
    assert columns[-1] == "run_id"
    applied = saver.conn.execute("SELECT store, version FROM baton_migrations").fetchall()
    assert applied == [("checkpoints", 1)]
    graph = build_loop(2, 0.0, saver)
    assert graph.get_state({"configurable": {"thread_id": "s"}}).values["steps"] == 2
    saver.close()
    again = SqliteSaver(sqlite3.connect(settings.db_path, check_same_thread=False))
    build_loop(2, 0.0, again).invoke(
        {"request": "y", "steps": 0}, {"configurable": {"thread_id": "s2"}}
    )
    assert again.get_tuple({"configurable": {"thread_id": "s2"}}) is not None
    again.conn.close()


def test_a_database_baton_migrated_before_it_recorded_migrations_is_recorded_once(
    settings: Settings,
) -> None:
    settings.db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(settings.db_path)
    SqliteSaver(conn).setup()
    conn.execute("ALTER TABLE writes ADD COLUMN run_id TEXT NOT NULL DEFAULT ''")  # as before
    conn.commit()
    assert migrate(conn, "checkpoints", CHECKPOINT_MIGRATIONS) == [1]
    assert migrate(conn, "checkpoints", CHECKPOINT_MIGRATIONS) == []
    assert conn.execute("SELECT COUNT(*) FROM replaced_writes").fetchone()[0] == 0
    conn.close()
