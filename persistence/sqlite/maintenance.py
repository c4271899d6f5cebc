"""Upkeep of the checkpoint tables: prune, delete, copy a thread, vacuum.

What the library lacked: ``BaseCheckpointSaver`` names ``prune``, ``copy_thread`` and
``delete_for_runs``, and the SQLite saver implements none of them. These functions work on
the stock tables with plain SQL, each in one transaction, and each can be a dry run that
only counts what it would remove.

Pruning is conservative so that a waiting thread always resumes and its latest state
always reads: only top-level (``checkpoint_ns = ''``) history is pruned; the latest
checkpoints and all their pending writes stay; a subgraph namespace is removed only when
the parent task that ran it belongs to a pruned checkpoint, so a subgraph's history (a
worker's messages are a ``DeltaChannel``, rebuilt by replaying its writes since the last
snapshot) is kept or removed whole, never cut; and a thread whose kept top-level
checkpoints use a ``DeltaChannel`` is left alone. Deleting by run never cuts a history a
later run continued from.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_SIZE = "COALESCE(LENGTH(checkpoint), 0) + COALESCE(LENGTH(metadata), 0)"


@dataclass
class Removal:
    """What an upkeep call removed (or, in a dry run, would remove)."""

    thread_ids: list[str] = field(default_factory=list)
    checkpoints: int = 0
    writes: int = 0
    bytes: int = 0
    dry_run: bool = False
    skipped: list[str] = field(default_factory=list)


def add_run_tables(conn: sqlite3.Connection) -> None:
    """``writes.run_id`` and ``replaced_writes`` (see ``persistence.sqlite.rows``); idempotent."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(writes)")}
    with conn:
        if "run_id" not in columns:
            conn.execute("ALTER TABLE writes ADD COLUMN run_id TEXT NOT NULL DEFAULT ''")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS replaced_writes (thread_id TEXT NOT NULL, "
            "checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, "
            "task_id TEXT NOT NULL, task_path TEXT NOT NULL DEFAULT '', idx INTEGER NOT NULL, "
            "channel TEXT NOT NULL, type TEXT, value BLOB, run_id TEXT NOT NULL DEFAULT '', "
            "replaced_by TEXT NOT NULL)"
        )
        conn.execute(
            "CREATE INDEX IF NOT EXISTS replaced_writes_by_run "
            "ON replaced_writes (thread_id, replaced_by)"
        )


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


def _root_task(namespace: str) -> str:
    """The task id of a namespace's outermost segment (``node:task|node:task``)."""
    return namespace.split("|", 1)[0].partition(":")[2]


def _uses_delta(conn: sqlite3.Connection, thread_id: str, checkpoint_ids: Iterable[str]) -> bool:
    ids = list(checkpoint_ids)
    row = conn.execute(
        f"SELECT 1 FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id "
        f"IN ({_marks(len(ids))}) AND json_extract(CAST(metadata AS TEXT), "
        "'$.counters_since_delta_snapshot') IS NOT NULL LIMIT 1",
        (thread_id, *ids),
    ).fetchone()
    return row is not None


def all_threads(conn: sqlite3.Connection) -> list[str]:
    """Every thread with a top-level checkpoint."""
    rows = conn.execute("SELECT DISTINCT thread_id FROM checkpoints WHERE checkpoint_ns = ''")
    return sorted(str(r[0]) for r in rows)


def prune_history(
    conn: sqlite3.Connection, keep_latest: int, thread_ids: Sequence[str] | None, dry_run: bool
) -> Removal:
    """Keep each thread's latest ``keep_latest`` top-level checkpoints; drop older history."""
    if keep_latest < 1:
        raise ValueError("keep_latest must be at least 1")
    removal = Removal(dry_run=dry_run)
    with conn:
        for thread_id in thread_ids if thread_ids is not None else all_threads(conn):
            ids = [
                str(r[0])
                for r in conn.execute(
                    "SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND "
                    "checkpoint_ns = '' ORDER BY checkpoint_id DESC",
                    (thread_id,),
                )
            ]
            kept, pruned = ids[:keep_latest], ids[keep_latest:]
            if not pruned:
                continue
            if _uses_delta(conn, thread_id, kept):
                removal.skipped.append(thread_id)
                continue
            removal.thread_ids.append(thread_id)
            _prune_thread(conn, removal, thread_id, pruned)
    return removal


def _prune_thread(
    conn: sqlite3.Connection, removal: Removal, thread_id: str, pruned: list[str]
) -> None:
    marks = _marks(len(pruned))
    tasks = {
        str(r[0])
        for r in conn.execute(
            f"SELECT DISTINCT task_id FROM writes WHERE thread_id = ? AND checkpoint_ns = '' "
            f"AND checkpoint_id IN ({marks})",
            (thread_id, *pruned),
        )
    }
    namespaces = [
        str(r[0])
        for r in conn.execute(
            "SELECT DISTINCT checkpoint_ns FROM checkpoints WHERE thread_id = ? AND "
            "checkpoint_ns != '' UNION SELECT DISTINCT checkpoint_ns FROM writes WHERE "
            "thread_id = ? AND checkpoint_ns != ''",
            (thread_id, thread_id),
        )
    ]
    finished_children = [ns for ns in namespaces if _root_task(ns) in tasks]
    where = f"thread_id = ? AND checkpoint_ns = '' AND checkpoint_id IN ({marks})"
    _remove(conn, removal, where, (thread_id, *pruned))
    for namespace in finished_children:
        _remove(conn, removal, "thread_id = ? AND checkpoint_ns = ?", (thread_id, namespace))


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
            before = removal.checkpoints + removal.writes
            _remove(conn, removal, "thread_id = ?", (thread_id,))
            if removal.checkpoints + removal.writes > before:
                removal.thread_ids.append(thread_id)
    return removal


