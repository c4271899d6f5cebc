"""The rows Baton's savers insert: the stock SQL schema, built once per call.

``langgraph-checkpoint-sqlite`` builds and commits these rows inside each ``put`` and
``put_writes``; Baton builds them first, so that the group commit in
``persistence.sqlite.saver`` and ``persistence.sqlite.saver_async`` can insert many calls'
rows in one transaction. Same tables and columns, plus two things ``BatonSaver.setup`` adds:
``writes.run_id`` (empty by default), the run that made each write, so deleting a run also
takes back what it wrote against the checkpoint it continued from; and ``replaced_writes``,
the rows a run's special-channel write replaced, so that deleting the run can put them back.
The stock savers name their columns, so they read and write a Baton database as before.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    Checkpoint,
    CheckpointMetadata,
    get_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from persistence.checkpoint_config import run_id_of
from persistence.leases import Fence, FencedOut, current_fence
from persistence.sqlite.leases import fence_refused

Statement = tuple[str, list[tuple[Any, ...]]]
"""One SQL statement and the parameter rows to run it with (``executemany``)."""

MAX_VARIABLES = 999
"""Parameters per statement: the cap of the oldest SQLite builds (newer ones allow 32766)."""

INSERT_CHECKPOINT = (
    "INSERT OR REPLACE INTO checkpoints (thread_id, checkpoint_ns, checkpoint_id, "
    "parent_checkpoint_id, type, checkpoint, metadata) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_WRITES_COLUMNS = (
    "INTO writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, "
    "type, value, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def checkpoint_statement(
    serde: SerializerProtocol,
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
) -> Statement:
    """The insert of one checkpoint, serialized the way the stock saver does it."""
    configurable = config["configurable"]
    type_, blob = serde.dumps_typed(checkpoint)
    meta = json.dumps(get_checkpoint_metadata(config, metadata), ensure_ascii=False)
    row = (
        str(configurable["thread_id"]),
        configurable["checkpoint_ns"],
        checkpoint["id"],
        configurable.get("checkpoint_id"),
        type_,
        blob,
        meta.encode("utf-8", "ignore"),
    )
    return INSERT_CHECKPOINT, [row]


SAVE_REPLACED = (
    "INSERT INTO replaced_writes (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, "
    "idx, channel, type, value, run_id, replaced_by) SELECT thread_id, checkpoint_ns, "
    "checkpoint_id, task_id, task_path, idx, channel, type, value, run_id, ? FROM writes "
    "WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id = ? AND task_id = ? AND idx = ? "
    "AND run_id != ?"
)
"""Keep the row a special-channel write is about to replace, if another run made it."""


def writes_statements(
    serde: SerializerProtocol,
    config: RunnableConfig,
    writes: Sequence[tuple[str, Any]],
    task_id: str,
    task_path: str,
) -> list[Statement]:
    """The insert of one task's writes (special channels replace, others keep the first).

    A replacing write made by a run first keeps the row it replaces in ``replaced_writes``
    when another run made it (a resumed run's interrupt replaces the one it answered), so
    that deleting the later run can put the earlier row back.
    """
    configurable = config["configurable"]
    verb = "REPLACE" if all(w[0] in WRITES_IDX_MAP for w in writes) else "IGNORE"
    run_id = run_id_of(config)
    rows = [
        (
            str(configurable["thread_id"]),
            str(configurable["checkpoint_ns"]),
            str(configurable["checkpoint_id"]),
            task_id,
            task_path,
            WRITES_IDX_MAP.get(channel, idx),
            channel,
            *serde.dumps_typed(value),
            run_id,
        )
        for idx, (channel, value) in enumerate(writes)
    ]
    insert = (f"INSERT OR {verb} {_WRITES_COLUMNS}", rows)
    if verb == "IGNORE" or not run_id:
        return [insert]
    keys = [(run_id, *row[:4], row[5], run_id) for row in rows]
    return [(SAVE_REPLACED, keys), insert]


def merged(statements: Sequence[Statement]) -> list[Statement]:
    """The same inserts in as few ``executemany`` calls as possible.

    Checkpoint rows all go in one call (the table's key is unique per checkpoint, and the
    order of puts does not matter across keys). Writes keep their order; consecutive
    statements with the same verb share a call, so a replaced write still lands after the
    write it replaces.
    """
    checkpoints: list[tuple[Any, ...]] = []
    writes: list[Statement] = []
    for sql, rows in statements:
        if sql == INSERT_CHECKPOINT:
            checkpoints.extend(rows)
        elif writes and writes[-1][0] == sql:
            writes[-1][1].extend(rows)
        else:
            writes.append((sql, list(rows)))
    return ([(INSERT_CHECKPOINT, checkpoints)] if checkpoints else []) + writes


def multi_row(statements: Sequence[Statement]) -> list[tuple[str, list[Any]]]:
    """Each statement as ``INSERT ... VALUES (...), (...)``, as many rows as fit.

    Python's ``sqlite3`` releases the GIL around every step of every row, and a thread that
    gives it back must wait to get it again while another thread runs Python (up to the
    interpreter's 5 ms switch interval each time). Beside an event loop kept busy for half
    a second, a 400-row ``executemany`` on aiosqlite's thread took 491 ms (1.1 ms beside an
    idle loop): it could only finish once the loop went idle. A multi-row insert steps once.
    Rows keep their order within a statement, so ``OR REPLACE``/``OR IGNORE`` resolve as
    row-by-row inserts would.
    """
    out: list[tuple[str, list[Any]]] = []
    for sql, rows in statements:
        head, _, placeholders = sql.partition(" VALUES ")
        if not placeholders:  # not a VALUES insert: one execution per row
            out.extend((sql, list(row)) for row in rows)
            continue
        per_insert = max(1, MAX_VARIABLES // placeholders.count("?"))
        for start in range(0, len(rows), per_insert):
            chunk = rows[start : start + per_insert]
            values = ", ".join([placeholders] * len(chunk))
            out.append((f"{head} VALUES {values}", [v for row in chunk for v in row]))
    return out


@dataclass
class Waiter:
    """One caller's statements, and what became of them.

    ``fence`` is the lease the caller's run writes under (``persistence.leases``), taken
    from the caller's context when the waiter is made: its rows land only if that lease
    still holds, checked in the transaction that commits them.
    """

    statements: list[Statement]
    done: bool = False
    error: BaseException | None = field(default=None)
    fence: Fence | None = field(default_factory=lambda: sqlite_fence(current_fence.get()))


def sqlite_fence(fence: Fence | None) -> Fence | None:
    """``fence`` if its lease lives in SQLite (where these rows go), else None."""
    return fence if fence is not None and fence.engine == "sqlite" else None


def commit_waiters(conn: sqlite3.Connection, batch: Sequence[Waiter]) -> None:
    """Insert every waiter's rows in one transaction and commit once; mark them done.

    A waiter whose fence was taken over gets ``FencedOut`` and its rows are left out; the
    others land. On any other failure the transaction is rolled back and every waiter
    carries the error: a batch lands whole or not at all.
    """
    refused: dict[Fence, FencedOut] = {}
    try:
        for fence in {waiter.fence for waiter in batch if waiter.fence is not None}:
            if (error := fence_refused(conn, fence)) is not None:
                refused[fence] = error
        landing = [waiter for waiter in batch if waiter.fence not in refused]
        statements = merged([st for waiter in landing for st in waiter.statements])
        for sql, params in multi_row(statements):
            conn.execute(sql, params)
        conn.commit()
    except BaseException as exc:
        conn.rollback()
        refused = {}
        for waiter in batch:
            waiter.error = exc
    for waiter in batch:
        if waiter.fence in refused:
            waiter.error = refused[waiter.fence]
        waiter.done = True


def is_busy(error: BaseException | None) -> bool:
    """Whether ``error`` is SQLite saying another connection holds the lock."""
    code = getattr(error, "sqlite_errorcode", None)
    return (
        isinstance(error, sqlite3.OperationalError)
        and code is not None
        and code & 0xFF
        in (
            sqlite3.SQLITE_BUSY,
            sqlite3.SQLITE_LOCKED,
        )
    )
