"""The effect ledger's table on either engine, through ``store_sql`` (the same SQL on both).

Every statement on ``effects`` is here. On SQLite the table sits in Baton's file, created
(and brought up to date) when the store opens, and each operation opens its own connection
with ``synchronous=FULL`` (a recorded effect must survive a power cut), so one store can
be shared by parallel workers; on PostgreSQL it is a versioned migration (``seq`` orders
rows as SQLite's ``rowid`` does). Writes take the store's lock (``BEGIN IMMEDIATE``, or an
advisory transaction lock), so the claim's check-then-insert runs one at a time across
processes and replicas.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.leases import Fence
from persistence.ledger import EffectCall, EffectRow, EffectStatus, Holder, Replayed
from persistence.sqlite.files import immediate, open_readonly, open_sqlite, utc_timestamp
from persistence.store_sql import Conn, StoreSql

SCHEMA = """CREATE TABLE IF NOT EXISTS effects (
    key TEXT PRIMARY KEY, thread_id TEXT NOT NULL, step_id TEXT NOT NULL,
    worker TEXT NOT NULL, tool TEXT NOT NULL, args_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed')),
    result_json TEXT, error TEXT, created_at TEXT NOT NULL, finished_at TEXT)"""
PG_SCHEMA = (
    SCHEMA.replace("finished_at TEXT)", "finished_at TEXT, fact TEXT, seq BIGSERIAL)"),
    "CREATE INDEX IF NOT EXISTS effects_thread ON effects (thread_id)",
    "CREATE INDEX IF NOT EXISTS effects_fact ON effects (fact)",
)
"""The same table on PostgreSQL, with ``seq`` ordering rows as SQLite's ``rowid`` does."""


