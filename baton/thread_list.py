"""``baton threads`` without LangGraph: each thread's status read straight from ``baton.db``.

Importing LangGraph and building the graph costs a second or more, which a listing should
not pay. The stock SQLite saver keeps each checkpoint as one msgpack document, so the
latest top-level checkpoint of a thread gives its ``status``, ``request`` and answer, and
its pending ``__interrupt__`` writes say whether it waits. An interrupt raised inside a
worker subgraph is still waiting only if that subgraph's latest checkpoint holds one too
(after a crash the parent can list an interrupt the worker has moved past); this is the
rule ``baton.pending.live_interrupts`` applies to the graph's own snapshot, and a test
holds the two to the same answers. Extension types (messages, Baton's models) decode to
their arguments, never to objects, so nothing is imported or executed.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import ormsgpack

from tools.world_db import open_readonly

TERMINAL = ("done", "unresolved", "failed", "budget_exhausted")
_INTERRUPT = "__interrupt__"
_ERROR = "__error__"


def _ext(code: int, data: bytes) -> Any:
    """Any LangGraph extension type as its constructor arguments (``[module, name, args]``)."""
    parts = ormsgpack.unpackb(data, ext_hook=_ext, option=ormsgpack.OPT_NON_STR_KEYS)
    return parts[2] if isinstance(parts, list) and len(parts) > 2 else None


def _decode(kind: str, blob: bytes | None) -> Any:
    if blob is None or kind != "msgpack":
        return None
    return ormsgpack.unpackb(blob, ext_hook=_ext, option=ormsgpack.OPT_NON_STR_KEYS)


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
        (thread_id, namespace, checkpoint_id, _INTERRUPT),
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
        (thread_id, checkpoint_id, _ERROR),
    ).fetchone()
    return row is not None


def _answered(values: dict[str, Any]) -> bool:
    """The turn's last node has run: its record is kept (the answer alone for older threads)."""
    if "turn" not in values:  # a thread from before conversations: finish wrote the answer
        return bool(values.get("final_answer"))
    turns = values.get("turns") or []
    last = turns[-1] if turns and isinstance(turns[-1], dict) else {}
    return bool(last.get("turn") == values.get("turn"))


def _summary(conn: sqlite3.Connection, thread_id: str) -> dict[str, Any]:
    latest = _latest(conn, thread_id, "")
    assert latest is not None  # listed because it has a top-level checkpoint
    checkpoint = _decode(str(latest[1]), latest[2]) or {}
    values = checkpoint.get("channel_values") or {}
    metadata = json.loads(latest[3] or b"{}") if latest[3] else {}
    status = values.get("status")
    if _waiting(conn, thread_id, str(latest[0])):
        shown = "waiting"
    elif _raised(conn, thread_id, str(latest[0])):
        shown = "failed"  # a node raised (the model server could not be used): resumable
    elif status in TERMINAL and _answered(values) and metadata.get("source") != "input":
        shown = str(status)
    else:
        shown = "running"
    request = values.get("request")
    return {
        "thread_id": thread_id,
        "status": shown,
        "request": request if isinstance(request, str) else "",
        "updated_at": checkpoint.get("ts"),
    }


def list_threads(db_path: Path) -> list[dict[str, Any]]:
    """Every thread, most recently updated first: id, status, request, last update."""
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
        return [_summary(conn, str(row[0])) for row in ids]
