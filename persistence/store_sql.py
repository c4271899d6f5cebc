"""One store's SQL on either engine: short transactions, ``?`` placeholders, rows by name.

For the stores whose SQL reads the same on both engines (the effect ledger): statements are
written with ``?`` placeholders and name their columns; on PostgreSQL ``?`` becomes ``%s``
and rows come as dicts, on SQLite as ``sqlite3.Row`` (both read as ``row["column"]``).
``write`` is one transaction that first takes the store's lock (SQLite: ``BEGIN
IMMEDIATE``, the database's write lock; PostgreSQL: a transaction-level advisory lock on
the store's name), so a store's check-then-insert sequences run one at a time on both
engines, across processes and replicas alike. ``order`` names the column that orders rows
inserted in the same instant (``rowid``, or a ``seq`` column on PostgreSQL).
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

from persistence.database import Database, PostgresDatabase
from persistence.leases import Fence
from persistence.sqlite.files import immediate

_T = TypeVar("_T")


class Cursor(Protocol):
    """What a statement gives back."""

    rowcount: int

    def fetchone(self) -> Any:
        """The next row, or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""


class Conn(Protocol):
    """A connection inside one of the store's transactions (or reads)."""

    def execute(self, sql: str, params: Any = ()) -> Any:
        """Run one statement with ``?`` placeholders."""


class _Pg:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Any = ()) -> Any:
        return self._conn.execute(sql.replace("?", "%s"), tuple(params))


class StoreSql:
    """A store's connections on ``database`` (``sqlite_open`` opens the SQLite file)."""

    def __init__(
        self,
        name: str,
        database: Database,
        sqlite_open: Callable[[bool], sqlite3.Connection],
        *,
        readonly: bool = False,
    ) -> None:
        self.name, self.database, self.readonly = name, database, readonly
        self.engine = database.engine
        self.order = "seq" if isinstance(database, PostgresDatabase) else "rowid"
        self._sqlite_open = sqlite_open
        self._pool: Any = None

    def _pg(self) -> Any:
        if self._pool is None:
            from persistence.postgres.store_conn import PgStoreConnection

            assert isinstance(self.database, PostgresDatabase)
            small = PostgresDatabase(
                self.database.url,
                min_size=0,
                max_size=2,
                max_lifetime_s=self.database.max_lifetime_s,
                connect_timeout_s=self.database.connect_timeout_s,
                application_name=self.database.application_name,
            )
            self._pool = PgStoreConnection(small, name=f"baton-{self.name}")
        return self._pool

    def migrate(self, statements: Sequence[str], sqlite_statements: Sequence[str]) -> None:
        """Create the store's tables.

        PostgreSQL: ``statements`` under the migration lock, recorded in
        ``baton_migrations``; SQLite: ``sqlite_statements``.
        """
        if isinstance(self.database, PostgresDatabase):
            from persistence.migrations import Migration

            self._pg().migrate(self.name, (Migration(1, self.name, tuple(statements)),))
            return
        with self.write() as conn:
            for statement in sqlite_statements:
                conn.execute(statement)

    @contextmanager
    def write(self, *, locked: bool = True) -> Iterator[Conn]:
        """One transaction, committed on success, holding the store's lock if ``locked``.

        A store whose writes are single statements that cannot conflict (appends, inserts
        that ignore a row already there) passes ``locked=False``: on PostgreSQL they then
        run side by side; SQLite serialises every write transaction anyway.
        """
        if isinstance(self.database, PostgresDatabase):
            with self._pg().write() as conn:
                if locked:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_lock_key(self.name),))
                yield _Pg(conn)
            return
        conn = self._sqlite_open(False)
        try:
            with immediate(conn):
                yield conn
        finally:
            conn.close()

    def transact(self, work: Callable[[Conn], _T], *, locked: bool = True) -> _T:
        """``work`` in one ``write`` transaction; its result.

        On PostgreSQL, a transaction whose session the server ended before it committed
        (an administrator's ``pg_terminate_backend``, a shutdown: SQLSTATE class 57P) left
        nothing behind, so ``work`` runs again on another connection (``RETRIES`` times).
        A connection that broke without the server's word is not retried: the commit may
        have landed.
        """
        retries = 0
        if isinstance(self.database, PostgresDatabase):
            from persistence.postgres.pool import RETRIES, ended_by_server

            retries = RETRIES
        for attempt in range(retries + 1):
            try:
                with self.write(locked=locked) as conn:
                    return work(conn)
            except Exception as exc:
                if attempt == retries or not ended_by_server(exc):
                    raise
                self._pg().pool.check()
        raise AssertionError("unreachable")

    def execute(self, sql: str, params: Any = (), *, locked: bool = False) -> int:
        """One statement in its own transaction (``transact``); how many rows it changed."""
        return int(self.transact(lambda conn: conn.execute(sql, params).rowcount, locked=locked))

    @contextmanager
    def read(self) -> Iterator[Conn]:
        """A connection for reads (read-only on SQLite when the store is)."""
        if isinstance(self.database, PostgresDatabase):
            with self._pg().write() as conn:  # a transaction: begun again if its link died
                yield _Pg(conn)
            return
        conn = self._sqlite_open(self.readonly)
        try:
            yield conn
        finally:
            conn.close()

    def check_fence(self, conn: Conn, fence: Fence | None) -> None:
        """Refuse the transaction's writes (``FencedOut``) if ``fence``'s lease was taken over.

        Checked only where the lease lives in this store's database.
        """
        if fence is None or fence.engine != self.engine:
            return
        if isinstance(conn, _Pg):
            from persistence.postgres.leases import check_fence

            check_fence(conn._conn, fence)
            return
        from persistence.sqlite.leases import check_fence as sqlite_check_fence

        assert isinstance(conn, sqlite3.Connection)
        sqlite_check_fence(conn, fence)

    def close(self) -> None:
        """Close the PostgreSQL pool, if one was opened."""
        if self._pool is not None:
            self._pool.close()


def _lock_key(name: str) -> int:
    return zlib.crc32(f"baton:{name}".encode()) - 2**31


def sqlite_opener(path: Path) -> Callable[[bool], sqlite3.Connection]:
    """How the stores kept beside checkpoints open Baton's SQLite file (rows by name)."""

    def open_(readonly: bool) -> sqlite3.Connection:
        from persistence.sqlite.connect import connect
        from persistence.sqlite.files import open_readonly

        conn = open_readonly(path) if readonly else connect(path)
        conn.row_factory = sqlite3.Row
        return conn

    return open_
