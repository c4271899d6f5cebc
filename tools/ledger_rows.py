"""The effect ledger's table: its schema on both engines, and how its rows read back.

``tools.ledger`` runs the statements; this module holds the table's shape, so the ledger's
module is about claiming, running and finishing a call.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.world_db import immediate, open_sqlite

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


def holder_record(row: Any) -> dict[str, Any]:
    """An earlier call holding a fact, as ``AlreadyDone`` and the approval prompt show it."""
    return {
        "thread_id": row["thread_id"],
        "key": row["key"],
        "tool": row["tool"],
        "status": row["status"],
        "at": row["finished_at"] or row["created_at"],
        "result": None if row["result_json"] is None else json.loads(row["result_json"]),
    }


def effect_record(row: Any) -> dict[str, Any]:
    """One recorded call of a thread, with its arguments and result decoded."""
    record = dict(row)
    record.pop("seq", None)
    args_json, result_json = record.pop("args_json"), record.pop("result_json")
    record["args"] = json.loads(args_json)
    record["result"] = None if result_json is None else json.loads(result_json)
    return record
