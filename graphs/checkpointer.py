"""The durable checkpointer: Baton's savers on ``BATON_HOME/baton.db``.

``open_checkpointer`` (sync, the CLI and embedding) returns ``BatonSaver``, the stock
``langgraph-checkpoint-sqlite`` saver with group commit and upkeep; ``open_async_checkpointer``
(chat backends) serves one to the event loop from its own thread (``graphs.saver_async``).
Same tables either way.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from graphs.saver import BatonSaver
from graphs.sqlite_conn import connect

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from graphs.saver_async import BatonAsyncSaver


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


def open_checkpointer(db_path: Path) -> BatonSaver:
    """A sync saver for the CLI and embedding; one connection shared across threads."""
    saver = BatonSaver(connect(db_path, check_same_thread=False), serde=serializer())
    saver.setup()
    return saver


@asynccontextmanager
async def open_async_checkpointer(db_path: Path) -> AsyncIterator[BatonAsyncSaver]:
    """An async saver for chat backends (``astream``), with the same pragmas; closed on exit."""
    from graphs.saver_async import BatonAsyncSaver

    saver = BatonAsyncSaver(
        await asyncio.to_thread(open_checkpointer, db_path),
        loop_conn=await asyncio.to_thread(connect, db_path, check_same_thread=False),
    )
    try:
        yield saver
    finally:
        await saver.aclose()
