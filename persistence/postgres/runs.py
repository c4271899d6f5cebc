"""Run records in PostgreSQL (``service_runs``), the same rows as on SQLite.

``seq`` orders runs created in the same instant the way SQLite's ``rowid`` does.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any, cast

from psycopg.rows import DictRow

from persistence.migrations import Migration
from persistence.postgres.store_conn import PgStoreConnection
from persistence.runs import UNFINISHED, MultitaskStrategy, RunRecord, RunStatus

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

_COLUMNS = (
    "run_id, thread_id, tenant, assistant_id, graph_id, status, multitask_strategy, "
    "created_at, updated_at, metadata, kwargs, attempt, result, error"
)


def _record(row: DictRow) -> RunRecord:
    return RunRecord(
        run_id=row["run_id"],
        thread_id=row["thread_id"],
        tenant=row["tenant"],
        assistant_id=row["assistant_id"],
        graph_id=row["graph_id"],
        status=cast(RunStatus, row["status"]),
        multitask_strategy=cast(MultitaskStrategy, row["multitask_strategy"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        metadata=json.loads(row["metadata"]),
        kwargs=json.loads(row["kwargs"]),
        attempt=row["attempt"],
        result=json.loads(row["result"]) if row["result"] is not None else None,
        error=row["error"],
    )


class PostgresRunStore:
    """``persistence.runs.RunStore`` on PostgreSQL."""

    def __init__(self, db: PgStoreConnection) -> None:
        self.db = db
        db.migrate("service_runs", MIGRATIONS)

    def insert(self, run: RunRecord) -> None:
        """Store a new run."""
        marks = ", ".join("%s" for _ in range(14))
        with self.db.write() as conn:
            conn.execute(
                f"INSERT INTO service_runs ({_COLUMNS}) VALUES ({marks})",
                (
                    run.run_id,
                    run.thread_id,
                    run.tenant,
                    run.assistant_id,
                    run.graph_id,
                    run.status,
                    run.multitask_strategy,
                    run.created_at,
                    run.updated_at,
                    json.dumps(run.metadata),
                    json.dumps(run.kwargs),
                    run.attempt,
                    json.dumps(run.result) if run.result is not None else None,
                    run.error,
                ),
            )

    def get(self, run_id: str) -> RunRecord | None:
        """The run, or None."""
        rows = self.db.read(f"SELECT {_COLUMNS} FROM service_runs WHERE run_id = %s", (run_id,))
        return _record(rows[0]) if rows else None

    def list_for_thread(
        self, thread_id: str, *, limit: int, offset: int, status: RunStatus | None = None
    ) -> list[RunRecord]:
        """The thread's runs, newest first."""
        where, params = "thread_id = %s", [thread_id]
        if status is not None:
            where += " AND status = %s"
            params.append(status)
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM service_runs WHERE {where} "
            "ORDER BY created_at DESC, seq DESC LIMIT %s OFFSET %s",
            (*params, limit, offset),
        )
        return [_record(row) for row in rows]

    def update(
        self,
        run_id: str,
        *,
        status: RunStatus | None = None,
        attempt: int | None = None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        """Change what is given (and ``updated_at``); leave the rest."""
        sets: list[str] = ["updated_at = %s"]
        params: list[Any] = [time.time()]
        for column, value in (("status", status), ("attempt", attempt), ("error", error)):
            if value is not None:
                sets.append(f"{column} = %s")
                params.append(value)
        for column, document in (("result", result), ("kwargs", kwargs)):
            if document is not None:
                sets.append(f"{column} = %s")
                params.append(json.dumps(document))
        with self.db.write() as conn:
            conn.execute(
                f"UPDATE service_runs SET {', '.join(sets)} WHERE run_id = %s", (*params, run_id)
            )

    def unfinished(self) -> list[RunRecord]:
        """Every pending or running run, oldest first."""
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM service_runs WHERE status = ANY(%s) ORDER BY created_at, seq",
            (list(UNFINISHED),),
        )
        return [_record(row) for row in rows]

    def delete(self, run_ids: Sequence[str]) -> None:
        """Remove these runs' records."""
        with self.db.write() as conn:
            conn.execute("DELETE FROM service_runs WHERE run_id = ANY(%s)", (list(run_ids),))

    def delete_for_thread(self, thread_id: str) -> list[str]:
        """Remove every run of the thread; the ids removed."""
        with self.db.write() as conn:
            rows = conn.execute(
                "DELETE FROM service_runs WHERE thread_id = %s RETURNING run_id", (thread_id,)
            ).fetchall()
        return [str(row["run_id"]) for row in rows]
