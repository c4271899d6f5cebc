"""Baton's sync PostgreSQL saver: the stock ``PostgresSaver`` on a pool, with upkeep.

What the library lacked. The stock saver takes one lock around every call, even on a
pool, sends each ``put`` and ``put_writes`` in its own transaction, applies its schema with
no lock (replicas starting together race), and implements neither ``copy_thread`` nor
``delete_for_runs``, and refuses ``prune`` on threads that use a ``DeltaChannel`` (every
Baton worker's messages). Here reads run on any pooled connection at once; writes from
concurrent threads share a transaction (``persistence.postgres.commit``); a call whose
connection died is sent again on a fresh one; ``setup`` migrates under an advisory lock
(``persistence.postgres.migrate``); and upkeep is ``persistence.checkpoint_upkeep``'s,
the same as on SQLite. Reads and the tables are the stock saver's own.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
)
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import Cursor
from psycopg.rows import DictRow, dict_row

from persistence.checkpoint_config import saved_config
from persistence.checkpoint_upkeep import CheckpointUpkeep
from persistence.delta import DeltaSpecs
from persistence.postgres import maintenance as upkeep
from persistence.postgres import threads
from persistence.postgres.commit import GroupCommit
from persistence.postgres.migrate import migrate
from persistence.postgres.pool import Pool, retrying
from persistence.postgres.rows import checkpoint_statements, writes_statements
from persistence.postgres.schema import CHECKPOINT_MIGRATIONS
from persistence.upkeep import CheckpointRow, Key, Plan, Removal


class BatonPostgresSaver(CheckpointUpkeep, PostgresSaver):
    """``PostgresSaver`` over a pool: concurrent reads, group-committed writes, upkeep."""

    def __init__(
        self,
        pool: Pool,
        *,
        serde: SerializerProtocol | None = None,
        delta_channels: DeltaSpecs | None = None,
    ) -> None:
        """Serve checkpoints from ``pool`` (``persistence.postgres.pool.open_pool``)."""
        super().__init__(pool, serde=serde)
        self.pool = pool
        self.delta_channels = dict(delta_channels or {})
        self._group = GroupCommit(pool)

    def setup(self) -> None:
        """The stock tables, then Baton's migrations, once, under an advisory lock."""

        def attempt() -> None:
            with self.pool.connection() as conn:
                migrate(conn, "checkpoints", CHECKPOINT_MIGRATIONS, stock_checkpoints=True)

        retrying(attempt, self.pool)

    def close(self) -> None:
        """Close every pooled connection."""
        self.pool.close()

    @contextmanager
    def _cursor(self, *, pipeline: bool = False) -> Iterator[Cursor[DictRow]]:
        """A cursor on a connection of its own (the stock one locks the whole saver)."""
        with self.pool.connection() as conn:
            if pipeline:
                with conn.pipeline(), conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
            else:
                with conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur

    # -- reads: the stock queries, sent again if their connection died -----------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        """The checkpoint ``config`` names (or the thread's latest) with its pending writes."""
        return retrying(lambda: PostgresSaver.get_tuple(self, config), self.pool)

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        """Checkpoints newest first (read whole before the first is returned)."""
        found = retrying(
            lambda: list(
                PostgresSaver.list(self, config, filter=filter, before=before, limit=limit)
            ),
            self.pool,
        )
        return iter(found)

    def get_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        """The stock delta-channel query."""
        return retrying(
            lambda: PostgresSaver.get_delta_channel_history(self, config=config, channels=channels),
            self.pool,
        )

    # -- writes: group-committed -----------------------------------------------------------

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        """Store a checkpoint; returns once it is committed."""
        self._group.commit(
            checkpoint_statements(self.serde, config, checkpoint, metadata, new_versions)
        )
        return saved_config(config, checkpoint)

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Store a task's writes; returns once they are committed."""
        self._group.commit(writes_statements(self.serde, config, writes, task_id, task_path))

    # -- what maintenance needs (``persistence.checkpoint_upkeep``) ------------------------

    def upkeep_threads(self) -> builtins.list[str]:
        """Every thread with a checkpoint."""
        with self.pool.connection() as conn:
            return upkeep.all_threads(conn)

    def upkeep_latest(self) -> builtins.list[str]:
        """Every thread with a top-level checkpoint."""
        with self.pool.connection() as conn:
            return upkeep.top_threads(conn)

    def upkeep_run_threads(self, run_ids: Sequence[str]) -> builtins.list[str]:
        """The threads ``run_ids`` made a checkpoint or a write in."""
        with self.pool.connection() as conn:
            return upkeep.runs_threads(conn, run_ids)

    def upkeep_delete_threads(self, thread_ids: Sequence[str], dry_run: bool) -> Removal:
        """Remove (or count) every row of these threads."""
        with self.pool.connection() as conn:
            return threads.delete_threads(conn, thread_ids, dry_run)

    def upkeep_copy(self, source: str, target: str) -> Removal:
        """Copy every row of ``source`` under ``target``."""
        with self.pool.connection() as conn:
            return threads.copy_thread(conn, source, target)

    def thread_rows(self, thread_id: str) -> builtins.list[CheckpointRow]:
        """Every checkpoint of the thread, in every namespace."""
        with self.pool.connection() as conn:
            return upkeep.thread_rows(conn, thread_id)

    def written_by(self, thread_id: str, run_ids: Sequence[str]) -> set[Key]:
        """The checkpoints of the thread holding a write by ``run_ids``."""
        with self.pool.connection() as conn:
            return upkeep.written_by(conn, thread_id, run_ids)

    def carry_out(
        self,
        thread_id: str,
        plan: Plan,
        snapshots: Mapping[Key, Mapping[str, Any]],
        run_ids: Sequence[str],
        removal: Removal,
    ) -> None:
        """Carry ``plan`` out in one transaction."""
        with self.pool.connection() as conn:
            upkeep.carry_out(conn, thread_id, plan, snapshots, run_ids, removal, self.serde)

    def reclaim_space(self) -> None:
        """Nothing: PostgreSQL's autovacuum reuses the space inside the database."""
        return None
