"""Connections to PostgreSQL: psycopg pools that survive dropped connections.

Every connection is opened the way ``langgraph-checkpoint-postgres`` needs it (autocommit,
``dict_row``) and with ``prepare_threshold=None``: no server-side prepared statements, so
Baton works behind pgbouncer in transaction mode. Connections retire after
``max_lifetime_s`` and spare ones after ``max_idle_s``, before a proxy's idle timeout
drops them.

The health check is Baton's, not the pool's ``check=`` callback: a call whose connection
turns out dead (dropped while idle, or while in use) fails at once, and ``retrying``
then has the pool check every idle connection (``pool.check()``, one empty query each,
the broken ones replaced) and sends the call again on a good one. Every call it wraps can
be repeated (reads, and writes that are upserts). The pool's own ``check=`` was measured
worse: after each failed check its ``getconn`` sleeps with exponential backoff (1 s, 2 s,
4 s, ...) before handing out the next connection, so a server that dropped seven idle
connections stalled a run for 31 s; with this, the same test recovers in under 2 s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from psycopg import AsyncConnection, Connection, OperationalError
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from persistence.database import DatabaseUnavailableError, PostgresDatabase

_T = TypeVar("_T")

Pool = ConnectionPool[Connection[DictRow]]
AsyncPool = AsyncConnectionPool[AsyncConnection[DictRow]]

RETRIES = 2
"""How many times an operation is repeated after its connection was lost."""

_LOST = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"}
"""SQLSTATEs of a connection the server ended (admin shutdown, crash) or that broke."""

_ENDED = {"57P01", "57P02", "57P03"}


def connection_kwargs(database: PostgresDatabase) -> dict[str, Any]:
    """What every Baton connection is opened with."""
    return {
        "autocommit": True,
        "prepare_threshold": None,
        "row_factory": dict_row,
        "application_name": database.application_name,
        "connect_timeout": max(1, int(database.connect_timeout_s)),
    }


def _pool_options(database: PostgresDatabase, name: str) -> dict[str, Any]:
    return {
        "kwargs": connection_kwargs(database),
        "min_size": min(database.min_size, database.max_size),
        "max_size": database.max_size,
        "max_lifetime": database.max_lifetime_s,
        "max_idle": database.max_idle_s,
        "timeout": database.wait_timeout_s,
        "name": name,
        "open": False,
    }


def open_pool(database: PostgresDatabase, *, name: str = "baton") -> Pool:
    """An open pool with at least one working connection, or ``DatabaseUnavailableError``."""
    pool: Pool = ConnectionPool(database.url, **_pool_options(database, name))
    try:
        pool.open(wait=True, timeout=database.connect_timeout_s)
    except PoolTimeout:
        pool.close()
        raise DatabaseUnavailableError(
            f"cannot connect to PostgreSQL at {database.safe_url}"
        ) from None
    return pool


async def open_async_pool(database: PostgresDatabase, *, name: str = "baton") -> AsyncPool:
    """``open_pool`` for asyncio."""
    pool: AsyncPool = AsyncConnectionPool(database.url, **_pool_options(database, name))
    try:
        await pool.open(wait=True, timeout=database.connect_timeout_s)
    except PoolTimeout:
        await pool.close()
        raise DatabaseUnavailableError(
            f"cannot connect to PostgreSQL at {database.safe_url}"
        ) from None
    return pool


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says the connection died (not that the statement was wrong)."""
    if not isinstance(error, OperationalError):
        return False
    state = error.sqlstate
    return state is None or state in _LOST


def ended_by_server(error: BaseException) -> bool:
    """Whether the server said it ended the session (SQLSTATE 57P01-57P03).

    A transaction interrupted that way did not commit, so sending it again cannot do it
    twice; a connection that broke without a word (08xxx) may have lost a commit's reply.
    """
    return isinstance(error, OperationalError) and error.sqlstate in _ENDED


def retrying(work: Callable[[], _T], pool: Pool) -> _T:
    """Run ``work``; if its connection was lost, run it again on another (``RETRIES``)."""
    for attempt in range(RETRIES + 1):
        try:
            return work()
        except OperationalError as exc:
            if attempt == RETRIES or not connection_lost(exc):
                raise
            pool.check()  # replace every dropped idle connection now
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")


async def aretrying(work: Callable[[], Awaitable[_T]], pool: AsyncPool) -> _T:
    """``retrying`` for coroutines."""
    for attempt in range(RETRIES + 1):
        try:
            return await work()
        except OperationalError as exc:
            if attempt == RETRIES or not connection_lost(exc):
                raise
            await pool.check()
            await asyncio.sleep(0.01 * attempt)
    raise AssertionError("unreachable")
