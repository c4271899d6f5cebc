"""The stock ``langgraph-checkpoint-sqlite`` savers, for comparison with Baton's.

Same file pragmas (``persistence.sqlite.connect.PRAGMAS``) and the same serializer as Baton's
savers, so the difference measured is the saver code itself: commits per call against
group commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from graphs.checkpointer import serializer
from persistence.sqlite.connect import BUSY_TIMEOUT_MS, PRAGMAS, connect


def open_stock(db_path: Path) -> SqliteSaver:
    """The stock sync saver on ``db_path``."""
    saver = SqliteSaver(connect(db_path, check_same_thread=False), serde=serializer())
    saver.setup()
    return saver


@asynccontextmanager
async def open_stock_async(db_path: Path) -> AsyncIterator[AsyncSqliteSaver]:
    """The stock async saver on ``db_path`` (aiosqlite, with Baton's pragmas)."""
    import aiosqlite

    async with aiosqlite.connect(str(db_path), timeout=BUSY_TIMEOUT_MS / 1000) as conn:
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        saver = AsyncSqliteSaver(conn, serde=serializer())
        await saver.setup()
        yield saver
