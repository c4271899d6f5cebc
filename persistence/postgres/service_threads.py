"""The service's thread index in PostgreSQL (``service_threads``).

Metadata is JSONB: a search narrows the tenant's rows with ``@>`` (which every match
satisfies) and then checks each with ``metadata_matches``, page by page in the requested
order, so results are exactly SQLite's (``@>`` alone also matches a list by containment).
"""

from __future__ import annotations

import time
from typing import Any, cast

from psycopg.rows import DictRow
from psycopg.types.json import Jsonb

from persistence.leases import Fence
from persistence.migrations import Migration
from persistence.postgres.leases import check_fence
from persistence.postgres.store_conn import PgStoreConnection
from persistence.threads import ThreadQuery, ThreadRecord, ThreadStatus, matching_page

MIGRATIONS = (
    Migration(
        1,
        "the thread index",
        statements=(
            """CREATE TABLE IF NOT EXISTS service_threads (
    thread_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    metadata JSONB NOT NULL,
    graph_id TEXT,
    error TEXT
)""",
            "CREATE INDEX IF NOT EXISTS service_threads_tenant "
            "ON service_threads(tenant, created_at)",
        ),
    ),
)
"""The store's versioned schema on PostgreSQL."""

_COLUMNS = "thread_id, tenant, created_at, updated_at, status, metadata, graph_id, error"


def _record(row: DictRow) -> ThreadRecord:
    return ThreadRecord(
        thread_id=row["thread_id"],
        tenant=row["tenant"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        status=cast(ThreadStatus, row["status"]),
        metadata=dict(row["metadata"]),
        graph_id=row["graph_id"],
        error=row["error"],
    )


class PostgresThreadStore:
    """``persistence.threads.ThreadStore`` on PostgreSQL."""

    def __init__(self, db: PgStoreConnection) -> None:
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
                f"INSERT INTO service_threads ({_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (thread_id) DO NOTHING",
                (
                    thread.thread_id,
                    thread.tenant,
                    thread.created_at,
                    thread.updated_at,
                    thread.status,
                    Jsonb(thread.metadata),
                    thread.graph_id,
                    thread.error,
                ),
            )
            return cursor.rowcount == 1

    def get(self, thread_id: str) -> ThreadRecord | None:
        """The thread, or None."""
        rows = self.db.read(
            f"SELECT {_COLUMNS} FROM service_threads WHERE thread_id = %s", (thread_id,)
        )
        return _record(rows[0]) if rows else None

    def search(self, query: ThreadQuery) -> list[ThreadRecord]:
        """The tenant's threads that match, in order, one page."""
        where: list[str] = ["tenant = %s"]
        params: list[Any] = [query.tenant]
        if query.status is not None:
            where.append("status = %s")
            params.append(query.status)
        if query.ids:
            where.append("thread_id = ANY(%s)")
            params.append(list(query.ids))
        if query.metadata:
            where.append("metadata @> %s")
            params.append(Jsonb(query.metadata))
        order = f"{query.sort_by} {'DESC' if query.descending else 'ASC'}, thread_id"
        sql = f"SELECT {_COLUMNS} FROM service_threads WHERE {' AND '.join(where)} ORDER BY {order}"
        if not query.metadata:
            rows = self.db.read(f"{sql} LIMIT %s OFFSET %s", (*params, query.limit, query.offset))
            return [_record(row) for row in rows]
        return matching_page(
            lambda limit, offset: self.db.read(
                f"{sql} LIMIT %s OFFSET %s", (*params, limit, offset)
            ),
            query,
            lambda row: row["metadata"],
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
        sets: list[str] = ["updated_at = %s"]
        params: list[Any] = [time.time()]
        if status is not None:
            sets += ["status = %s", "error = %s"]
            params += [status, error if status == "error" else None]
        if metadata is not None:
            sets.append("metadata = metadata || %s")
            params.append(Jsonb(metadata))
        if graph_id is not None:
            sets.append("graph_id = COALESCE(graph_id, %s)")
            params.append(graph_id)
        with self.db.write() as conn:
            if fence is not None and fence.engine == "postgres":
                check_fence(conn, fence)
            conn.execute(
                f"UPDATE service_threads SET {', '.join(sets)} WHERE thread_id = %s",
                (*params, thread_id),
            )

    def delete(self, thread_id: str, *, fence: Fence | None = None) -> None:
        """Remove the thread from the index (``fence``: only if it still holds the thread)."""
        with self.db.write() as conn:
            if fence is not None:
                check_fence(conn, fence)
            conn.execute("DELETE FROM service_threads WHERE thread_id = %s", (thread_id,))
