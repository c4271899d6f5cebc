"""How Baton opens its own SQLite file: WAL, explicit synchronous and busy timeout.

WAL lets readers (``baton threads``, Studio) run while a run writes; ``synchronous=FULL``
makes every commit survive power loss as well as a process crash; the busy timeout turns
lock contention between processes into waiting instead of "database is locked" (except on
the event loop's write connection, which must never wait: see ``persistence.sqlite.loop_commit``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_MS = 15_000
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)
"""Set on every connection Baton opens to its own files (sync and async alike)."""


def connect(path: Path, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """Open ``path`` with Baton's pragmas (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=check_same_thread
    )
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return conn


@contextmanager
def session(path: Path) -> Iterator[sqlite3.Connection]:
    """A short-lived connection: one transaction, committed on success, then closed."""
    conn = connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()
