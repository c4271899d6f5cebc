"""The thread lease: one process at a time drives a thread.

Two ``baton resume`` commands on one thread would both run its pending nodes; the ledger
keeps effects single, but model calls, trace and progress would be doubled and the two
would race on approvals. ``run`` and ``resume`` therefore take a lease row in
``baton.db`` before they drive a thread, and delete it when they exit. The row names its
holder (host and pid) and expires, so a holder that died (SIGKILL, power loss) blocks
nobody: on the same host a dead pid frees it at once, elsewhere the expiry does. A long
run renews its lease as it streams.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from baton.errors import BadInput

LEASE_TTL_S = 600.0
_SCHEMA = """CREATE TABLE IF NOT EXISTS thread_leases (
    thread_id TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL,
    pid INTEGER NOT NULL, expires_at REAL NOT NULL)"""


class ThreadBusy(BadInput):
    """Another live process holds the thread's lease."""


def _alive(host: str, pid: int) -> bool:
    """Whether the holder may still be running (always True for another host's pid)."""
    if host != socket.gethostname():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class Lease:
    """A held lease; ``renew`` pushes its expiry out, ``release`` gives it up."""

    def __init__(self, path: Path, thread_id: str, ttl_s: float) -> None:
        self.path, self.thread_id, self.ttl_s = path, thread_id, ttl_s
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.renewed_at = 0.0

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=15000")
        return conn

    def acquire(self) -> None:
        """Take the lease or raise ``ThreadBusy``; writes nothing when refused."""
        now = time.time()
        with closing(self._connect()) as conn:
            conn.execute(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT host, pid, expires_at FROM thread_leases WHERE thread_id = ?",
                    (self.thread_id,),
                ).fetchone()
                if row is not None and row[2] > now and _alive(row[0], int(row[1])):
                    raise ThreadBusy(
                        f"thread {self.thread_id} is busy: baton process {row[1]} on {row[0]} "
                        "is running it; try again when it has finished"
                    )
                conn.execute(
                    "INSERT OR REPLACE INTO thread_leases VALUES (?, ?, ?, ?, ?)",
                    (
                        self.thread_id,
                        self.holder,
                        socket.gethostname(),
                        os.getpid(),
                        now + self.ttl_s,
                    ),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        self.renewed_at = now

    def renew(self) -> None:
        """Push the expiry out if a third of the lease has passed."""
        now = time.time()
        if now - self.renewed_at < self.ttl_s / 3:
            return
        with closing(self._connect()) as conn:
            conn.execute(
                "UPDATE thread_leases SET expires_at = ? WHERE thread_id = ? AND holder = ?",
                (now + self.ttl_s, self.thread_id, self.holder),
            )
        self.renewed_at = now

    def release(self) -> None:
        """Give the lease up (only if still ours)."""
        with closing(self._connect()) as conn:
            conn.execute(
                "DELETE FROM thread_leases WHERE thread_id = ? AND holder = ?",
                (self.thread_id, self.holder),
            )


@contextmanager
def thread_lease(path: Path, thread_id: str, ttl_s: float = LEASE_TTL_S) -> Iterator[Lease]:
    """Hold ``thread_id``'s lease for the block; ``ThreadBusy`` if another process has it."""
    lease = Lease(path, thread_id, ttl_s)
    lease.acquire()
    try:
        yield lease
    finally:
        lease.release()
