"""Batched reads on PostgreSQL: the checkpoint lookups that arrive together share one wait.

What it is for. When many runs start at once (200 threads in one event loop), each one
first reads its thread's latest checkpoint. One read at a time per pooled connection meant
a pool checkout and several turns of a busy event loop per read: in a 200-thread run the
reads took a median of 0.6 s each and the last finished 1.2-1.5 s after the start. Here the
queries queued while one batch is in flight go in the next one, on one pooled connection:
one pipeline, one Sync, one wait, each query on its own cursor so every caller gets its
own row. One batch is in flight at a time. A batch whose connection was lost is sent
again on another; a batch the server refused for another reason is sent again one query
at a time, so that only the query at fault fails.

Each query runs in the batch's implicit transaction, which, like any read, starts after
the caller's earlier writes were committed (a write returns only after its commit).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import Checkpoint, CheckpointTuple, get_checkpoint_id
from langgraph.checkpoint.postgres.base import BasePostgresSaver
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row

from persistence.postgres.pool import AsyncPool, aretrying, connection_lost

Query = tuple[str, tuple[Any, ...]]
"""One SQL query and its parameters."""


def checkpoint_query(select_sql: str, config: RunnableConfig) -> Query:
    """The stock saver's lookup: the checkpoint ``config`` names, or the thread's latest."""
    configurable = config["configurable"]
    key = (configurable["thread_id"], configurable.get("checkpoint_ns", ""))
    if checkpoint_id := get_checkpoint_id(config):
        where = "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s"
        return select_sql + where, (*key, checkpoint_id)
    where = "WHERE thread_id = %s AND checkpoint_ns = %s ORDER BY checkpoint_id DESC LIMIT 1"
    return select_sql + where, key


def loaded_tuple(saver: BasePostgresSaver, value: DictRow) -> CheckpointTuple:
    """The stock saver's conversion of a row, its pending writes loaded inline like its blobs.

    The stock async saver loads the writes on a worker thread: one hop per checkpoint read,
    even one with no writes, which on a busy event loop waits for the loop and the GIL.
    """
    key = {"thread_id": value["thread_id"], "checkpoint_ns": value["checkpoint_ns"]}
    parent = value["parent_checkpoint_id"]
    checkpoint = {
        **value["checkpoint"],
        "channel_values": {
            **(value["checkpoint"].get("channel_values") or {}),
            **saver._load_blobs(value["channel_values"]),
        },
    }
    return CheckpointTuple(
        {"configurable": {**key, "checkpoint_id": value["checkpoint_id"]}},
        cast(Checkpoint, checkpoint),
        value["metadata"],
        {"configurable": {**key, "checkpoint_id": parent}} if parent else None,
        saver._load_writes(value["pending_writes"]),
    )


async def _pipelined(conn: AsyncConnection[DictRow], queries: list[Query]) -> list[DictRow | None]:
    """Each query's first row (or None), all sent before the one wait."""
    cursors = [conn.cursor(binary=True, row_factory=dict_row) for _ in queries]
    try:
        async with conn.pipeline():
            for cursor, (sql, args) in zip(cursors, queries, strict=True):
                await cursor.execute(sql, args, binary=True)
        return [await cursor.fetchone() for cursor in cursors]
    finally:
        for cursor in cursors:
            await cursor.close()


async def _one(conn: AsyncConnection[DictRow], query: Query) -> DictRow | None:
    async with conn.cursor(binary=True, row_factory=dict_row) as cursor:
        await cursor.execute(*query, binary=True)
        return await cursor.fetchone()


class AsyncReadBatch:
    """Single-row reads for the event loop, sent together while a batch is in flight."""

    def __init__(self, pool: AsyncPool) -> None:
        self.pool = pool
        self._queue: list[tuple[asyncio.Future[DictRow | None], Query]] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0

    async def fetchone(self, sql: str, args: tuple[Any, ...]) -> DictRow | None:
        """The first row ``sql`` returns for ``args`` (None if none)."""
        reply: asyncio.Future[DictRow | None] = asyncio.get_running_loop().create_future()
        self._queue.append((reply, (sql, args)))
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain())
        return await reply

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    await self._send(batch)
                except BaseException:
                    for reply, _ in batch:
                        reply.cancel()
                    raise
                self.batches += 1
        finally:
            self._task = None

    async def _send(self, batch: list[tuple[asyncio.Future[DictRow | None], Query]]) -> None:
        queries = [query for _, query in batch]

        async def together() -> list[DictRow | None]:
            async with self.pool.connection() as conn:
                return await _pipelined(conn, queries)

        try:
            rows = await aretrying(together, self.pool)
        except Exception as exc:
            if connection_lost(exc):
                for reply, _ in batch:
                    if not reply.done():
                        reply.set_exception(exc)
                return
            await self._alone(batch)
            return
        for (reply, _), row in zip(batch, rows, strict=True):
            if not reply.done():
                reply.set_result(row)

    async def _alone(self, batch: list[tuple[asyncio.Future[DictRow | None], Query]]) -> None:
        """Each query on its own (after the server refused the batch), each its own outcome."""
        for reply, query in batch:

            async def alone(query: Query = query) -> DictRow | None:
                async with self.pool.connection() as conn:
                    return await _one(conn, query)

            try:
                row = await aretrying(alone, self.pool)
            except Exception as exc:
                if not reply.done():
                    reply.set_exception(exc)
                continue
            if not reply.done():
                reply.set_result(row)
