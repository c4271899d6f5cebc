"""Run records in PostgreSQL (``service_runs``), the same rows as on SQLite.

``seq`` orders runs created in the same instant the way SQLite's ``rowid`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import Connection

from persistence.leases import Fence
from persistence.migrations import Migration
from persistence.postgres.leases import check_fence
from persistence.postgres.store_conn import PgStoreConnection
from persistence.run_rows import COLUMNS, SqlRunStore, record
from persistence.runs import UNFINISHED, RunRecord

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
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    metadata TEXT NOT NULL,
    kwargs TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 1,
    result TEXT,
    error TEXT,
    seq BIGSERIAL NOT NULL
)""",
            "CREATE INDEX IF NOT EXISTS service_runs_thread ON service_runs(thread_id, created_at)",
            "CREATE INDEX IF NOT EXISTS service_runs_status ON service_runs(status, created_at)",
        ),
    ),
)
"""The store's versioned schema on PostgreSQL."""


class PostgresRunStore(SqlRunStore):
    """``persistence.runs.RunStore`` on PostgreSQL."""

    MARK = "%s"
    ORDER = "seq"
    ENGINE = "postgres"

    def check_fence(self, conn: Connection[Any], fence: Fence) -> None:
        """Raise ``FencedOut`` unless ``fence`` still holds its thread (same transaction)."""
        check_fence(conn, fence)

    def __init__(self, db: PgStoreConnection) -> None:
        super().__init__(db)
        db.migrate("service_runs", MIGRATIONS)

    def unfinished(self) -> list[RunRecord]:
        """Every pending or running run, oldest first."""
        rows = self.db.read(
            f"SELECT {COLUMNS} FROM service_runs WHERE status = ANY(%s) ORDER BY created_at, seq",
            (list(UNFINISHED),),
        )
        return [record(row) for row in rows]

    def delete(self, run_ids: Sequence[str], *, fence: Fence | None = None) -> None:
        """Remove these runs' records (``fence``: only if it still holds the thread)."""
        with self.db.write() as conn:
            if fence is not None:
                check_fence(conn, fence)
            conn.execute("DELETE FROM service_runs WHERE run_id = ANY(%s)", (list(run_ids),))

    def delete_for_thread(self, thread_id: str, *, fence: Fence | None = None) -> list[str]:
        """Remove every run of the thread; the ids removed (``fence``: if it holds)."""
        with self.db.write() as conn:
            if fence is not None:
                check_fence(conn, fence)
            rows = conn.execute(
                "DELETE FROM service_runs WHERE thread_id = %s RETURNING run_id", (thread_id,)
            ).fetchall()
        return [str(row["run_id"]) for row in rows]