def create_sqlite(path: Path) -> None:
    """Create (or bring up to date) the ledger's table in the SQLite file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = open_sqlite(path, synchronous="FULL")
    try:
        with immediate(conn):
            conn.execute(SCHEMA)
            columns = {row[1] for row in conn.execute("PRAGMA table_info(effects)")}
            if "fact" not in columns:  # a ledger from before facts were recorded
                conn.execute("ALTER TABLE effects ADD COLUMN fact TEXT")
            conn.execute("CREATE INDEX IF NOT EXISTS effects_thread ON effects (thread_id)")
            conn.execute("CREATE INDEX IF NOT EXISTS effects_fact ON effects (fact)")
    finally:
        conn.close()


class LedgerSql:
    """The ``LedgerStore`` in Baton's SQLite file, or in PostgreSQL when selected.

    With ``readonly=True`` nothing is created or migrated (inspecting a read-only home).
    """

    def __init__(
        self, path: Path, *, readonly: bool = False, database: Database | None = None
    ) -> None:
        self.path = path
        self.readonly = readonly
        self.db = StoreSql(
            "effects", database or SqliteDatabase(path), self._open, readonly=readonly
        )
        if readonly:
            return
        if isinstance(self.db.database, PostgresDatabase):
            self.db.migrate(PG_SCHEMA, ())
            return
        create_sqlite(path)

    def _open(self, readonly: bool) -> sqlite3.Connection:
        if readonly:
            conn = open_readonly(self.path)
            conn.row_factory = sqlite3.Row
            return conn
        return open_sqlite(self.path, synchronous="FULL")

    def claim(self, call: EffectCall, fence: Fence | None) -> Replayed | Holder | None:
        """Record ``call`` as started and claim its fact, in one transaction (``LedgerStore``)."""
        with self.db.write() as conn:
            self.db.check_fence(conn, fence)  # a taken-over holder: nothing recorded
            row = conn.execute(
                "SELECT status, result_json FROM effects WHERE key = ?", (call.key,)
            ).fetchone()
            if row is not None and row["status"] == "done":
                return Replayed(json.loads(row["result_json"]))
            holder = self._holder(conn, call.fact, call.key)
            if holder is not None:
                return holder
            # Committed before the tool runs, so a crash leaves evidence of the try.
            conn.execute(
                "INSERT INTO effects (key, thread_id, step_id, worker, tool, args_json,"
                " status, created_at, fact) VALUES (?, ?, ?, ?, ?, ?, 'started', ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET status = 'started', error = NULL,"
                " finished_at = NULL, fact = excluded.fact",
                (
                    call.key,
                    call.thread_id,
                    call.step_id,
                    call.worker,
                    call.tool,
                    call.args_json,
                    utc_timestamp(),
                    call.fact,
                ),
            )
            return None
        return None

    def _holder(self, conn: Conn, fact: str | None, key: str) -> Holder | None:
        """The earliest other call that is doing or did ``fact``; a failed one holds nothing."""
        if fact is None:
            return None
        row = conn.execute(
            "SELECT key, thread_id, tool, status, result_json, created_at, finished_at"
            " FROM effects WHERE fact = ? AND key != ? AND status IN ('started', 'done')"
            f" ORDER BY (status = 'done') DESC, created_at, {self.db.order} LIMIT 1",
            (fact, key),
        ).fetchone()
        return None if row is None else holder_record(row)

    def holder(self, fact: str, key: str) -> Holder | None:
        """The earliest other call that did or is doing ``fact`` (``LedgerStore``)."""
        try:
            with self.db.read() as conn:
                return self._holder(conn, fact, key)
        except sqlite3.OperationalError as exc:  # a read-only home from before facts
            if "no such" in str(exc):
                return None
            raise

    def threads_of(self, keys: list[str]) -> dict[str, str]:
        """The thread each of these keys was recorded under (``LedgerStore``)."""
        if not keys:
            return {}
        marks = ", ".join("?" * len(keys))
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT key, thread_id FROM effects WHERE key IN ({marks})", keys
            ).fetchall()
        return {row["key"]: row["thread_id"] for row in rows}

    def outcome_unknown(self, key: str) -> bool:
        """Whether the key's call started and nothing came back (``LedgerStore``)."""
        with self.db.read() as conn:
            row = conn.execute("SELECT status, error FROM effects WHERE key = ?", (key,)).fetchone()
        return row is not None and row["status"] == "started" and row["error"] is None

    def finish(
        self,
        key: str,
        status: EffectStatus,
        *,
        result_json: str | None = None,
        error: str | None = None,
    ) -> str | None:
        """Record how the call ended; the result recorded (``LedgerStore``)."""
        with self.db.write() as conn:
            # Never downgrade: a concurrent run of the same key may already be 'done'.
            conn.execute(
                "UPDATE effects SET status = ?, result_json = ?, error = ?, finished_at = ?"
                " WHERE key = ? AND status != 'done'",
                (
                    status,
                    result_json,
                    error,
                    None if status == "started" else utc_timestamp(),
                    key,
                ),
            )
            row = conn.execute("SELECT result_json FROM effects WHERE key = ?", (key,))
            return row.fetchone()["result_json"]  # type: ignore[no-any-return]

    def effects_for(self, thread_id: str) -> list[EffectRow]:
        """Every recorded call of a thread, oldest first (``LedgerStore``)."""
        if self.readonly and self.db.engine == "sqlite" and not self.path.exists():
            return []
        try:
            with self.db.read() as conn:
                order = f"ORDER BY created_at, {self.db.order}"
                rows = conn.execute(
                    f"SELECT * FROM effects WHERE thread_id = ? {order}", (thread_id,)
                ).fetchall()
        except sqlite3.OperationalError as exc:  # a read-only home where no effect ran yet
            if "no such table" in str(exc):
                return []
            raise
        return [effect_record(row) for row in rows]

    def close(self) -> None:
        """Close the PostgreSQL pool, if one was opened."""
        self.db.close()


def holder_record(row: Any) -> Holder:
    """An earlier call holding a fact, as ``AlreadyDone`` and the approval prompt show it."""
    return {
        "thread_id": row["thread_id"],
        "key": row["key"],
        "tool": row["tool"],
        "status": row["status"],
        "at": row["finished_at"] or row["created_at"],
        "result": None if row["result_json"] is None else json.loads(row["result_json"]),
    }


def effect_record(row: Any) -> EffectRow:
    """One recorded call of a thread, with its arguments and result decoded."""
    record = dict(row)
    record.pop("seq", None)
    args_json, result_json = record.pop("args_json"), record.pop("result_json")
    record["args"] = json.loads(args_json)
    record["result"] = None if result_json is None else json.loads(result_json)
    return record
