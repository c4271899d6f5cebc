"""The run trace: every call, failure, retry, verdict, approval and effect, by thread.

Events are keyed by thread id and step. LangSmith sees the same calls when
``LANGSMITH_TRACING`` is set; this table is the local,
offline record that ``baton trace`` prints.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from persistence.database import Database, SqliteDatabase
from persistence.sqlite.session import no_table
from persistence.store_sql import StoreSql, sqlite_opener

_SCHEMA = """
CREATE TABLE IF NOT EXISTS trace_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    step TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS trace_events_thread ON trace_events(thread_id, id);
"""
_PG_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS trace_events (id BIGSERIAL PRIMARY KEY, thread_id TEXT NOT NULL,"
    " step TEXT NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, at DOUBLE PRECISION NOT NULL)",
    "CREATE INDEX IF NOT EXISTS trace_events_thread ON trace_events(thread_id, id)",
)


class TraceLog:
    """Append-only trace events in Baton's SQLite file, or in PostgreSQL when selected."""

    def __init__(
        self, path: Path, *, readonly: bool = False, database: Database | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.db = StoreSql(
            "trace_events", database or SqliteDatabase(path), sqlite_opener(path), readonly=readonly
        )
        if not readonly:  # inspecting a home that may be read-only: create nothing
            self.db.migrate(_PG_SCHEMA, [s for s in _SCHEMA.split(";") if s.strip()])

    def record(self, thread_id: str, step: str, kind: str, data: dict[str, Any]) -> None:
        """Append one event."""
        self.db.execute(
            "INSERT INTO trace_events(thread_id, step, kind, data, at) VALUES (?,?,?,?,?)",
            (thread_id, step, kind, json.dumps(data, default=str), time.time()),
        )

    def events(self, thread_id: str) -> list[dict[str, Any]]:
        """Every event of a thread, oldest first."""
        try:
            with self.db.read() as conn:
                rows = conn.execute(
                    "SELECT step, kind, data, at FROM trace_events WHERE thread_id = ? ORDER BY id",
                    (thread_id,),
                ).fetchall()
        except sqlite3.OperationalError as exc:
            if not no_table(exc):
                raise
            rows = []
        return [
            {"step": r["step"], "kind": r["kind"], "data": json.loads(r["data"]), "at": r["at"]}
            for r in rows
        ]
