"""Opening Baton's SQLite files: read-write in autocommit with WAL, or read-only.

Every store on SQLite opens its file through these (the sample world's ``world.db``, the
effect ledger and the other stores beside checkpoints in ``baton.db``), and every
read-only look at a file (checkpoints, the thread list) through ``open_readonly``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

BUSY_TIMEOUT_MS = 5000


def open_sqlite(
    path: Path,
    *,
    readonly: bool = False,
    synchronous: Literal["NORMAL", "FULL"] = "NORMAL",
) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode; callers group writes with :func:`immediate`.

    WAL lets readers run while a worker writes; the busy timeout makes concurrent writers
    (parallel workers, a second process) wait for the lock instead of failing at once.
    ``readonly=True`` reads an existing file with ``query_only``: through a read-write
    handle where the folder is writable (so closing it removes the ``-wal``/``-shm`` files
    a read-only handle would leave behind), with ``mode=ro`` where it is not.
    """
    # Autocommit (isolation_level=None) because the sqlite3 module's implicit BEGIN is
    # deferred, and a deferred transaction that later writes can fail with SQLITE_BUSY
    # without waiting; explicit BEGIN IMMEDIATE takes the write lock up front.
    if readonly and not path.is_file():
        raise sqlite3.OperationalError(f"unable to open database file {path}: it does not exist")
    if readonly and not os.access(path.parent, os.W_OK):
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
    else:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    else:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.row_factory = sqlite3.Row
    return conn


def open_readonly(
    path: Path, *, busy_timeout_s: float = BUSY_TIMEOUT_MS / 1000
) -> sqlite3.Connection:
    """Open an existing SQLite file for reading only: nothing is created, migrated or written.

    ``mode=ro`` never creates the file and never checkpoints its WAL. A WAL database opened
    that way still gets ``-wal`` and ``-shm`` files, which a read-only folder cannot hold;
    when neither exists, every commit is already in the main file and no connection is
    open, so the file is read with ``immutable=1``, which creates none. Raises
    ``sqlite3.OperationalError`` if the file is missing or unreadable.
    """
    sidecars = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    mode = "mode=ro" if any(p.exists() for p in sidecars) else "immutable=1"
    conn = sqlite3.connect(
        f"{path.resolve().as_uri()}?{mode}",
        uri=True,
        timeout=busy_timeout_s,
        isolation_level=None,
        check_same_thread=False,
    )
    conn.execute("PRAGMA query_only=ON")
    return conn


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run a block in a ``BEGIN IMMEDIATE`` transaction: commit on success, else roll back.

    Taking the write lock before reading makes check-then-insert sequences (refund limits,
    seeding) atomic with respect to other connections.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def utc_timestamp() -> str:
    """Now, in the ISO-8601 UTC form stored in every ``created_at`` column."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
