"""Run records in SQLite (``service_runs`` in ``baton.db``)."""

from __future__ import annotations

import sqlite3

from persistence.leases import Fence
from persistence.migrations import Migration
from persistence.run_rows import SqlRunStore
from persistence.sqlite.leases import check_fence
from persistence.sqlite.store_conn import StoreConnection

MIGRATIONS = (
    Migration(
        1,
        "run records",
        statements=(
            """CREATE TABLE IF NOT EXISTS service_runs (
    run_id TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL,
    tenant TEXT NOT NULL,
    assistant_id TEXT NOT NULL,
    graph_id TEXT NOT NULL,
    status TEXT NOT NULL,
    multitask_strategy TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    metadata TEXT NOT NULL,
    kwargs TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    result TEXT,
    error TEXT
)""",
            "CREATE INDEX IF NOT EXISTS service_runs_thread ON service_runs(thread_id, created_at)",
            "CREATE INDEX IF NOT EXISTS service_runs_status ON service_runs(status, created_at)",
        ),
    ),
)
"""The store's versioned schema on SQLite."""


class SqliteRunStore(SqlRunStore):
    """``persistence.runs.RunStore`` on SQLite."""

    MARK = "?"
    ORDER = "rowid"
    ENGINE = "sqlite"

    def check_fence(self, conn: sqlite3.Connection, fence: Fence) -> None:
        """Raise ``FencedOut`` unless ``fence`` still holds its thread (same transaction)."""
        check_fence(conn, fence)

    def __init__(self, db: StoreConnection) -> None:
        super().__init__(db)
        db.migrate("service_runs", MIGRATIONS)
