"""Baton's async checkpoint saver: ``BatonSaver`` served to the event loop by one thread.

What the library lacked. The stock ``AsyncSqliteSaver`` holds one lock per ``aput`` and
``aput_writes`` and commits each on its own, so 200 concurrent threads (or 1000 fanned-out
workers) queue behind one fsync at a time; and it reaches SQLite through aiosqlite, one
thread hand-off per statement and fetch (see ``persistence.sqlite.thread`` for why that costs
more than SQLite itself under load). Here reads, lists, delta-channel history and upkeep
are jobs for one ``SqliteThread``, run there on the sync saver's code; the writes queued
during one iteration of the event loop share one transaction and one commit, made on the
loop's own connection (``persistence.sqlite.loop_commit``; on the thread when the database
is locked, or when the saver was built without that connection). A call still returns only after its
own rows are committed, so durability is exactly the stock saver's, and the tables are the
stock ones plus ``writes.run_id`` and ``replaced_writes`` (``persistence.sqlite.rows``): the
stock savers read and write the file too.

The sync methods work too, from any thread, the event loop's included; upkeep (prune,
fork, delete, vacuum) runs on the same thread through ``run``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, TypeVar, cast

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)

from persistence.checkpoint_config import saved_config
from persistence.sqlite.loop_commit import LoopCommitter
from persistence.sqlite.rows import checkpoint_statement, writes_statements
from persistence.sqlite.saver import BatonSaver
from persistence.sqlite.thread import SqliteThread

_T = TypeVar("_T")


class BatonAsyncSaver(BaseCheckpointSaver[str]):
    """LangGraph's checkpointer interface, async and sync, over one ``BatonSaver`` thread."""

    def __init__(
        self,
        saver: BatonSaver,
        *,
        loop_conn: sqlite3.Connection | None = None,
        _shared: tuple[SqliteThread, LoopCommitter | None] | None = None,
    ) -> None:
        """Serve ``saver`` from its own thread.

        With ``loop_conn`` (a second connection to the same file), writes commit on the
        event loop instead (``persistence.sqlite.loop_commit``).
        """
        super().__init__(serde=saver.serde)
        self.sync = saver
        if _shared is not None:
            self._thread, self._committer = _shared
        else:
            self._thread = SqliteThread(saver)
            self._committer = LoopCommitter(loop_conn, self._thread) if loop_conn else None
        self._commit = self._committer.commit if self._committer else self._thread.commit

    @property
    def connections(self) -> tuple[sqlite3.Connection, ...]:
        """The saver thread's connection, then the event loop's (if writes commit there)."""
        thread_conn = (self.sync.conn,)
        return thread_conn + ((self._committer.conn,) if self._committer else ())

    def loop_round_ms(self) -> dict[str, float]:
        """How long commit rounds held the event loop (``loop_commit.RoundTimes``)."""
        return self._committer.times.summary_ms() if self._committer else {"rounds": 0}

    async def setup(self) -> None:
        """Create the tables and apply Baton's migrations (on the saver's thread)."""
        await self.run(lambda saver: saver.setup())

    async def run(self, work: Callable[[BatonSaver], _T]) -> _T:
        """Run ``work(saver)`` (upkeep, a query) on the saver's thread; its result."""
        return await self._thread.call(partial(work, self.sync))

    async def aclose(self) -> None:
        """Finish what is queued, stop the thread and close the connection."""
        await asyncio.to_thread(self._thread.close)
        self.sync.conn.close()
        if self._committer is not None:
            self._committer.conn.close()

    def with_allowlist(self, extra_allowlist: Collection[tuple[str, ...]]) -> BatonAsyncSaver:
        """The same saver and thread, reading and writing with a stricter serializer."""
        inner = cast(BatonSaver, self.sync.with_allowlist(extra_allowlist))
        if inner is self.sync:
            return self
        return BatonAsyncSaver(inner, _shared=(self._thread, self._committer))

    def get_next_version(self, current: str | None, channel: None) -> str:
        """The stock SQLite savers' version strings."""
        return self.sync.get_next_version(current, channel)

    # -- async interface -------------------------------------------------------------------

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint ``config`` names (or the thread's latest) with its pending writes."""
        return await self._thread.call(partial(self.sync.get_tuple, config))

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """Checkpoints newest first, read in one job (``limit`` bounds what is held)."""
        found = await self._thread.call(
            lambda: list(self.sync.list(config, filter=filter, before=before, limit=limit))
        )
        for item in found:
            yield item

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
        await self._commit(writes_statements(self.serde, config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        """Delete every checkpoint and write of the thread."""
        await self.run(lambda saver: saver.delete_threads([thread_id]))

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        """``BatonSaver.delete_for_runs`` on the saver's thread."""
        await self.run(lambda saver: saver.delete_for_runs(run_ids))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """``BatonSaver.copy_thread`` on the saver's thread."""
        await self.run(lambda saver: saver.copy_thread(source_thread_id, target_thread_id))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``BatonSaver.prune`` on the saver's thread."""
        await self.run(lambda saver: saver.prune(thread_ids, strategy=strategy))

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """The stock SQLite saver's delta-channel query, on the saver's thread."""
        read = partial(self.sync.get_delta_channel_history, config=config, channels=channels)
        return await self._thread.call(read)

    # -- sync interface (any thread) -------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """``aget_tuple`` for sync callers."""
        return self._thread.call_blocking(partial(self.sync.get_tuple, config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """``alist`` for sync callers."""
        return iter(
            self._thread.call_blocking(
                lambda: list(self.sync.list(config, filter=filter, before=before, limit=limit))
            )
        )

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """``aput`` for sync callers."""
        statement = checkpoint_statement(self.serde, config, checkpoint, metadata)
        self._thread.commit_blocking([statement])
        return saved_config(config, checkpoint)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """``aput_writes`` for sync callers."""
        statements = writes_statements(self.serde, config, writes, task_id, task_path)
        self._thread.commit_blocking(statements)

    def delete_thread(self, thread_id: str) -> None:
        """``adelete_thread`` for sync callers."""
        self._thread.call_blocking(lambda: self.sync.delete_threads([thread_id]))

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """``aget_delta_channel_history`` for sync callers."""
        read = partial(self.sync.get_delta_channel_history, config=config, channels=channels)
        return self._thread.call_blocking(read)
