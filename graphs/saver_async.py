"""Baton's async checkpoint saver: the stock ``AsyncSqliteSaver`` with group commit.

What the library lacked. The stock async saver holds one lock per ``aput``/``aput_writes``
and commits each on its own, so 200 concurrent threads (or 1000 fanned-out workers) queue
behind one fsync at a time. Here each call queues its rows and awaits a future; a single
flush task inserts everything queued so far in one transaction, commits once and resolves
every future. A call still returns only after its own rows are committed, so durability is
exactly the stock saver's; the flush never blocks the event loop (aiosqlite runs SQLite on
its own thread). Upkeep (prune, fork, delete, vacuum) is the sync ``BatonSaver``'s job: it
can run on its own connection alongside, WAL lets it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import ChannelVersions, Checkpoint, CheckpointMetadata
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from graphs.saver_rows import (
    Statement,
    checkpoint_statement,
    merged,
    saved_config,
    writes_statement,
)


class BatonAsyncSaver(AsyncSqliteSaver):
    """``AsyncSqliteSaver`` whose concurrent writes share commits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: list[tuple[list[Statement], asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store a checkpoint; returns once it is committed."""
        await self._commit([checkpoint_statement(self.serde, config, checkpoint, metadata)])
        return saved_config(config, checkpoint)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes; returns once they are committed."""
        await self._commit([writes_statement(self.serde, config, writes, task_id, task_path)])

    async def _commit(self, statements: list[Statement]) -> None:
        if not self.is_setup:  # the stock setup() takes the lock the flush holds while committing
            await self.setup()
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((statements, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        """Commit what is queued, batch after batch, until the queue stays empty."""
        while self._queue:
            batch, self._queue = self._queue, []
            async with self.lock:
                try:
                    for sql, rows in merged([st for statements, _ in batch for st in statements]):
                        await self.conn.executemany(sql, rows)
                    await self.conn.commit()
                except Exception as exc:
                    await self.conn.rollback()
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
