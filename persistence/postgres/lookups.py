"""Read-only lookups in the PostgreSQL checkpoint tables, for the CLI's checks.

One short-lived connection, no pool and no migration: a database Baton never set up
simply has no threads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import Connection
from psycopg.rows import DictRow

from persistence.database import DatabaseUnavailableError, PostgresDatabase
from persistence.postgres.pool import connection_kwargs


@contextmanager
def connected(database: PostgresDatabase) -> Iterator[Connection[DictRow]]:
    """One connection of its own (no pool), or ``DatabaseUnavailableError`` naming the server."""
    try:
        conn: Connection[DictRow] = psycopg.connect(database.url, **connection_kwargs(database))
    except psycopg.OperationalError:
        raise DatabaseUnavailableError(
            f"cannot connect to PostgreSQL at {database.safe_url}"
        ) from None
    with conn:
        yield conn


def _rows(database: PostgresDatabase, sql: str, *params: object) -> list[DictRow]:
    with connected(database) as conn:
        try:
            return conn.execute(sql, params).fetchall()
        except psycopg.errors.UndefinedTable:
            return []


def thread_exists(database: PostgresDatabase, thread_id: str) -> bool:
    """Whether any checkpoint of ``thread_id`` is stored."""
    found = _rows(database, "SELECT 1 FROM checkpoints WHERE thread_id = %s LIMIT 1", thread_id)
    return bool(found)


def thread_ids(database: PostgresDatabase) -> list[str]:
    """Every thread with a top-level checkpoint, most recently updated first."""
    rows = _rows(
        database,
        "SELECT thread_id, MAX(checkpoint_id) AS latest FROM checkpoints "
        "WHERE checkpoint_ns = '' GROUP BY thread_id ORDER BY latest DESC",
    )
    return [str(row["thread_id"]) for row in rows]


def run_ids(database: PostgresDatabase, thread_id: str) -> list[str]:
    """The runs that wrote to the thread, oldest first (checkpoints or writes alone)."""
    rows = _rows(
        database,
        "SELECT run, MIN(first) AS first FROM ("
        "SELECT metadata ->> 'run_id' AS run, MIN(checkpoint_id) AS first FROM checkpoints "
        "WHERE thread_id = %s AND metadata ? 'run_id' GROUP BY 1 UNION ALL "
        "SELECT run_id, MIN(checkpoint_id) FROM checkpoint_writes WHERE thread_id = %s "
        "AND run_id <> '' GROUP BY 1) AS found GROUP BY run ORDER BY first",
        thread_id,
        thread_id,
    )
    return [str(row["run"]) for row in rows]
