"""Upkeep of the PostgreSQL checkpoint tables: read what planning needs, carry a plan out.

The plans are ``persistence.upkeep``'s, the same as on SQLite. A removed checkpoint takes
its writes and the replaced writes kept on it; a blob (a channel value, keyed by channel
and version and shared by every checkpoint at that version) goes once no checkpoint left
in its namespace uses it. Each thread's plan runs in one transaction. Deleting and
copying whole threads: ``persistence.postgres.threads``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import Connection
from psycopg.rows import DictRow

from persistence.leases import fence_on
from persistence.postgres.leases import check_fence
from persistence.upkeep import CheckpointRow, Key, Plan, Removal

Conn = Connection[DictRow]
_SIZE = "COALESCE(SUM(pg_column_size(checkpoint) + pg_column_size(metadata)), 0)"


def all_threads(conn: Conn) -> list[str]:
    """Every thread with a checkpoint."""
    rows = conn.execute("SELECT DISTINCT thread_id FROM checkpoints ORDER BY thread_id")
    return [str(r["thread_id"]) for r in rows.fetchall()]


def top_threads(conn: Conn) -> list[str]:
    """Every thread with a top-level checkpoint."""
    rows = conn.execute(
        "SELECT DISTINCT thread_id FROM checkpoints WHERE checkpoint_ns = '' ORDER BY thread_id"
    )
    return [str(r["thread_id"]) for r in rows.fetchall()]


def runs_threads(conn: Conn, run_ids: Sequence[str]) -> list[str]:
    """The threads ``run_ids`` made a checkpoint or a write in."""
    rows = conn.execute(
        "SELECT thread_id FROM checkpoints WHERE metadata ? 'run_id' AND "
        "metadata ->> 'run_id' = ANY(%s) UNION SELECT thread_id FROM checkpoint_writes "
        "WHERE run_id <> '' AND run_id = ANY(%s) ORDER BY 1",
        (list(run_ids), list(run_ids)),
    )
    return [str(r["thread_id"]) for r in rows.fetchall()]


def thread_rows(conn: Conn, thread_id: str) -> list[CheckpointRow]:
    """Every checkpoint of the thread, in every namespace, as planning sees it."""
    rows = conn.execute(
        "SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id, "
        "COALESCE(metadata ->> 'run_id', '') AS run_id FROM checkpoints WHERE thread_id = %s",
        (thread_id,),
    )
    return [
        CheckpointRow(
            r["checkpoint_ns"], r["checkpoint_id"], r["parent_checkpoint_id"], r["run_id"]
        )
        for r in rows.fetchall()
    ]


def written_by(conn: Conn, thread_id: str, run_ids: Sequence[str]) -> set[Key]:
    """The checkpoints of the thread that hold a write made by ``run_ids``."""
    rows = conn.execute(
        "SELECT DISTINCT checkpoint_ns, checkpoint_id FROM checkpoint_writes "
        "WHERE thread_id = %s AND run_id = ANY(%s)",
        (thread_id, list(run_ids)),
    )
    return {(r["checkpoint_ns"], r["checkpoint_id"]) for r in rows.fetchall()}


def count_rows(conn: Conn, removal: Removal, where: str, params: Sequence[Any]) -> None:
    """Add the checkpoints and writes matching ``where`` (and their bytes) to ``removal``."""
    found = conn.execute(
        f"SELECT COUNT(*) AS n, {_SIZE} AS b FROM checkpoints WHERE {where}", params
    )
    row = found.fetchone() or {"n": 0, "b": 0}
    removal.checkpoints += int(row["n"])
    removal.bytes += int(row["b"])
    for table in ("checkpoint_writes", "checkpoint_replaced_writes"):
        found = conn.execute(
            f"SELECT COUNT(*) AS n, COALESCE(SUM(length(blob)), 0) AS b FROM {table} WHERE {where}",
            params,
        )
        row = found.fetchone() or {"n": 0, "b": 0}
        removal.writes += int(row["n"])
        removal.bytes += int(row["b"])


def _remove_checkpoints(
    conn: Conn, removal: Removal, thread_id: str, namespace: str, ids: list[str]
) -> None:
    where = "thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = ANY(%s)"
    params = (thread_id, namespace, ids)
    count_rows(conn, removal, where, params)
    if removal.dry_run:
        return
    for table in ("checkpoint_writes", "checkpoint_replaced_writes"):
        conn.execute(f"DELETE FROM {table} WHERE {where}", params)
    freed = conn.execute(
        f"WITH gone AS (DELETE FROM checkpoints WHERE {where} "
        "RETURNING checkpoint -> 'channel_versions' AS versions) "
        "SELECT DISTINCT v.key AS channel, v.value AS version FROM gone "
        "CROSS JOIN LATERAL jsonb_each_text(gone.versions) AS v",
        params,
    ).fetchall()
    if not freed:
        return
    used = conn.execute(
        "SELECT DISTINCT v.key AS channel, v.value AS version FROM checkpoints c "
        "CROSS JOIN LATERAL jsonb_each_text(c.checkpoint -> 'channel_versions') AS v "
        "WHERE c.thread_id = %s AND c.checkpoint_ns = %s",
        (thread_id, namespace),
    ).fetchall()
    kept = {(r["channel"], r["version"]) for r in used}
    garbage = [
        (r["channel"], r["version"]) for r in freed if (r["channel"], r["version"]) not in kept
    ]
    for channel, version in sorted(garbage):
        conn.execute(
            "DELETE FROM checkpoint_blobs WHERE thread_id = %s AND checkpoint_ns = %s "
            "AND channel = %s AND version = %s",
            (thread_id, namespace, channel, version),
        )


def _remove_run_writes(conn: Conn, removal: Removal, thread_id: str, run_ids: list[str]) -> None:
    """The thread's remaining writes by ``run_ids``, then the rows they had replaced back."""
    found = conn.execute(
        "SELECT COUNT(*) AS n, COALESCE(SUM(length(blob)), 0) AS b FROM checkpoint_writes "
        "WHERE thread_id = %s AND run_id = ANY(%s)",
        (thread_id, run_ids),
    ).fetchone() or {"n": 0, "b": 0}
    removal.writes += int(found["n"])
    removal.bytes += int(found["b"])
    if removal.dry_run:
        return
    conn.execute(
        "DELETE FROM checkpoint_writes WHERE thread_id = %s AND run_id = ANY(%s)",
        (thread_id, run_ids),
    )
    columns = (
        "thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, blob, "
        "run_id"
    )
    conn.execute(
        f"INSERT INTO checkpoint_writes ({columns}) SELECT DISTINCT ON (r.thread_id, "
        "r.checkpoint_ns, r.checkpoint_id, r.task_id, r.idx) "
        + ", ".join(f"r.{c.strip()}" for c in columns.split(","))
        + " FROM checkpoint_replaced_writes r WHERE r.thread_id = %s AND r.replaced_by = ANY(%s) "
        "AND EXISTS (SELECT 1 FROM checkpoints c WHERE c.thread_id = r.thread_id AND "
        "c.checkpoint_ns = r.checkpoint_ns AND c.checkpoint_id = r.checkpoint_id) "
        "ORDER BY r.thread_id, r.checkpoint_ns, r.checkpoint_id, r.task_id, r.idx, r.seq "
        "ON CONFLICT (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) DO UPDATE SET "
        "channel = EXCLUDED.channel, type = EXCLUDED.type, blob = EXCLUDED.blob, "
        "task_path = EXCLUDED.task_path, run_id = EXCLUDED.run_id",
        (thread_id, run_ids),
    )
    conn.execute(
        "DELETE FROM checkpoint_replaced_writes WHERE thread_id = %s AND replaced_by = ANY(%s)",
        (thread_id, run_ids),
    )


