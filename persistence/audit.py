"""The approval audit: every proposal, decision, refusal, execution and reconciliation.

The checkpoint holds the decisions a thread acted on, but not who made them, the ones that
were refused, or what finally ran; an operator asking "who approved this refund?" reads
this table (``baton show`` prints it). Nodes re-run on resume, so each row is written with
``INSERT OR IGNORE`` on what identifies the event, and a replay adds nothing.
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
CREATE TABLE IF NOT EXISTS approval_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    thread_id TEXT NOT NULL,
    step TEXT NOT NULL,
    tool TEXT NOT NULL,
    tool_call_id TEXT NOT NULL,
    args_json TEXT NOT NULL,
    args_hash TEXT NOT NULL,
    event TEXT NOT NULL,
    decision TEXT NOT NULL DEFAULT '',
    decider TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    at REAL NOT NULL,
    UNIQUE (thread_id, tool_call_id, event, args_hash, decision, detail)
);
CREATE INDEX IF NOT EXISTS approval_audit_thread ON approval_audit(thread_id, id);
"""
_PG_SCHEMA = (
    _SCHEMA.split(";")[0]
    .replace("id INTEGER PRIMARY KEY AUTOINCREMENT", "id BIGSERIAL PRIMARY KEY")
    .replace("at REAL NOT NULL", "at DOUBLE PRECISION NOT NULL"),
    "CREATE INDEX IF NOT EXISTS approval_audit_thread ON approval_audit(thread_id, id)",
)
_COLUMNS = ("step", "tool", "tool_call_id", "args_hash", "event", "decision", "decider", "detail")


class ApprovalAudit:
    """Append-only audit rows in Baton's SQLite file, or in PostgreSQL when selected."""

    def __init__(
        self, path: Path, *, readonly: bool = False, database: Database | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.db = StoreSql(
            "approval_audit",
            database or SqliteDatabase(path),
            sqlite_opener(path),
            readonly=readonly,
        )
        if not readonly:  # inspecting a home that may be read-only: create nothing
            self.db.migrate(_PG_SCHEMA, [s for s in _SCHEMA.split(";") if s.strip()])

    def record(
        self,
        thread_id: str,
        *,
        step: str,
        tool: str,
        tool_call_id: str,
        args: dict[str, Any],
        args_hash: str,
        event: str,
        decision: str = "",
        decider: str = "",
        detail: str = "",
    ) -> None:
        """Add one row (ignored if the same event was recorded before)."""
        self.db.execute(
            "INSERT INTO approval_audit (thread_id, step, tool, tool_call_id,"
            " args_json, args_hash, event, decision, decider, detail, at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            (
                thread_id,
                step,
                tool,
                tool_call_id,
                json.dumps(args, sort_keys=True, default=str),
                args_hash,
                event,
                decision,
                decider,
                detail[:2000],
                time.time(),
            ),
        )

    def rows(self, thread_id: str) -> list[dict[str, Any]]:
        """Every row of a thread, oldest first, with arguments decoded."""
        try:
            with self.db.read() as conn:
                found = conn.execute(
                    f"SELECT {', '.join(_COLUMNS)}, args_json, at FROM approval_audit"
                    " WHERE thread_id = ? ORDER BY id",
                    (thread_id,),
                ).fetchall()
        except sqlite3.OperationalError as exc:
            if not no_table(exc):
                raise
            found = []
        rows = []
        for row in found:
            record: dict[str, Any] = {column: row[column] for column in _COLUMNS}
            record["args"] = json.loads(row["args_json"])
            record["at"] = row["at"]
            rows.append(record)
        return rows
