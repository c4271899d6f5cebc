r"""The durable checkpointer: Baton's savers, on SQLite or PostgreSQL as the settings select.

``open_checkpointer`` (sync: the CLI and embedding) returns ``BatonSaver`` (the stock
``langgraph-checkpoint-sqlite`` saver with group commit and upkeep) on
``BATON_HOME/baton.db``, or ``BatonPostgresSaver`` (the stock
``langgraph-checkpoint-postgres`` saver on a psycopg pool) when ``BATON_DATABASE_URL`` is
set. ``open_async_checkpointer`` (chat backends, the service) returns their async
counterparts, ``BatonAsyncSaver`` and ``BatonAsyncPostgresSaver``. Each is set up (its
migrations applied) before it is returned, and knows the ``DeltaChannel``\s of Baton's
graphs, so pruning and deleting runs keep every kept checkpoint readable.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, overload

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.delta import DeltaSpecs, delta_channels
from persistence.sqlite.connect import connect
from persistence.sqlite.files import open_readonly
from persistence.sqlite.saver import BatonSaver

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from persistence.postgres.saver import BatonPostgresSaver
    from persistence.postgres.saver_async import BatonAsyncPostgresSaver
    from persistence.sqlite.saver_async import BatonAsyncSaver

    Saver = BatonSaver | BatonPostgresSaver
    AsyncSaver = BatonAsyncSaver | BatonAsyncPostgresSaver


# State holds plain data (see state.graph_state), which a strict serializer loads as it is;
# these model types are allowed so that threads written before that still load.
STATE_TYPES = [
    ("state.route", "Route"),
    ("state.plan", "Step"),
    ("state.plan", "Plan"),
    ("state.results", "WorkerResult"),
    ("state.draft", "Draft"),
    ("state.draft", "ReviewVerdict"),
    ("state.ticket", "TicketFields"),
    ("state.ticket", "TicketSummary"),
]


def serializer() -> JsonPlusSerializer:
    """The checkpoint serializer with Baton's state types on the allowlist."""
    return JsonPlusSerializer(allowed_msgpack_modules=STATE_TYPES)


def graph_delta_channels() -> DeltaSpecs:
    """The ``DeltaChannel`` fields of Baton's graph states (a worker's ``messages``)."""
    from state.graph_state import OrchestratorState, WorkerState

    return delta_channels(OrchestratorState, WorkerState)


def _where(database: Path | Database) -> Database:
    return SqliteDatabase(database) if isinstance(database, Path) else database


@overload
def open_checkpointer(database: Path | SqliteDatabase) -> BatonSaver: ...
@overload
def open_checkpointer(database: Database) -> Saver: ...
def open_checkpointer(database: Path | Database) -> Saver:
    """A sync saver (set up) for the CLI and embedding; a path means that SQLite file.

    The SQLite saver shares one connection across threads; the PostgreSQL one a pool.
    """
    where = _where(database)
    if isinstance(where, PostgresDatabase):
        from persistence.postgres.pool import open_pool
        from persistence.postgres.saver import BatonPostgresSaver

        pg = BatonPostgresSaver(
            open_pool(where), serde=serializer(), delta_channels=graph_delta_channels()
        )
        try:
            pg.setup()
        except BaseException:
            pg.close()
            raise
        return pg
    conn = connect(where.path, check_same_thread=False)
    saver = BatonSaver(conn, serde=serializer(), delta_channels=graph_delta_channels())
    saver.setup()
    return saver


def open_readonly_checkpointer(database: Path | Database) -> Saver:
    """A saver that only reads, for inspecting threads, also on a read-only home.

    SQLite: opened with ``persistence.sqlite.files.open_readonly``, tables not set up, so
    nothing is created, migrated or written (writing through it fails). PostgreSQL has no
    read-only home to protect: the ordinary saver.
    """
    where = _where(database)
    if isinstance(where, PostgresDatabase):
        return open_checkpointer(where)
    saver = BatonSaver(
        open_readonly(where.path), serde=serializer(), delta_channels=graph_delta_channels()
    )
    saver.is_setup = True  # setup() would create tables and columns: nothing may be written
    return saver


@overload
def open_async_checkpointer(
    database: Path | SqliteDatabase,
) -> AbstractAsyncContextManager[BatonAsyncSaver]: ...
@overload
def open_async_checkpointer(database: Database) -> AbstractAsyncContextManager[AsyncSaver]: ...
def open_async_checkpointer(database: Path | Database) -> AbstractAsyncContextManager[AsyncSaver]:
    """An async saver (set up) for chat backends (``astream``); closed on exit."""
    return _open_async(_where(database))


@asynccontextmanager
async def _open_async(where: Database) -> AsyncIterator[AsyncSaver]:
    if isinstance(where, PostgresDatabase):
        from persistence.postgres.pool import open_async_pool
        from persistence.postgres.saver_async import BatonAsyncPostgresSaver

        pg = BatonAsyncPostgresSaver(
            await open_async_pool(where),
            where,
            serde=serializer(),
            delta_channels=graph_delta_channels(),
        )
        try:
            await pg.setup()
            yield pg
        finally:
            await pg.aclose()
        return
    from persistence.sqlite.saver_async import BatonAsyncSaver

    saver = BatonAsyncSaver(
        await asyncio.to_thread(open_checkpointer, where),
        loop_conn=await asyncio.to_thread(connect, where.path, check_same_thread=False),
    )
    try:
        yield saver
    finally:
        await saver.aclose()
