"""Read-only lookups in the SQLite checkpoint file, for checks that must not write anything.

The file is opened with ``persistence.sqlite.files.open_readonly``, which never creates,
migrates or checkpoints it, so a refused command leaves ``baton.db`` exactly as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

_BUSY_TIMEOUT_S = 15.0


@contextmanager
def _read_only(db_path: Path) -> Iterator[sqlite3.Connection | None]:
    """A read-only connection to ``db_path``, or None when the file does not exist."""
    from persistence.sqlite.files import open_readonly

    if not db_path.is_file():
        yield None
        return
    with closing(open_readonly(db_path, busy_timeout_s=_BUSY_TIMEOUT_S)) as conn:
        yield conn


def _no_table(exc: sqlite3.OperationalError) -> bool:
    return "no such table" in str(exc)


def thread_exists(db_path: Path, thread_id: str) -> bool:
    """Whether any checkpoint of ``thread_id`` is stored."""
    with _read_only(db_path) as conn:
        if conn is None:
            return False
        try:
            row = conn.execute(
                "SELECT 1 FROM checkpoints WHERE thread_id = ? LIMIT 1", (thread_id,)
            ).fetchone()
        except sqlite3.OperationalError as exc:
            if _no_table(exc):
                return False
            raise
    return row is not None


def thread_ids(db_path: Path) -> list[str]:
    """Every thread with a top-level checkpoint, most recently updated first."""
    with _read_only(db_path) as conn:
        if conn is None:
            return []
        try:
            rows = conn.execute(
                "SELECT thread_id, MAX(checkpoint_id) AS latest FROM checkpoints "
                "WHERE checkpoint_ns = '' GROUP BY thread_id ORDER BY latest DESC"
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if _no_table(exc):
                return []
            raise
    return [str(row[0]) for row in rows]


def run_ids(db_path: Path, thread_id: str) -> list[str]:
    """The runs that wrote to the thread, oldest first.

    A run that resumed a waiting worker may make checkpoints only inside the worker's
    subgraph, or only writes (a crash before its first checkpoint): all of them count.
    """
    with _read_only(db_path) as conn:
        if conn is None:
            return []
        found = conn.execute(
            "SELECT json_extract(CAST(metadata AS TEXT), '$.run_id') AS run, "
            "MIN(checkpoint_id) AS first "
            "FROM checkpoints WHERE thread_id = ? AND run IS NOT NULL GROUP BY run ORDER BY first",
            (thread_id,),
        ).fetchall()
        runs = [str(row[0]) for row in found]
        try:
            written = conn.execute(
                "SELECT run_id, MIN(checkpoint_id) AS first FROM writes "
                "WHERE thread_id = ? AND run_id != '' GROUP BY run_id ORDER BY first",
                (thread_id,),
            ).fetchall()
        except sqlite3.OperationalError as exc:  # a database from before writes.run_id
            if "no such column" not in str(exc):
                raise
            written = []
    return runs + [str(row[0]) for row in written if str(row[0]) not in runs]
