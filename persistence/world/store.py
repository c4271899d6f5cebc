"""Connections to the world's business tables, on SQLite (``world.db``) or PostgreSQL.

The world's queries (``persistence.world``) are written once, with ``?`` placeholders,
and read rows by column name. On SQLite ``read`` opens ``BATON_HOME/world.db`` read-only
and ``write`` runs one ``BEGIN IMMEDIATE`` transaction (the file's write lock). On
PostgreSQL the tables live in the ``baton_world`` schema of the selected database; every
transaction first sets ``search_path`` to it (``SET LOCAL``, so it holds behind pgbouncer
in transaction mode), ``?`` becomes ``%s``, rows come as dicts, and ``write`` first takes
a transaction-level advisory lock on ``lock`` (the whole world by default), so
check-then-insert sequences (refund limits, seeding) run one at a time across processes
and replicas. A read runs each statement in its own short transaction, sent again on
another connection if its connection was lost (as SQLite's autocommit reads are one
statement at a time too); a write whose connection is lost after it began fails, rolled
back. One small pool per database URL is shared by every ``World`` of the process.
"""

from __future__ import annotations

import atexit
import threading
import zlib
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any

from persistence.database import PostgresDatabase
from persistence.sqlite.files import immediate, open_sqlite
from persistence.store_sql import Conn

if TYPE_CHECKING:
    from persistence.postgres.store_conn import PgStoreConnection
    from persistence.world.place import WorldPlace

SCHEMA = "baton_world"
"""The PostgreSQL schema holding the world's tables (apart from LangGraph's and Baton's)."""

WORLD_LOCK = "world"

_POOLS: dict[str, PgStoreConnection] = {}
_POOLS_LOCK = threading.Lock()


class PgWorldConn:
    """A PostgreSQL connection inside one world transaction, taking ``?`` placeholders."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` placeholders); the cursor, rows as dicts."""
        return self.raw.execute(sql.replace("?", "%s"), tuple(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement once per row of parameters."""
        with self.raw.cursor() as cursor:
            cursor.executemany(sql.replace("?", "%s"), [tuple(r) for r in rows])


class PgReadConn:
    """Reads of the world on PostgreSQL: each statement its own transaction, retried."""

    def __init__(self, pool: PgStoreConnection) -> None:
        self._pool = pool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        """Every row of one ``?``-placeholder query (as dicts)."""
        from persistence.postgres.pool import retrying

        def attempt() -> list[Any]:
            with self._pool.write() as conn:
                conn.execute(f"SET LOCAL search_path TO {SCHEMA}")
                rows: list[Any] = conn.execute(sql.replace("?", "%s"), tuple(params)).fetchall()
                return rows

        return Rows(retrying(attempt, self._pool.pool))


class Rows:
    """A read's rows, read like a cursor's."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchone(self) -> Any:
        """The first row, or None."""
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        """Every row."""
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


def lock_key(name: str) -> int:
    """The advisory lock key of ``name`` (a signed 64-bit value PostgreSQL accepts)."""
    return zlib.crc32(f"baton:{name}".encode()) - 2**31


def pg_pool(database: PostgresDatabase) -> PgStoreConnection:
    """The process's small pool on ``database`` for world tables (opened on first use)."""
    from persistence.postgres.store_conn import PgStoreConnection

    with _POOLS_LOCK:
        pool = _POOLS.get(database.url)
        if pool is None:
            small = PostgresDatabase(
                database.url,
                min_size=0,
                max_size=2,
                max_lifetime_s=database.max_lifetime_s,
                max_idle_s=60.0,
                connect_timeout_s=database.connect_timeout_s,
                application_name=f"{database.application_name}-world",
            )
            pool = PgStoreConnection(small, name="baton-world")
            _POOLS[database.url] = pool
        return pool


@atexit.register
def _close_pools() -> None:
    with _POOLS_LOCK:
        for pool in _POOLS.values():
            pool.close()
        _POOLS.clear()


@contextmanager
def pg_transaction(database: PostgresDatabase, lock: str | None = None) -> Iterator[PgWorldConn]:
    """One transaction on the world's schema, holding the advisory lock ``lock`` if given."""
    with pg_pool(database).write() as conn:
        conn.execute(f"SET LOCAL search_path TO {SCHEMA}")
        if lock is not None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(lock),))
        yield PgWorldConn(conn)


@contextmanager
def read(world: WorldPlace) -> Iterator[Conn]:
    """A connection for reads of the world's tables (read-only on SQLite)."""
    if world.database is not None:
        yield PgReadConn(pg_pool(world.database))
        return
    with closing(open_sqlite(world.db_path, readonly=True)) as sqlite_conn:
        yield sqlite_conn


@contextmanager
def write(world: WorldPlace, lock: str = WORLD_LOCK) -> Iterator[Conn]:
    """One write transaction, committed on success, one at a time per ``lock``.

    SQLite has one write lock per file, so ``lock`` only matters on PostgreSQL.
    """
    if world.database is not None:
        with pg_transaction(world.database, lock) as conn:
            yield conn
        return
    with closing(open_sqlite(world.db_path)) as sqlite_conn, immediate(sqlite_conn):
        yield sqlite_conn
