"""Connections to PostgreSQL: psycopg pools that survive dropped connections.

Every connection is opened the way ``langgraph-checkpoint-postgres`` needs it (autocommit,
``dict_row``) and with ``prepare_threshold=None``: no server-side prepared statements, so
Baton works behind pgbouncer in transaction mode. The pool checks a connection before
handing it out (``check_connection``, one empty query) and retires connections after
``max_lifetime_s``, so one the server or a proxy dropped while idle is replaced, not used.
A connection that dies while in use fails its statement; callers that can repeat it
(every checkpoint write is an upsert) retry once on a fresh one (``retrying``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from psycopg import AsyncConnection, Connection, OperationalError
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from persistence.database import PostgresDatabase

_T = TypeVar("_T")

Pool = ConnectionPool[Connection[DictRow]]
AsyncPool = AsyncConnectionPool[AsyncConnection[DictRow]]

RETRIES = 2
"""How many times an operation is repeated after its connection was lost."""

_LOST = {"57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004"}
"""SQLSTATEs of a connection the server ended (admin shutdown, crash) or that broke."""


class DatabaseUnavailableError(RuntimeError):
    """PostgreSQL could not be reached within the connect timeout."""


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
        "timeout": database.connect_timeout_s,
        "name": name,
        "open": False,
    }


def open_pool(database: PostgresDatabase, *, name: str = "baton") -> Pool:
    """An open pool with at least one working connection, or ``DatabaseUnavailableError``."""
    pool: Pool = ConnectionPool(
        database.url, check=ConnectionPool.check_connection, **_pool_options(database, name)
    )
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
    pool: AsyncPool = AsyncConnectionPool(
        database.url, check=AsyncConnectionPool.check_connection, **_pool_options(database, name)
    )
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


def retrying(work: Callable[[], _T]) -> _T:
    """Run ``work``; if its connection was lost, run it again on another (``RETRIES``)."""
    for attempt in range(RETRIES + 1):
        try:
            return work()
        except OperationalError as exc:
            if attempt == RETRIES or not connection_lost(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


async def aretrying(work: Callable[[], Awaitable[_T]]) -> _T:
    """``retrying`` for coroutines."""
    for attempt in range(RETRIES + 1):
        try:
            return await work()
        except OperationalError as exc:
            if attempt == RETRIES or not connection_lost(exc):
                raise
            await asyncio.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")
