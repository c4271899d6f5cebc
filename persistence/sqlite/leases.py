"""Thread leases in SQLite (``thread_leases`` in ``baton.db``), one short connection per call.

A claim reads the row and writes it in one ``BEGIN IMMEDIATE`` transaction, so two
processes claiming together are serialised; ``check_fence`` runs inside the caller's
write transaction, which holds the same write lock. Every holder is on this machine, so a
dead pid frees a lease at once and there is no replica heartbeat: ``replica`` and
``replica_timeout_s`` are accepted and have no effect here.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from persistence.leases import REPLICA_TIMEOUT_S, Alive, Fence, FencedOut, LeaseHeld, migrations
from persistence.sqlite.migrate import migrate

BUSY_TIMEOUT_MS = 15_000


def _add_token(conn: object) -> None:
    assert isinstance(conn, sqlite3.Connection)
    # Baton kept this table before it had tokens and before it recorded migrations
    columns = {row[1] for row in conn.execute("PRAGMA table_info(thread_leases)")}
    if "token" not in columns:
        conn.execute("ALTER TABLE thread_leases ADD COLUMN token INTEGER NOT NULL DEFAULT 0")


MIGRATIONS = migrations(_add_token)


def fence_refused(conn: sqlite3.Connection, fence: Fence) -> FencedOut | None:
    """Whether ``fence`` still holds its thread, checked with a write in the caller's transaction.

    The check is an ``UPDATE`` that changes nothing, so it takes the write lock (a deferred
    transaction would otherwise read first and lock later): a claim by another process
    cannot slip between the check and the caller's writes.
    """
    cursor = conn.execute(
        "UPDATE thread_leases SET token = token WHERE thread_id = ? AND holder = ? AND token = ?",
        (fence.thread_id, fence.holder, fence.token),
    )
    if cursor.rowcount == 1:
        return None
    return FencedOut(
        f"thread {fence.thread_id}: lease token {fence.token} was taken over; write refused"
    )


def check_fence(conn: sqlite3.Connection, fence: Fence) -> None:
    """Raise ``FencedOut`` unless ``fence`` still holds the thread (in the caller's transaction)."""
    refused = fence_refused(conn, fence)
    if refused is not None:
        raise refused


class SqliteLeaseStore:
    """``persistence.leases.LeaseStore`` on a SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn:
            migrate(conn, "thread_leases", MIGRATIONS)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return conn

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
        now = time.time()
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT host, pid, expires_at, token FROM thread_leases WHERE thread_id = ?",
                    (thread_id,),
                ).fetchone()
                if row is not None and row[2] > now and alive(row[0], int(row[1])):
                    raise LeaseHeld(thread_id, row[0], int(row[1]))
                token = (int(row[3]) if row is not None else 0) + 1
                conn.execute(
                    "INSERT OR REPLACE INTO thread_leases (thread_id, holder, host, pid, "
                    "expires_at, token) VALUES (?, ?, ?, ?, ?, ?)",
                    (thread_id, holder, host, pid, now + ttl_s, token),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return Fence(thread_id, holder, token, "sqlite")

    def renew(self, fence: Fence, ttl_s: float) -> bool:
        """Push the expiry out; False if the lease is no longer this holder's."""
        with closing(self._connect()) as conn:
            cursor = conn.execute(
                "UPDATE thread_leases SET expires_at = ? WHERE thread_id = ? AND holder = ? "
                "AND token = ?",
                (time.time() + ttl_s, fence.thread_id, fence.holder, fence.token),
            )
            return cursor.rowcount == 1

    def release(self, fence: Fence) -> None:
        """Give the lease up if still held with this fence (its token stays)."""
        with closing(self._connect()) as conn:
            conn.execute(
                "UPDATE thread_leases SET holder = '', expires_at = 0 WHERE thread_id = ? "
                "AND holder = ? AND token = ?",
                (fence.thread_id, fence.holder, fence.token),
            )

    def token(self, thread_id: str) -> int:
        """The thread's current token (0 if never claimed)."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT token FROM thread_leases WHERE thread_id = ?", (thread_id,)
            ).fetchone()
        return int(row[0]) if row is not None else 0

    def held(
        self, thread_id: str, alive: Alive, replica_timeout_s: float = REPLICA_TIMEOUT_S
    ) -> bool:
        """Whether a live holder has the lease now (a look that claims nothing)."""
        with closing(self._connect()) as conn:
            row = conn.execute(
                "SELECT host, pid, expires_at FROM thread_leases WHERE thread_id = ?", (thread_id,)
            ).fetchone()
        return row is not None and row[2] > time.time() and alive(row[0], int(row[1]))
