"""Whole threads on PostgreSQL: delete every row of a thread, or copy it under a new id."""

from __future__ import annotations

from collections.abc import Sequence

from psycopg.types.json import Jsonb

from persistence.leases import fence_on
from persistence.postgres.leases import check_fence
from persistence.postgres.maintenance import Conn, count_rows
from persistence.upkeep import Removal


def delete_threads(conn: Conn, thread_ids: Sequence[str], dry_run: bool) -> Removal:
    """Remove (or count) every checkpoint, write and blob of these threads."""
    removal = Removal(dry_run=dry_run)
    with conn.transaction():
        for thread_id in thread_ids:
            if (fence := fence_on(thread_id, "postgres")) is not None:
                check_fence(conn, fence)
            before = removal.checkpoints + removal.writes
            count_rows(conn, removal, "thread_id = %s", (thread_id,))
            if removal.checkpoints + removal.writes > before:
                removal.thread_ids.append(thread_id)
            if not dry_run:
                for table in (
                    "checkpoints",
                    "checkpoint_writes",
                    "checkpoint_replaced_writes",
                    "checkpoint_blobs",
                ):
                    conn.execute(f"DELETE FROM {table} WHERE thread_id = %s", (thread_id,))
    return removal


def copy_thread(conn: Conn, source: str, target: str) -> Removal:
    """Copy every row of ``source`` under ``target`` (which must be new)."""
    copied = Removal(thread_ids=[target])
    with conn.transaction():
        if conn.execute("SELECT 1 FROM checkpoints WHERE thread_id = %s", (target,)).fetchone():
            raise ValueError(f"thread {target} exists")
        copied.checkpoints = conn.execute(
            "INSERT INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
            "parent_checkpoint_id, type, checkpoint, metadata) SELECT %s, checkpoint_ns, "
            "checkpoint_id, parent_checkpoint_id, type, checkpoint, CASE WHEN metadata ? "
            "'thread_id' THEN jsonb_set(metadata, '{thread_id}', %s) ELSE metadata END "
            "FROM checkpoints WHERE thread_id = %s",
            (target, Jsonb(target), source),
        ).rowcount
        if not copied.checkpoints:
            raise ValueError(f"unknown thread {source}")
        copied.writes = conn.execute(
            "INSERT INTO checkpoint_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, "
            "task_path, idx, channel, type, blob, run_id) SELECT %s, checkpoint_ns, "
            "checkpoint_id, task_id, task_path, idx, channel, type, blob, run_id "
            "FROM checkpoint_writes WHERE thread_id = %s",
            (target, source),
        ).rowcount
        conn.execute(
            "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) "
            "SELECT %s, checkpoint_ns, channel, version, type, blob FROM checkpoint_blobs "
            "WHERE thread_id = %s",
            (target, source),
        )
        conn.execute(
            "INSERT INTO checkpoint_replaced_writes (thread_id, checkpoint_ns, checkpoint_id, "
            "task_id, task_path, idx, channel, type, blob, run_id, replaced_by) SELECT %s, "
            "checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, blob, run_id, "
            "replaced_by FROM checkpoint_replaced_writes WHERE thread_id = %s",
            (target, source),
        )
    return copied
