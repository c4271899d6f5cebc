"""Short SQLite sessions for the stores kept beside checkpoints (budget, trace, audit).

The opener itself lives in ``persistence.sqlite.connect``. ``session(readonly=True)``
reads without creating, migrating or writing anything, for inspecting a read-only home.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from persistence.sqlite.connect import BUSY_TIMEOUT_MS, PRAGMAS, connect
from persistence.sqlite.files import open_readonly


@contextmanager
def session(path: Path, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    """A short-lived connection: one transaction, committed on success, then closed.

    ``readonly=True`` opens the file for reading only (``persistence.sqlite.files.open_readonly``).
    """
    conn = open_readonly(path) if readonly else connect(path)
    try:
        with conn:
            yield conn
    finally:
        conn.close()


def no_table(exc: sqlite3.OperationalError) -> bool:
    """The error a read gets from a file whose stores were never written to."""
    return "no such table" in str(exc)


__all__ = ["BUSY_TIMEOUT_MS", "PRAGMAS", "connect", "no_table", "session"]
