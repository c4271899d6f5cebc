"""The service's thread index in SQLite (``service_threads`` in ``baton.db``).

Metadata containment is checked in Python on the tenant's rows, page by page in the
requested order, so a filter on any key (nested ones too) works the same as on a JSONB
column without an index per key.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any, cast

from persistence.leases import Fence
from persistence.migrations import Migration
from persistence.sqlite.leases import check_fence
from persistence.sqlite.store_conn import StoreConnection
from persistence.threads import (
    ThreadQuery,
    ThreadRecord,
    ThreadStatus,
    matching_page,
)

MIGRATIONS = (
    Migration(
        1,
        "the thread index",
        statements=(
            """CREATE TABLE IF NOT EXISTS service_threads (
    thread_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    status TEXT NOT NULL,
    metadata TEXT NOT NULL,
    graph_id TEXT,
    error TEXT
)""",
            "CREATE INDEX IF NOT EXISTS service_threads_tenant "
            "ON service_threads(tenant, created_at)",
        ),
    ),
)
"""The store's versioned schema on SQLite."""

_COLUMNS = "thread_id, tenant, created_at, updated_at, status, metadata, graph_id, error"


def _record(row: sqlite3.Row) -> ThreadRecord:
    return ThreadRecord(
        thread_id=row["thread_id"],
        tenant=row["tenant"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=cast(ThreadStatus, row["status"]),
        metadata=json.loads(row["metadata"]),
        graph_id=row["graph_id"],
        error=row["error"],
    )


class SqliteThreadStore:
    """``persistence.threads.ThreadStore`` on SQLite."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db
        db.migrate("service_threads", MIGRATIONS)

    def insert(self, thread: ThreadRecord, *, fence: Fence | None = None) -> bool:
        """Store a new thread; False (and nothing written) if the id is taken.

        With ``fence``, only if it still holds the thread (else ``FencedOut``).
        """
        with self.db.write() as conn:
            if fence is not None:
                check_fence(conn, fence)
            cursor = conn.execute(
                f"INSERT OR IGNORE INTO service_threads ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                (
                    thread.thread_id,
                    thread.tenant,
                    thread.created_at,
                    thread.updated_at,
                    thread.status,
                    json.dumps(thread.metadata),
                    thread.graph_id,
                    thread.error,
                ),
            )
            return cursor.rowcount == 1

    def get(self, thread_id: str) -> ThreadRecord | None:
        """The thread, or None."""
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM service_threads WHERE thread_id = ?", (thread_id,)
        )
        return _record(rows[0]) if rows else None

    def search(self, query: ThreadQuery) -> list[ThreadRecord]:
        """The tenant's threads that match, in order, one page."""
        where, params = ["tenant = ?"], [query.tenant]
        if query.status is not None:
            where.append("status = ?")
            params.append(query.status)
        if query.ids:
            where.append(f"thread_id IN ({','.join('?' for _ in query.ids)})")
            params.extend(query.ids)
        order = f"{query.sort_by} {'DESC' if query.descending else 'ASC'}, thread_id"
        sql = f"SELECT {_COLUMNS} FROM service_threads WHERE {' AND '.join(where)} ORDER BY {order}"
        if not query.metadata:
            rows = self.db.read(f"{sql} LIMIT ? OFFSET ?", (*params, query.limit, query.offset))
            return [_record(row) for row in rows]
        return matching_page(
            lambda limit, offset: self.db.read(f"{sql} LIMIT ? OFFSET ?", (*params, limit, offset)),
            query,
            lambda row: json.loads(row["metadata"]),
            _record,
        )

    def update(
        self,
        thread_id: str,
        *,
        status: ThreadStatus | None = None,
        metadata: dict[str, Any] | None = None,
        graph_id: str | None = None,
        error: str | None = None,
        fence: Fence | None = None,
    ) -> None:
        """Set the status (and error), merge ``metadata`` into the stored one, fix the graph."""
        with self.db.write() as conn:
            if fence is not None and fence.engine == "sqlite":
                check_fence(conn, fence)
            row = conn.execute(
                "SELECT metadata FROM service_threads WHERE thread_id = ?", (thread_id,)
            ).fetchone()
            if row is None:
                return
            sets: list[str] = ["updated_at = ?"]
            params: list[Any] = [time.time()]
            if status is not None:
                sets += ["status = ?", "error = ?"]
                params += [status, error if status == "error" else None]
            if metadata is not None:
                sets.append("metadata = ?")
                params.append(json.dumps({**json.loads(row[0]), **metadata}))
            if graph_id is not None:
                sets.append("graph_id = COALESCE(graph_id, ?)")
                params.append(graph_id)
            conn.execute(
                f"UPDATE service_threads SET {', '.join(sets)} WHERE thread_id = ?",
                (*params, thread_id),
            )

    def delete(self, thread_id: str, *, fence: Fence | None = None) -> None:
        """Remove the thread from the index (``fence``: only if it still holds the thread)."""
        with self.db.write() as conn:
            if fence is not None:
                check_fence(conn, fence)
            conn.execute("DELETE FROM service_threads WHERE thread_id = ?", (thread_id,))
