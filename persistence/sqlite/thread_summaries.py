"""What ``baton threads`` needs from ``baton.db``: each thread's latest checkpoint and writes.

The stock SQLite saver keeps each checkpoint as one msgpack document, so the latest
top-level checkpoint of a thread gives its channel values whole; its pending writes say
whether it waits or raised (the rule is ``persistence.thread_summaries``'s). The file is
opened read-only (``persistence.sqlite.files.open_readonly``): nothing is created or checkpointed.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from persistence.thread_summaries import ERROR, INTERRUPT, ThreadFacts, decoded


def _latest(conn: sqlite3.Connection, thread_id: str, namespace: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT checkpoint_id, type, checkpoint, metadata FROM checkpoints"
        " WHERE thread_id = ? AND checkpoint_ns = ? ORDER BY checkpoint_id DESC LIMIT 1",
        (thread_id, namespace),
    ).fetchone()
    return row


def _interrupt_tasks(
    conn: sqlite3.Connection, thread_id: str, namespace: str, checkpoint_id: str
) -> list[str]:
    rows = conn.execute(
        "SELECT DISTINCT task_id FROM writes WHERE thread_id = ? AND checkpoint_ns = ?"
        " AND checkpoint_id = ? AND channel = ?",
        (thread_id, namespace, checkpoint_id, INTERRUPT),
    ).fetchall()
    return [str(r[0]) for r in rows]


def _waiting(conn: sqlite3.Connection, thread_id: str, checkpoint_id: str) -> bool:
    """Some interrupt of the latest checkpoint still waits for an answer."""
    for task_id in _interrupt_tasks(conn, thread_id, "", checkpoint_id):
        namespace = conn.execute(
            "SELECT checkpoint_ns FROM checkpoints WHERE thread_id = ? AND checkpoint_ns LIKE ?"
            " LIMIT 1",
            (thread_id, f"%:{task_id}"),
        ).fetchone()
        if namespace is None:
            return True  # raised by a node of the parent graph itself
        sub = _latest(conn, thread_id, str(namespace[0]))
        if sub is not None and _interrupt_tasks(conn, thread_id, str(namespace[0]), sub[0]):
            return True
    return False


def _raised(conn: sqlite3.Connection, thread_id: str, checkpoint_id: str) -> bool:
    """A node of the latest checkpoint's step raised: the run stopped there."""
    row = conn.execute(
        "SELECT 1 FROM writes WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id = ?"
        " AND channel = ? LIMIT 1",
        (thread_id, checkpoint_id, ERROR),
    ).fetchone()
    return row is not None


def _facts(conn: sqlite3.Connection, thread_id: str) -> ThreadFacts:
    latest = _latest(conn, thread_id, "")
    assert latest is not None  # listed because it has a top-level checkpoint
    checkpoint = decoded(str(latest[1]), latest[2]) or {}
    metadata = json.loads(latest[3] or b"{}") if latest[3] else {}
    return ThreadFacts(
        thread_id=thread_id,
        values=checkpoint.get("channel_values") or {},
        updated_at=checkpoint.get("ts"),
        source=metadata.get("source"),
        waiting=_waiting(conn, thread_id, str(latest[0])),
        raised=_raised(conn, thread_id, str(latest[0])),
    )


def thread_facts(db_path: Path) -> list[ThreadFacts]:
    """Every thread with a top-level checkpoint, most recently updated first."""
    from persistence.sqlite.files import open_readonly

    if not db_path.is_file():
        return []
    with closing(open_readonly(db_path)) as conn:
        try:
            ids = conn.execute(
                "SELECT thread_id, MAX(checkpoint_id) AS latest FROM checkpoints "
                "WHERE checkpoint_ns = '' GROUP BY thread_id ORDER BY latest DESC"
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []
            raise
        return [_facts(conn, str(row[0])) for row in ids]
