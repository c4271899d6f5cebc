"""The durable checkpointer: ``langgraph-checkpoint-sqlite`` on ``BATON_HOME/baton.db``."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver

from graphs.sqlite_conn import BUSY_TIMEOUT_MS, connect

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver


# Baton's own state types, allowed explicitly so checkpoints load under strict msgpack.
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


def open_checkpointer(db_path: Path) -> SqliteSaver:
    """A sync saver for the CLI and embedding; one connection shared across threads."""
    saver = SqliteSaver(connect(db_path, check_same_thread=False), serde=serializer())
    saver.setup()
    return saver


@asynccontextmanager
async def open_async_checkpointer(db_path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """An async saver for chat backends (``astream``), with the same pragmas."""
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    db_path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000) as conn:
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=FULL")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        saver = AsyncSqliteSaver(conn, serde=serializer())
        await saver.setup()
        yield saver
