"""A pooled PostgreSQL connection shared by a service store's callers, one transaction each.

The PostgreSQL counterpart of ``persistence.sqlite.store_conn.StoreConnection``: the same
``migrate``, ``write`` and ``read``, on a psycopg pool (``persistence.postgres.pool``), so
several replicas keep their run records, thread index and stream event log in one database.
Reads whose connection was lost are sent again on another. A write whose pooled connection
turns out dead when its transaction begins (the server or a proxy dropped it while idle:
``BEGIN`` fails, nothing was sent) begins again on another, after the pool has checked its
idle connections; a connection lost later in a write fails the write (its transaction
rolled back, or in doubt if the commit's reply was lost), and its caller decides.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from psycopg import Connection, OperationalError
from psycopg.rows import DictRow

from persistence.database import PostgresDatabase
from persistence.migrations import Migration
from persistence.postgres.migrate import migrate
from persistence.postgres.pool import RETRIES, Pool, connection_lost, open_pool, retrying


class PgStoreConnection:
    """A small pool on ``database`` for the service's stores."""

    engine = "postgres"

    def __init__(self, database: PostgresDatabase, *, name: str = "baton-stores") -> None:
        self.database = database
        self.pool: Pool = open_pool(database, name=name)

    def migrate(self, store: str, migrations: Sequence[Migration]) -> None:
        """Apply what ``store``'s versioned schema is missing, under the advisory lock."""

        def attempt() -> None:
            with self.pool.connection() as conn:
                migrate(conn, store, migrations)

        retrying(attempt, self.pool)

    @contextmanager
    def write(self) -> Iterator[Connection[DictRow]]:
        """One transaction on a pooled connection, committed on success."""
        for attempt in range(RETRIES + 1):
            stack = ExitStack()
            conn = stack.enter_context(self.pool.connection())
            try:
                stack.enter_context(conn.transaction())  # sends BEGIN
                break
            except OperationalError as exc:
                stack.close()  # the pool discards a broken connection
                if attempt == RETRIES or not connection_lost(exc):
                    raise
                self.pool.check()
        with stack:
            yield conn

    def read(self, sql: str, params: tuple[Any, ...] = ()) -> list[DictRow]:
        """Every row of one query, as dicts."""

        def attempt() -> list[DictRow]:
            with self.pool.connection() as conn:
                return conn.execute(sql, params).fetchall()

        return retrying(attempt, self.pool)

    def close(self) -> None:
        """Close the pool."""
        self.pool.close()
