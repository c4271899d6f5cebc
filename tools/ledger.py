"""The effect ledger: runs each tool call at most once, and each fact in the world once.

Why ours: LangGraph checkpoints after a node finishes, so a crash mid-node re-runs the
whole node on resume, and nothing in LangGraph stops a refund or an email inside it from
happening twice. The ledger records each call under a key derived from the thread and the
model's tool-call id, before and after the side effect; the backends dedupe on the same
key, which covers a crash between the effect and the ledger's "done" record.

A key is per call, so two threads (or a thread and its fork) asking for the same refund
have two keys. A tool therefore also declares its ``Fact`` (``tools.spec``): the ledger
claims the fact in the same transaction that records the call as started, and a call whose
fact another key already holds is not run; it reports what happened instead (which thread,
when, with what result). Every statement on the ledger's tables is in this module.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.leases import current_fence
from persistence.store_sql import Conn, StoreSql
from tools.effect_records import LedgerOutcome, describe_prior, idempotency_key
from tools.faults import crash_point
from tools.ledger_rows import PG_SCHEMA, create_sqlite, effect_record, holder_record
from tools.spec import AlreadyDone, FactInProgress, ToolCallContext, ToolRejected, ToolSpec
from tools.world_db import open_readonly, open_sqlite, utc_timestamp

FACT_WAIT_S = 5.0
"""How long a call waits for another call holding its fact to finish, before giving up."""
__all__ = ["FACT_WAIT_S", "EffectLedger", "LedgerOutcome", "describe_prior", "idempotency_key"]


class EffectLedger:
    """Exactly-once bookkeeping for tool calls, in a SQLite file; safe across threads.

    Each operation opens its own connection (synchronous=FULL: a recorded effect must
    survive a power cut), so one ledger can be shared by parallel workers. With
    ``readonly=True`` nothing is created or migrated (inspecting a read-only home).
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

    def execute(self, spec: ToolSpec, args: BaseModel, ctx: ToolCallContext) -> LedgerOutcome:
        """Run ``spec`` once for ``ctx.idempotency_key``; replay the result if already done.

        A call whose fact another key holds raises ``AlreadyDone`` (that key is done) or,
        after waiting up to ``FACT_WAIT_S`` for it to finish, ``FactInProgress``. A
        ``ToolRejected`` is recorded as 'failed' (releasing the fact) and re-raised, with
        the threads filled in on an ``AlreadyDone``'s earlier effects. Any other error
        leaves the row 'started' (the effect may or may not have happened) and a retry
        goes back to the backend, which dedupes on the key.
        """
        key = ctx.idempotency_key
        fact = spec.fact.key(args) if spec.fact is not None else None
        deadline = time.monotonic() + FACT_WAIT_S
        while True:
            claim = self._claim(spec, args, ctx, fact)
            if isinstance(claim, LedgerOutcome):
                return claim
            if claim is None:
                break
            if claim["status"] == "done":
                raise AlreadyDone(f"{fact} was already done by {describe_prior(claim)}", [claim])
            if time.monotonic() >= deadline:
                raise FactInProgress(
                    f"{fact} is being carried out by thread {claim['thread_id']} since "
                    f"{claim['at']}, and its outcome is not recorded yet; decide again once "
                    "that thread has finished or been resumed"
                )
            time.sleep(0.05)
        crash_point(f"effect:{spec.name}:before_backend")
        try:
            result = spec.run(args, ctx)
        except AlreadyDone as exc:
            self.attribute(exc.prior)
            self._finish(key, "failed", error=str(exc))
            raise
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

    def _claim(
        self, spec: ToolSpec, args: BaseModel, ctx: ToolCallContext, fact: str | None
    ) -> LedgerOutcome | dict[str, Any] | None:
        """Record the call as started and claim its fact, in one transaction.

        Under a thread lease (``persistence.leases``) the same transaction checks the
        lease's fencing token first: a holder whose lease was taken over gets
        ``FencedOut`` and nothing is recorded or run.

        Returns the recorded outcome of a done key, the earlier effect holding the fact, or
        None when the call may run.
        """
        key = ctx.idempotency_key
        with self.db.write() as conn:
            self.db.check_fence(conn, current_fence.get())  # a taken-over holder: nothing
            row = conn.execute(
                "SELECT status, result_json FROM effects WHERE key = ?", (key,)
            ).fetchone()
            if row is not None and row["status"] == "done":
                return LedgerOutcome(json.loads(row["result_json"]), replayed=True)
            holder = self._holder(conn, fact, key)
            if holder is not None:
                return holder
            # Committed before the backend runs, so a crash leaves evidence of the try.
            conn.execute(
                "INSERT INTO effects (key, thread_id, step_id, worker, tool, args_json,"
                " status, created_at, fact) VALUES (?, ?, ?, ?, ?, ?, 'started', ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET status = 'started', error = NULL,"
                " finished_at = NULL, fact = excluded.fact",
                (
                    key,
                    ctx.thread_id,
                    ctx.step_id,
                    ctx.worker,
                    spec.name,
                    args.model_dump_json(),
                    utc_timestamp(),
                    fact,
                ),
            )
            return None
        return None

    def _holder(self, conn: Conn, fact: str | None, key: str) -> dict[str, Any] | None:
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

    def fact_holder(self, spec: ToolSpec, args: BaseModel, key: str) -> dict[str, Any] | None:
        """The earlier call (another key) that did or is doing this call's fact, if any."""
        if spec.fact is None:
            return None
        try:
            with self.db.read() as conn:
                return self._holder(conn, spec.fact.key(args), key)
        except sqlite3.OperationalError as exc:  # a read-only home from before facts
            if "no such" in str(exc):
                return None
            raise

    def attribute(self, prior: list[dict[str, Any]]) -> None:
        """Name the thread of each earlier effect a backend reported by its key."""
        keys = [p["key"] for p in prior if p.get("key") and not p.get("thread_id")]
        if not keys:
            return
        marks = ", ".join("?" * len(keys))
        with self.db.read() as conn:
            rows = conn.execute(
                f"SELECT key, thread_id FROM effects WHERE key IN ({marks})", keys
            ).fetchall()
        found = {row["key"]: row["thread_id"] for row in rows}
        for entry in prior:
            if entry.get("key") in found:
                entry["thread_id"] = found[entry["key"]]

    def outcome_unknown(self, key: str) -> bool:
        """An attempt started and nothing came back: no result, no error (the process died)."""
        with self.db.read() as conn:
            row = conn.execute("SELECT status, error FROM effects WHERE key = ?", (key,)).fetchone()
        return row is not None and row["status"] == "started" and row["error"] is None

    def record_reconciled(self, key: str, result: Any) -> Any:
        """Record a human's "it happened" for an attempt of unknown outcome; return the result."""
        recorded = self._finish(key, "done", result_json=json.dumps(result, default=str))
        return json.loads(recorded or "null")

    def _finish(
        self, key: str, status: str, *, result_json: str | None = None, error: str | None = None
    ) -> str | None:
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

    def effects_for(self, thread_id: str) -> list[dict[str, Any]]:
        """Every recorded call of a thread, oldest first, with args and result decoded."""
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
