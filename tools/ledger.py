"""The effect ledger: runs each tool call at most once to completion, keyed by its call.

Why ours: LangGraph checkpoints after a node finishes, so a crash mid-node re-runs the
whole node on resume, and nothing in LangGraph stops a refund or an email inside it from
happening twice. The ledger records each call under a key derived from the thread and the
model's tool-call id, before and after the side effect; the backends dedupe on the same
key, which covers a crash between the effect and the ledger's "done" record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tools.faults import crash_point
from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world_db import immediate, open_sqlite, utc_timestamp

_SCHEMA = """CREATE TABLE IF NOT EXISTS effects (
    key TEXT PRIMARY KEY, thread_id TEXT NOT NULL, step_id TEXT NOT NULL,
    worker TEXT NOT NULL, tool TEXT NOT NULL, args_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('started', 'done', 'failed')),
    result_json TEXT, error TEXT, created_at TEXT NOT NULL, finished_at TEXT)"""


def idempotency_key(thread_id: str, tool_call_id: str) -> str:
    """Derive the key for one tool call in one thread: 32 hex chars of sha256."""
    return hashlib.sha256(f"{thread_id}:{tool_call_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class LedgerOutcome:
    """A tool call's result, and whether it came from the ledger instead of the tool."""

    result: Any
    replayed: bool


class EffectLedger:
    """Exactly-once bookkeeping for tool calls, in a SQLite file; safe across threads.

    Each operation opens its own connection (synchronous=FULL: a recorded effect must
    survive a power cut), so one ledger can be shared by parallel workers.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = open_sqlite(path, synchronous="FULL")
        try:
            conn.execute(_SCHEMA)
            conn.execute("CREATE INDEX IF NOT EXISTS effects_thread ON effects (thread_id)")
        finally:
            conn.close()

    def execute(self, spec: ToolSpec, args: BaseModel, ctx: ToolCallContext) -> LedgerOutcome:
        """Run ``spec`` once for ``ctx.idempotency_key``; replay the result if already done.

        A ``ToolRejected`` is recorded as 'failed' and re-raised. Any other error leaves the
        row 'started' (the effect may or may not have happened) and a retry goes back to
        the backend, which dedupes on the key.
        """
        key = ctx.idempotency_key
        conn = open_sqlite(self.path, synchronous="FULL")
        try:
            with immediate(conn):
                row = conn.execute(
                    "SELECT status, result_json FROM effects WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and row["status"] == "done":
                    return LedgerOutcome(json.loads(row["result_json"]), replayed=True)
                # Committed before the backend runs, so a crash leaves evidence of the try.
                conn.execute(
                    "INSERT INTO effects (key, thread_id, step_id, worker, tool, args_json,"
                    " status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'started', ?)"
                    " ON CONFLICT (key) DO UPDATE SET status = 'started', error = NULL,"
                    " finished_at = NULL",
                    (
                        key,
                        ctx.thread_id,
                        ctx.step_id,
                        ctx.worker,
                        spec.name,
                        args.model_dump_json(),
                        utc_timestamp(),
                    ),
                )
        finally:
            conn.close()
        crash_point(f"effect:{spec.name}:before_backend")
        try:
            result = spec.run(args, ctx)
        except ToolRejected as exc:
            self._finish(key, "failed", error=str(exc))
            raise
        except Exception as exc:
            self._finish(key, "started", error=f"{type(exc).__name__}: {exc}")
            raise
        crash_point(f"effect:{spec.name}:after_backend")
        # Handed back as recorded (JSON-decoded), so this run and every replay return the
        # same value, even if a concurrent run of the same key recorded first.
        recorded = self._finish(key, "done", result_json=json.dumps(result, default=str))
        crash_point(f"effect:{spec.name}:after_ledger")
        return LedgerOutcome(json.loads(recorded or "null"), replayed=False)

    def outcome_unknown(self, key: str) -> bool:
        """An attempt started and nothing came back: no result, no error (the process died)."""
        conn = open_sqlite(self.path, synchronous="FULL")
        try:
            row = conn.execute("SELECT status, error FROM effects WHERE key = ?", (key,)).fetchone()
        finally:
            conn.close()
        return row is not None and row["status"] == "started" and row["error"] is None

    def record_reconciled(self, key: str, result: Any) -> Any:
        """Record a human's "it happened" for an attempt of unknown outcome; return the result."""
        recorded = self._finish(key, "done", result_json=json.dumps(result, default=str))
        return json.loads(recorded or "null")

    def _finish(
        self, key: str, status: str, *, result_json: str | None = None, error: str | None = None
    ) -> str | None:
        conn = open_sqlite(self.path, synchronous="FULL")
        try:
            with immediate(conn):
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
                return row.fetchone()[0]  # type: ignore[no-any-return]
        finally:
            conn.close()

    def effects_for(self, thread_id: str) -> list[dict[str, Any]]:
        """Every recorded call of a thread, oldest first, with args and result decoded."""
        conn = open_sqlite(self.path, synchronous="FULL")
        try:
            rows = conn.execute(
                "SELECT * FROM effects WHERE thread_id = ? ORDER BY created_at, rowid",
                (thread_id,),
            ).fetchall()
        finally:
            conn.close()
        effects = []
        for row in rows:
            record = dict(row)
            args_json, result_json = record.pop("args_json"), record.pop("result_json")
            record["args"] = json.loads(args_json)
            record["result"] = None if result_json is None else json.loads(result_json)
            effects.append(record)
        return effects
