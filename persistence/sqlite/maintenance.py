"""Upkeep of the SQLite checkpoint tables: carry out a plan, delete, copy a thread, vacuum.

What the library lacked: ``BaseCheckpointSaver`` names ``prune``, ``copy_thread`` and
``delete_for_runs``, and the SQLite saver implements none of them. ``persistence.upkeep``
plans what goes (the same on every engine); these functions read what planning needs and
carry a plan out with plain SQL on the stock tables, in one transaction per thread, or
only count it (a dry run).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.checkpoint.serde.base import SerializerProtocol

from persistence.leases import fence_on
from persistence.sqlite.leases import check_fence
from persistence.upkeep import CheckpointRow, Key, Plan, Removal

_SIZE = "COALESCE(LENGTH(checkpoint), 0) + COALESCE(LENGTH(metadata), 0)"
_RUN_ID = "COALESCE(json_extract(CAST(metadata AS TEXT), '$.run_id'), '')"


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _remove(
    conn: sqlite3.Connection, removal: Removal, where: str, params: Sequence[object]
) -> None:
    """Count, and unless dry-running delete, the checkpoints and writes matching ``where``."""
    count, size = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM({_SIZE}), 0) FROM checkpoints WHERE {where}", params
    ).fetchone()
    wcount, wsize = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM writes WHERE {where}", params
    ).fetchone()
    kept_count, kept_size = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM replaced_writes WHERE {where}",
        params,
    ).fetchone()
    removal.checkpoints += count
    removal.writes += wcount + kept_count
    removal.bytes += size + wsize + kept_size
    if not removal.dry_run:
        for table in ("checkpoints", "writes", "replaced_writes"):
            conn.execute(f"DELETE FROM {table} WHERE {where}", params)


def all_threads(conn: sqlite3.Connection) -> list[str]:
    """Every thread with a checkpoint."""
    rows = conn.execute("SELECT DISTINCT thread_id FROM checkpoints")
    return sorted(str(r[0]) for r in rows)


def thread_rows(conn: sqlite3.Connection, thread_id: str) -> list[CheckpointRow]:
    """Every checkpoint of the thread, in every namespace, as planning sees it."""
    rows = conn.execute(
        f"SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id, {_RUN_ID} FROM checkpoints "
        "WHERE thread_id = ?",
        (thread_id,),
    )
    return [CheckpointRow(str(ns), str(i), p, str(run)) for ns, i, p, run in rows]


def runs_threads(conn: sqlite3.Connection, run_ids: Sequence[str]) -> list[str]:
    """The threads ``run_ids`` made a checkpoint or a write in."""
    marks = _marks(len(run_ids))
    rows = conn.execute(
        f"SELECT thread_id FROM checkpoints WHERE {_RUN_ID} IN ({marks}) "
        f"UNION SELECT thread_id FROM writes WHERE run_id IN ({marks})",
        (*run_ids, *run_ids),
    )
    return sorted(str(r[0]) for r in rows)


def written_by(conn: sqlite3.Connection, thread_id: str, run_ids: Sequence[str]) -> set[Key]:
    """The checkpoints of the thread that hold a write made by ``run_ids``."""
    rows = conn.execute(
        "SELECT DISTINCT checkpoint_ns, checkpoint_id FROM writes WHERE thread_id = ? "
        f"AND run_id IN ({_marks(len(run_ids))})",
        (thread_id, *run_ids),
    )
    return {(str(ns), str(cid)) for ns, cid in rows}


def carry_out(
    conn: sqlite3.Connection,
    thread_id: str,
    plan: Plan,
    snapshots: Mapping[Key, Mapping[str, Any]],
    run_ids: Sequence[str],
    removal: Removal,
    serde: SerializerProtocol,
) -> None:
    """Remove what ``plan`` dooms (and ``run_ids``' other writes), in one transaction.

    Kept checkpoints get their new parent and the snapshots of their delta channels.
    """
    with conn:
        if (fence := fence_on(thread_id, "sqlite")) is not None:
            check_fence(conn, fence)
        for namespace, checkpoint_id in sorted(plan.doomed):
            where = "thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"
            _remove(conn, removal, where, (thread_id, namespace, checkpoint_id))
        if run_ids:
            _remove_run_writes(conn, removal, thread_id, tuple(run_ids))
        removal.materialised += sum(1 for found in snapshots.values() if found)
        if removal.dry_run:
            return
        for (namespace, checkpoint_id), parent in plan.reparent.items():
            conn.execute(
                "UPDATE checkpoints SET parent_checkpoint_id = ? WHERE thread_id = ? AND "
                "checkpoint_ns = ? AND checkpoint_id = ?",
                (parent, thread_id, namespace, checkpoint_id),
            )
        for key, values in snapshots.items():
            if values:
                _write_snapshots(conn, serde, thread_id, key, values)


def _write_snapshots(
    conn: sqlite3.Connection,
    serde: SerializerProtocol,
    thread_id: str,
    key: Key,
    values: Mapping[str, Any],
) -> None:
    where = "WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"
    found = conn.execute(f"SELECT type, checkpoint FROM checkpoints {where}", (thread_id, *key))
    type_, blob = found.fetchone()
    checkpoint = serde.loads_typed((type_, blob))
    checkpoint["channel_values"] = {**checkpoint["channel_values"], **values}
    conn.execute(
        f"UPDATE checkpoints SET type = ?, checkpoint = ? {where}",
        (*serde.dumps_typed(checkpoint), thread_id, *key),
    )


def _remove_run_writes(
    conn: sqlite3.Connection, removal: Removal, thread_id: str, run_ids: tuple[str, ...]
) -> None:
    """Count, and unless dry-running delete, the thread's remaining writes by ``run_ids``.

    Then put back the rows those writes had replaced (on checkpoints that stay).
    """
    where = f"thread_id = ? AND run_id IN ({_marks(len(run_ids))})"
    params: tuple[str, ...] = (thread_id, *run_ids)
    count, size = conn.execute(
        f"SELECT COUNT(*), COALESCE(SUM(LENGTH(value)), 0) FROM writes WHERE {where}", params
    ).fetchone()
    removal.writes += count
    removal.bytes += size
    if not removal.dry_run:
        conn.execute(f"DELETE FROM writes WHERE {where}", params)
        _restore_replaced(conn, thread_id, run_ids)


_WRITE_COLUMNS = (
    "thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value, run_id"
)


def _restore_replaced(conn: sqlite3.Connection, thread_id: str, run_ids: tuple[str, ...]) -> None:
    """Put back the rows ``run_ids`` replaced (on checkpoints that are still there)."""
    where = f"thread_id = ? AND replaced_by IN ({_marks(len(run_ids))})"
    conn.execute(
        f"INSERT OR REPLACE INTO writes ({_WRITE_COLUMNS}) SELECT {_WRITE_COLUMNS} "
        f"FROM replaced_writes AS r WHERE {where} AND EXISTS (SELECT 1 FROM checkpoints AS c "
        "WHERE c.thread_id = r.thread_id AND c.checkpoint_ns = r.checkpoint_ns "
        "AND c.checkpoint_id = r.checkpoint_id) ORDER BY rowid",
        (thread_id, *run_ids),
    )
    conn.execute(f"DELETE FROM replaced_writes WHERE {where}", (thread_id, *run_ids))


def latest_checkpoints(conn: sqlite3.Connection) -> dict[str, str]:
    """Each thread and its latest top-level checkpoint id."""
    rows = conn.execute(
        "SELECT thread_id, MAX(checkpoint_id) FROM checkpoints WHERE checkpoint_ns = '' "
        "GROUP BY thread_id"
    )
    return {str(t): str(c) for t, c in rows}


def delete_threads(conn: sqlite3.Connection, thread_ids: Sequence[str], dry_run: bool) -> Removal:
    """Remove every checkpoint and write of these threads."""
    removal = Removal(dry_run=dry_run)
    with conn:
        for thread_id in thread_ids:
            if (fence := fence_on(thread_id, "sqlite")) is not None:
                check_fence(conn, fence)
            before = removal.checkpoints + removal.writes
            _remove(conn, removal, "thread_id = ?", (thread_id,))
            if removal.checkpoints + removal.writes > before:
                removal.thread_ids.append(thread_id)
    return removal


def copy_thread(conn: sqlite3.Connection, source: str, target: str) -> Removal:
    """Copy every checkpoint and write of ``source`` under ``target`` (which must be new)."""
    if conn.execute("SELECT 1 FROM checkpoints WHERE thread_id = ?", (target,)).fetchone():
        raise ValueError(f"thread {target} exists")
    copied = Removal(thread_ids=[target])
    with conn:
        copied.checkpoints = conn.execute(
            "INSERT INTO checkpoints SELECT ?, checkpoint_ns, checkpoint_id, parent_checkpoint_id, "
            "type, checkpoint, CASE WHEN json_extract(CAST(metadata AS TEXT), '$.thread_id') IS "
            "NULL THEN metadata ELSE CAST(json_set(CAST(metadata AS TEXT), '$.thread_id', ?) AS "
            "BLOB) END FROM checkpoints WHERE thread_id = ?",
            (target, target, source),
        ).rowcount
        copied.writes = conn.execute(
            "INSERT INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, "
            "channel, type, value, run_id) SELECT ?, checkpoint_ns, checkpoint_id, task_id, "
            "task_path, idx, channel, type, value, run_id FROM writes WHERE thread_id = ?",
            (target, source),
        ).rowcount
        conn.execute(
            "INSERT INTO replaced_writes SELECT ?, checkpoint_ns, checkpoint_id, task_id, "
            "task_path, idx, channel, type, value, run_id, replaced_by FROM replaced_writes "
            "WHERE thread_id = ?",
            (target, source),
        )
    if not copied.checkpoints:
        raise ValueError(f"unknown thread {source}")
    return copied


def file_bytes(conn: sqlite3.Connection) -> int:
    """The main database file's size in bytes (pages in use and free)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    return int(pages) * int(conn.execute("PRAGMA page_size").fetchone()[0])


def vacuum(conn: sqlite3.Connection) -> int:
    """Rebuild the file without free pages and truncate the WAL; bytes returned."""
    conn.commit()
    before = file_bytes(conn)
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return max(0, before - file_bytes(conn))
