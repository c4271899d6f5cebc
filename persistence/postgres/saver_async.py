"""Baton's async PostgreSQL saver: the stock ``AsyncPostgresSaver`` on a pool, group-committed.

What the library lacked: see ``persistence.postgres.saver``. Here the event loop's reads
run on any pooled connection at once (the stock saver serialises every call behind one
``asyncio.Lock``), and the writes of concurrent runs share transactions
(``persistence.postgres.commit.AsyncGroupCommit``). Upkeep (``aprune``,
``adelete_for_runs``, ``acopy_thread``, ``adelete_thread``) and the sync methods, for
callers on other threads or none, go to a ``BatonPostgresSaver`` on a small sync pool of
the same database, opened on first use: the same code as the CLI's.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import AsyncCursor
from psycopg.rows import DictRow, dict_row

from persistence.checkpoint_config import saved_config
from persistence.database import PostgresDatabase
from persistence.delta import DeltaSpecs
from persistence.postgres.commit import AsyncGroupCommit
from persistence.postgres.pool import AsyncPool, aretrying, open_pool
from persistence.postgres.reads import AsyncReadBatch, checkpoint_query, loaded_tuple
from persistence.postgres.rows import checkpoint_statements, writes_statements
from persistence.postgres.saver import BatonPostgresSaver


class BatonAsyncPostgresSaver(AsyncPostgresSaver):
    """``AsyncPostgresSaver`` over a pool: concurrent reads, group-committed writes, upkeep."""

    def __init__(
        self,
        pool: AsyncPool,
        database: PostgresDatabase,
        *,
        serde: SerializerProtocol | None = None,
        delta_channels: DeltaSpecs | None = None,
    ) -> None:
        """Serve checkpoints from ``pool`` (``open_async_pool(database)``)."""
        super().__init__(pool, serde=serde)
        self.pool = pool
        self.database = database
        self.delta_channels = dict(delta_channels or {})
        self._group = AsyncGroupCommit(pool)
        self._reads = AsyncReadBatch(pool)
        # shared with the clones ``with_allowlist`` makes (a compiled graph holds one), so
        # that they open one upkeep saver between them and ``aclose`` closes it
        self._upkeep: list[BatonPostgresSaver] = []

    @property
    def commit_rounds(self) -> int:
        """How many group-commit rounds this saver has sent (a round is one transaction)."""
        return self._group.rounds

    @property
    def sync(self) -> BatonPostgresSaver:
        """The sync saver for upkeep and sync callers (opened on first use)."""
        if not self._upkeep:
            maintenance = PostgresDatabase(
                self.database.url,
                min_size=0,
                max_size=2,
                max_lifetime_s=self.database.max_lifetime_s,
                application_name=self.database.application_name,
            )
            self._upkeep.append(
                BatonPostgresSaver(
                    open_pool(maintenance, name="baton-upkeep"),
                    serde=self.serde,
                    delta_channels=self.delta_channels,
                )
            )
        return self._upkeep[0]

    async def setup(self) -> None:
        """The stock tables, then Baton's migrations, once, under an advisory lock."""
        await asyncio.to_thread(lambda: self.sync.setup())

    async def aclose(self) -> None:
        """Close both pools."""
        await self.pool.close()
        for upkeep in self._upkeep:
            await asyncio.to_thread(upkeep.close)

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        """A cursor on a connection of its own (the stock one locks the whole saver)."""
        async with self.pool.connection() as conn:
            if pipeline:
                async with conn.pipeline(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            else:
                async with conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur

    # -- async reads: the stock queries, sent again if their connection died --------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint ``config`` names (or the thread's latest) with its pending writes.

        The stock query, sent with the other lookups queued meanwhile
        (``persistence.postgres.reads``); a checkpoint older than format 4 with a parent
        takes the stock path whole (it needs a second query to migrate its pending sends).
        """
        row = await self._reads.fetchone(*checkpoint_query(self.SELECT_SQL, config))
        if row is None:
            return None
        if row["checkpoint"]["v"] < 4 and row["parent_checkpoint_id"]:
            return await aretrying(lambda: AsyncPostgresSaver.aget_tuple(self, config), self.pool)
        return await self._load_checkpoint_tuple(row)

    async def _load_checkpoint_tuple(self, value: DictRow) -> CheckpointTuple:
        """``persistence.postgres.reads.loaded_tuple`` (no worker-thread hop)."""
        return loaded_tuple(self, value)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Checkpoints newest first (read whole before the first is returned)."""

        async def read() -> builtins.list[CheckpointTuple]:
            stock = AsyncPostgresSaver.alist(
                self, config, filter=filter, before=before, limit=limit
            )
            return [item async for item in stock]

        for item in await aretrying(read, self.pool):
            yield item

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """The stock delta-channel query."""
        return await aretrying(
            lambda: AsyncPostgresSaver.aget_delta_channel_history(
                self, config=config, channels=channels
            ),
            self.pool,
        )

    # -- async writes: group-committed -----------------------------------------------------

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store a checkpoint; returns once it is committed."""
        statements = checkpoint_statements(self.serde, config, checkpoint, metadata, new_versions)
        await self._group.commit(statements)
        return saved_config(config, checkpoint)

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes; returns once they are committed."""
        statements = writes_statements(self.serde, config, writes, task_id, task_path)
        await self._group.commit(statements)

    # -- upkeep: the sync saver's, on a worker thread ---------------------------------------

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint, write and blob of the thread."""
        await asyncio.to_thread(self.sync.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """``BatonPostgresSaver.delete_for_runs``."""
        await asyncio.to_thread(self.sync.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """``BatonPostgresSaver.copy_thread``."""
        await asyncio.to_thread(self.sync.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``BatonPostgresSaver.prune``."""
        await asyncio.to_thread(lambda: self.sync.prune(thread_ids, strategy=strategy))

    # -- sync interface (any thread, the event loop's included) ----------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """``aget_tuple`` for sync callers."""
        return self.sync.get_tuple(config)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """``alist`` for sync callers."""
        return self.sync.list(config, filter=filter, before=before, limit=limit)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """``aput`` for sync callers."""
        return self.sync.put(config, checkpoint, metadata, new_versions)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """``aput_writes`` for sync callers."""
        self.sync.put_writes(config, writes, task_id, task_path)

    def delete_thread(self, thread_id: str) -> None:
        """``adelete_thread`` for sync callers."""
        self.sync.delete_thread(thread_id)

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """``aget_delta_channel_history`` for sync callers."""
        return self.sync.get_delta_channel_history(config=config, channels=channels)
