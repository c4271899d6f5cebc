"""Thread leases in PostgreSQL (``thread_leases``): one claim at a time across replicas.

A claim locks the thread's row (``SELECT … FOR UPDATE``; a missing row is inserted with
``ON CONFLICT DO NOTHING`` first, so two replicas claiming a new thread meet on one row)
and raises its token in the same transaction. ``check_fence`` locks the row ``FOR SHARE``
inside the writer's transaction, so a takeover waits until that write has committed, and
a write after a takeover sees the new token and is refused.

A lease that names a replica (``baton serve``) is live only while that replica's row in
``baton_replicas`` was beaten within ``replica_timeout_s``, measured by the database's
clock (``clock_timestamp()``), so machines whose clocks differ agree on who is alive.
"""

from __future__ import annotations

import time
from typing import Any

from psycopg import Connection
from psycopg.rows import DictRow, dict_row

from persistence.database import PostgresDatabase
from persistence.leases import REPLICA_TIMEOUT_S, Alive, Fence, FencedOut, LeaseHeld, migrations
from persistence.migrations import Migration
from persistence.postgres.store_conn import PgStoreConnection

MIGRATIONS = (
    *migrations(),
    Migration(
        2,
        "replica heartbeats",
        statements=(
            "ALTER TABLE thread_leases ADD COLUMN IF NOT EXISTS replica TEXT",
            "CREATE TABLE IF NOT EXISTS baton_replicas (replica TEXT PRIMARY KEY, "
            "host TEXT NOT NULL, pid INTEGER NOT NULL, "
            "started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(), "
            "beat_at TIMESTAMPTZ NOT NULL)",
        ),
    ),
)
"""The lease store's schema on PostgreSQL: the shared table, then the replicas' heartbeats."""

LOOK = (
    "SELECT l.host, l.pid, l.expires_at, l.token, (l.replica IS NULL OR EXISTS ("
    "SELECT 1 FROM baton_replicas r WHERE r.replica = l.replica "
    "AND r.beat_at > clock_timestamp() - make_interval(secs => %s))) AS beating "
    "FROM thread_leases l WHERE l.thread_id = %s"
)
"""The lease row and whether the replica it names (if any) beat recently enough."""

CHECK_FENCE = "SELECT holder, token FROM thread_leases WHERE thread_id = %s FOR SHARE"
CHECK_FENCES = (
    "SELECT thread_id, holder, token FROM thread_leases WHERE thread_id = ANY(%s) "
    "ORDER BY thread_id FOR SHARE"
)
"""``CHECK_FENCE`` for several threads at once (their rows locked in one order)."""


def fence_refused(fence: Fence, row: DictRow | None) -> FencedOut | None:
    """The error for a write under ``fence`` given the lease row, or None if it may land."""
    if row is not None and row["holder"] == fence.holder and int(row["token"]) == fence.token:
        return None
    return FencedOut(
        f"thread {fence.thread_id}: lease token {fence.token} was taken over; write refused"
    )


def check_fence(conn: Connection[Any], fence: Fence) -> None:
    """Raise ``FencedOut`` unless ``fence`` still holds the thread (in the caller's transaction)."""
    with conn.cursor(row_factory=dict_row) as cur:
        refused = fence_refused(fence, cur.execute(CHECK_FENCE, (fence.thread_id,)).fetchone())
    if refused is not None:
        raise refused


class PostgresLeaseStore:
    """``persistence.leases.LeaseStore`` on PostgreSQL."""

    def __init__(self, db: PgStoreConnection) -> None:
        self.db = db
        db.migrate("thread_leases", MIGRATIONS)

    @classmethod
    def open(cls, database: PostgresDatabase) -> PostgresLeaseStore:
        """A store on a small pool of its own."""
        small = PostgresDatabase(
            database.url,
            min_size=1,
            max_size=2,
            max_lifetime_s=database.max_lifetime_s,
            connect_timeout_s=database.connect_timeout_s,
            application_name=database.application_name,
        )
        return cls(PgStoreConnection(small, name="baton-leases"))

    def close(self) -> None:
        """Close the pool."""
        self.db.close()

    def claim(
        self,
        thread_id: str,
        holder: str,
        host: str,
        pid: int,
        ttl_s: float,
        alive: Alive,
        replica: str | None = None,
        replica_timeout_s: float = REPLICA_TIMEOUT_S,
    ) -> Fence:
        """Take the lease (the token raised) or raise ``LeaseHeld``; nothing written then."""
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO thread_leases (thread_id, holder, host, pid, expires_at, token) "
                "VALUES (%s, '', '', 0, 0, 0) ON CONFLICT (thread_id) DO NOTHING",
                (thread_id,),
            )
            row = conn.execute(f"{LOOK} FOR UPDATE OF l", (replica_timeout_s, thread_id)).fetchone()
            assert row is not None
            now = time.time()
            if _live(row, now, alive):
                raise LeaseHeld(thread_id, row["host"], int(row["pid"]))
            token = int(row["token"]) + 1
            conn.execute(
                "UPDATE thread_leases SET holder = %s, host = %s, pid = %s, expires_at = %s, "
                "token = %s, replica = %s WHERE thread_id = %s",
                (holder, host, pid, now + ttl_s, token, replica, thread_id),
            )
        return Fence(thread_id, holder, token, "postgres")

    def renew(self, fence: Fence, ttl_s: float) -> bool:
        """Push the expiry out; False if the lease is no longer this holder's."""
        with self.db.write() as conn:
            cursor = conn.execute(
                "UPDATE thread_leases SET expires_at = %s WHERE thread_id = %s AND holder = %s "
                "AND token = %s",
                (time.time() + ttl_s, fence.thread_id, fence.holder, fence.token),
            )
            return cursor.rowcount == 1

    def release(self, fence: Fence) -> None:
        """Give the lease up if still held with this fence (its token stays)."""
        with self.db.write() as conn:
            conn.execute(
                "UPDATE thread_leases SET holder = '', expires_at = 0 WHERE thread_id = %s "
                "AND holder = %s AND token = %s",
                (fence.thread_id, fence.holder, fence.token),
            )

    def token(self, thread_id: str) -> int:
        """The thread's current token (0 if never claimed)."""
        rows = self.db.read("SELECT token FROM thread_leases WHERE thread_id = %s", (thread_id,))
        return int(rows[0]["token"]) if rows else 0

    def held(
        self, thread_id: str, alive: Alive, replica_timeout_s: float = REPLICA_TIMEOUT_S
    ) -> bool:
        """Whether a live holder has the lease now (a look that claims nothing)."""
        rows = self.db.read(LOOK, (replica_timeout_s, thread_id))
        return bool(rows) and _live(rows[0], time.time(), alive)


def _live(row: DictRow, now: float, alive: Alive) -> bool:
    """Whether the lease row's holder still has it: unexpired, its pid and replica alive."""
    return bool(row["expires_at"] > now and row["beating"] and alive(row["host"], int(row["pid"])))
