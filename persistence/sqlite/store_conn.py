"""One SQLite connection shared by a service store's callers, one transaction at a time.

The service calls stores from worker threads (``asyncio.to_thread``), never from the event
loop, so a connection may wait for SQLite's write lock (busy timeout) without stalling
other requests. A lock serialises the callers of one connection: sqlite3 connections are
not safe to use from two threads at once.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from persistence.migrations import Migration
from persistence.sqlite.migrate import migrate

BUSY_TIMEOUT_MS = 15_000

Synchronous = Literal["FULL", "NORMAL"]


class StoreConnection:
    """A WAL-mode connection to ``path`` with explicit ``synchronous`` and busy timeout.

    ``FULL`` makes each commit survive power loss; ``NORMAL`` (in WAL mode) survives a
    killed process but may lose the last commits to a power cut, and costs no fsync.
    """

    def __init__(self, path: Path, *, synchronous: Synchronous = "FULL") -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={synchronous}")
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        self._lock = threading.Lock()

    def migrate(self, store: str, migrations: Sequence[Migration]) -> None:
        """Apply what ``store``'s versioned schema is missing (``baton_migrations``)."""
        with self._lock:
            migrate(self._conn, store, migrations)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``), committed on success."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        """Every row of one query, as ``sqlite3.Row``."""
        with self._lock:
            cursor = self._conn.execute(sql, params)
            cursor.row_factory = sqlite3.Row
            return list(cursor.fetchall())

    def close(self) -> None:
        """Close the connection (waiting for a caller that holds it)."""
        with self._lock:
            self._conn.close()