def _write_snapshots(
    conn: Conn, serde: SerializerProtocol, thread_id: str, key: Key, values: Mapping[str, Any]
) -> None:
    namespace, checkpoint_id = key
    where = "thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s"
    row = conn.execute(
        f"SELECT checkpoint -> 'channel_versions' AS versions FROM checkpoints WHERE {where}",
        (thread_id, namespace, checkpoint_id),
    ).fetchone()
    versions = row["versions"] if row else {}
    for channel, value in values.items():
        conn.execute(
            "INSERT INTO checkpoint_blobs (thread_id, checkpoint_ns, channel, version, type, blob) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (thread_id, checkpoint_ns, channel, "
            "version) DO UPDATE SET type = EXCLUDED.type, blob = EXCLUDED.blob",
            (thread_id, namespace, channel, str(versions[channel]), *serde.dumps_typed(value)),
        )
        conn.execute(
            "UPDATE checkpoints SET checkpoint = jsonb_set(checkpoint, %s, 'true'::jsonb) "
            f"WHERE {where}",
            (["channel_values", channel], thread_id, namespace, checkpoint_id),
        )


def carry_out(
    conn: Conn,
    thread_id: str,
    plan: Plan,
    snapshots: Mapping[Key, Mapping[str, Any]],
    run_ids: Sequence[str],
    removal: Removal,
    serde: SerializerProtocol,
) -> None:
    """Remove what ``plan`` dooms (and ``run_ids``' other writes), in one transaction."""
    with conn.transaction():
        if (fence := fence_on(thread_id, "postgres")) is not None:
            check_fence(conn, fence)
        by_ns: dict[str, list[str]] = {}
        for namespace, checkpoint_id in plan.doomed:
            by_ns.setdefault(namespace, []).append(checkpoint_id)
        for namespace, ids in sorted(by_ns.items()):
            _remove_checkpoints(conn, removal, thread_id, namespace, ids)
        if run_ids:
            _remove_run_writes(conn, removal, thread_id, list(run_ids))
        removal.materialised += sum(1 for found in snapshots.values() if found)
        if removal.dry_run:
            return
        for (namespace, checkpoint_id), parent in plan.reparent.items():
            conn.execute(
                "UPDATE checkpoints SET parent_checkpoint_id = %s WHERE thread_id = %s AND "
                "checkpoint_ns = %s AND checkpoint_id = %s",
                (parent, thread_id, namespace, checkpoint_id),
            )
        for key, values in snapshots.items():
            if values:
                _write_snapshots(conn, serde, thread_id, key, values)
