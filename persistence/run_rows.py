"""The run store's SQL, written once for both engines.

``SqliteRunStore`` and ``PostgresRunStore`` hold the same ``service_runs`` rows; they
differ only in the placeholder their driver takes (``MARK``) and the column that orders
runs created in the same instant (``ORDER``: SQLite's ``rowid``, PostgreSQL's ``seq``), and
in how a fenced update checks its lease (``check_fence``).
Each engine's module keeps its schema (its migrations) and its connection.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, ClassVar, Protocol, cast

from persistence.leases import Fence
from persistence.runs import UNFINISHED, MultitaskStrategy, RunRecord, RunStatus

COLUMNS = (
    "run_id, thread_id, tenant, assistant_id, graph_id, status, multitask_strategy, "
    "created_at, updated_at, metadata, kwargs, attempt, result, error"
)


class StoreConn(Protocol):
    """What both engines' store connections offer (``sqlite/`` and ``postgres/store_conn``)."""

    def write(self) -> AbstractContextManager[Any]:
        """A connection inside one committed transaction."""

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> Sequence[Any]:
        """The rows of one query, each readable by column name."""


def record(row: Mapping[str, Any]) -> RunRecord:
    """A stored row as a ``RunRecord``."""
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


def _values(run: RunRecord) -> tuple[Any, ...]:
    return (
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
    )


class SqlRunStore:
    """``persistence.runs.RunStore`` over one engine's store connection.

    Written in SQL both engines take; an engine's subclass sets ``MARK`` and ``ORDER`` and
    may replace a method with its own dialect's better statement.
    """

    MARK: ClassVar[str]
    ORDER: ClassVar[str]
    ENGINE: ClassVar[str]

    def __init__(self, db: StoreConn) -> None:
        self.db = db

    def check_fence(self, conn: Any, fence: Fence) -> None:
        """Raise ``FencedOut`` unless ``fence`` still holds its thread (same transaction)."""
        raise NotImplementedError

    def insert(self, run: RunRecord, *, fence: Fence | None = None) -> None:
        """Store a new run (``fence``: only if it still holds the thread)."""
        marks = ", ".join(self.MARK for _ in range(14))
        with self.db.write() as conn:
            if fence is not None:
                self.check_fence(conn, fence)
            conn.execute(f"INSERT INTO service_runs ({COLUMNS}) VALUES ({marks})", _values(run))

    def get(self, run_id: str) -> RunRecord | None:
        """The run, or None."""
        m = self.MARK
        rows = self.db.read(f"SELECT {COLUMNS} FROM service_runs WHERE run_id = {m}", (run_id,))
        return record(rows[0]) if rows else None

    def list_for_thread(
        self, thread_id: str, *, limit: int, offset: int, status: RunStatus | None = None
    ) -> list[RunRecord]:
        """The thread's runs, newest first."""
        m = self.MARK
        where, params = f"thread_id = {m}", [thread_id]
        if status is not None:
            where += f" AND status = {m}"
            params.append(status)
        rows = self.db.read(
            f"SELECT {COLUMNS} FROM service_runs WHERE {where} "
            f"ORDER BY created_at DESC, {self.ORDER} DESC LIMIT {m} OFFSET {m}",
            (*params, limit, offset),
        )
        return [record(row) for row in rows]

    def update(
        self,
        run_id: str,
        *,
        status: RunStatus | None = None,
        attempt: int | None = None,
        result: dict[str, Any] | None = None,
        error: str | None = None,
        kwargs: dict[str, Any] | None = None,
        fence: Fence | None = None,
    ) -> None:
        """Change what is given (and ``updated_at``); leave the rest (``fence``: if it holds)."""
        m = self.MARK
        sets: list[str] = [f"updated_at = {m}"]
        params: list[Any] = [time.time()]
        for column, value in (("status", status), ("attempt", attempt), ("error", error)):
            if value is not None:
                sets.append(f"{column} = {m}")
                params.append(value)
        for column, document in (("result", result), ("kwargs", kwargs)):
            if document is not None:
                sets.append(f"{column} = {m}")
                params.append(json.dumps(document))
        with self.db.write() as conn:
            if fence is not None and fence.engine == self.ENGINE:
                self.check_fence(conn, fence)
            conn.execute(
                f"UPDATE service_runs SET {', '.join(sets)} WHERE run_id = {m}", (*params, run_id)
            )

    def unfinished(self) -> list[RunRecord]:
        """Every pending or running run, oldest first."""
        marks = ",".join(self.MARK for _ in UNFINISHED)
        rows = self.db.read(
            f"SELECT {COLUMNS} FROM service_runs WHERE status IN ({marks}) "
            f"ORDER BY created_at, {self.ORDER}",
            UNFINISHED,
        )
        return [record(row) for row in rows]

    def delete(self, run_ids: Sequence[str], *, fence: Fence | None = None) -> None:
        """Remove these runs' records (``fence``: only if it still holds the thread)."""
        m = self.MARK
        with self.db.write() as conn:
            if fence is not None:
                self.check_fence(conn, fence)
            conn.executemany(
                f"DELETE FROM service_runs WHERE run_id = {m}", [(r,) for r in run_ids]
            )

    def delete_for_thread(self, thread_id: str, *, fence: Fence | None = None) -> list[str]:
        """Remove every run of the thread; the ids removed (``fence``: if it holds)."""
        m = self.MARK
        with self.db.write() as conn:
            if fence is not None:
                self.check_fence(conn, fence)
            found = conn.execute(
                f"SELECT run_id FROM service_runs WHERE thread_id = {m}", (thread_id,)
            )
            ids = [str(row[0]) for row in found]
            conn.execute(f"DELETE FROM service_runs WHERE thread_id = {m}", (thread_id,))
        return ids