def delete_for_runs(
    conn: sqlite3.Connection,
    run_ids: Sequence[str],
    dry_run: bool,
    *,
    thread_ids: Sequence[str] | None = None,
) -> Removal:
    """Remove the listed runs: their checkpoints, and what they wrote to the ones that stay.

    Checkpoints go by their metadata ``run_id``, with every write they hold; writes those
    runs made against checkpoints that stay go by ``writes.run_id``. That second part is
    what makes this an undo: a resumed run records its first step (the resume value, the
    tasks it finished) as writes against the checkpoint it continued from, and left there
    they would replay on the next resume. A thread is left alone (listed in ``skipped``)
    when a checkpoint that stays has one of the removed ones as its parent: a later run
    continued from them, and removing them would cut its history (and the replayed
    ``DeltaChannel`` state, such as a worker's messages, rebuilt from it).
    """
    removal = Removal(dry_run=dry_run)
    if not run_ids:
        return removal
    runs = tuple(run_ids)
    rows = conn.execute(
        "SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints WHERE json_extract("
        f"CAST(metadata AS TEXT), '$.run_id') IN ({_marks(len(runs))})",
        runs,
    ).fetchall()
    doomed: dict[str, set[tuple[str, str]]] = {}
    for thread_id, namespace, checkpoint_id in rows:
        doomed.setdefault(str(thread_id), set()).add((str(namespace), str(checkpoint_id)))
    writers = conn.execute(
        f"SELECT DISTINCT thread_id FROM writes WHERE run_id IN ({_marks(len(runs))})", runs
    )
    for (thread_id,) in writers.fetchall():
        doomed.setdefault(str(thread_id), set())
    if thread_ids is not None:
        wanted = set(thread_ids)
        doomed = {t: found for t, found in doomed.items() if t in wanted}
    with conn:
        for thread_id, checkpoints in sorted(doomed.items()):
            if continued_from(conn, thread_id, checkpoints, runs):
                removal.skipped.append(thread_id)
                continue
            for namespace, checkpoint_id in sorted(checkpoints):
                where = "thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ?"
                _remove(conn, removal, where, (thread_id, namespace, checkpoint_id))
            _remove_writes(conn, removal, thread_id, runs, sorted(checkpoints))
            removal.thread_ids.append(thread_id)
    return removal


def _remove_writes(
    conn: sqlite3.Connection,
    removal: Removal,
    thread_id: str,
    run_ids: tuple[str, ...],
    counted: list[tuple[str, str]],
) -> None:
    """Count, and unless dry-running delete, the thread's writes made by ``run_ids``.

    Writes on the ``counted`` checkpoints (namespace, id) were already counted with them.
    """
    where = f"thread_id = ? AND run_id IN ({_marks(len(run_ids))})"
    params: tuple[str, ...] = (thread_id, *run_ids)
    if counted:
        pairs = ", ".join(["(?, ?)"] * len(counted))
        where += f" AND (checkpoint_ns, checkpoint_id) NOT IN (VALUES {pairs})"
        params += tuple(part for pair in counted for part in pair)
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


def continued_from(
    conn: sqlite3.Connection,
    thread_id: str,
    checkpoints: set[tuple[str, str]],
    run_ids: Sequence[str],
) -> bool:
    """Whether another run went on from ``checkpoints`` (namespace, id) of ``run_ids``.

    It did if a checkpoint outside them has its parent inside them, or if a write on one
    of them was made by a run not in ``run_ids`` (a later run that had not yet made a
    checkpoint when it stopped).
    """
    children = conn.execute(
        "SELECT checkpoint_ns, checkpoint_id, parent_checkpoint_id FROM checkpoints "
        "WHERE thread_id = ? AND parent_checkpoint_id IS NOT NULL",
        (thread_id,),
    )
    if any(
        (ns, parent) in checkpoints and (ns, child) not in checkpoints
        for ns, child, parent in children
    ):
        return True
    others = conn.execute(
        "SELECT DISTINCT checkpoint_ns, checkpoint_id FROM writes WHERE thread_id = ? "
        f"AND run_id NOT IN ({_marks(len(run_ids))})",
        (thread_id, *run_ids),
    )
    return any((str(ns), str(cid)) in checkpoints for ns, cid in others)


def run_checkpoints(
    conn: sqlite3.Connection, thread_id: str, run_ids: Sequence[str]
) -> set[tuple[str, str]]:
    """The (namespace, id) of every checkpoint of the thread that ``run_ids`` made."""
    rows = conn.execute(
        "SELECT checkpoint_ns, checkpoint_id FROM checkpoints WHERE thread_id = ? AND "
        f"json_extract(CAST(metadata AS TEXT), '$.run_id') IN ({_marks(len(run_ids))})",
        (thread_id, *run_ids),
    )
    return {(str(ns), str(cid)) for ns, cid in rows}


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
