"""Reading a saver's tables directly in tests, on either engine.

Tables are named as on SQLite (``checkpoints``, ``writes``, ``replaced_writes``); on
PostgreSQL the same rows live in ``checkpoints``, ``checkpoint_writes`` and
``checkpoint_replaced_writes``.
"""

from __future__ import annotations

from typing import Any

from persistence.sqlite.saver import BatonSaver

_POSTGRES = {
    "checkpoints": "checkpoints",
    "writes": "checkpoint_writes",
    "replaced_writes": "checkpoint_replaced_writes",
}


def rows(saver: Any, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run ``sql`` (``?`` placeholders, SQLite table names) on the saver's database."""
    from persistence.sqlite.saver_async import BatonAsyncSaver

    if isinstance(saver, BatonAsyncSaver):
        saver = saver.sync
    if isinstance(saver, BatonSaver):
        with saver.lock:
            return list(saver.conn.execute(sql, params).fetchall())
    for name in ("replaced_writes", "writes"):
        sql = sql.replace(f" {name}", f" {_POSTGRES[name]}")
    sql = sql.replace("?", "%s")
    from persistence.postgres.saver_async import BatonAsyncPostgresSaver

    pool = saver.sync.pool if isinstance(saver, BatonAsyncPostgresSaver) else saver.pool
    with pool.connection() as conn:
        return [tuple(r.values()) for r in conn.execute(sql, params).fetchall()]


def count(saver: Any, table: str, thread: str | None = None) -> int:
    """Rows of ``table`` (of ``thread``, if given)."""
    where = " WHERE thread_id = ?" if thread is not None else ""
    params = (thread,) if thread is not None else ()
    return int(rows(saver, f"SELECT COUNT(*) FROM {table}{where}", *params)[0][0])
