"""Baton's additions to the stock SQLite checkpoint tables, as versioned migrations.

``writes.run_id`` is the run that made each write (empty for writes made outside a
run), so deleting a run also takes back what it wrote against a checkpoint that stays;
``replaced_writes`` keeps the row a run's special-channel write replaced, so that deleting
the run can put it back (see ``persistence.sqlite.rows``).
"""

from __future__ import annotations

import sqlite3

from persistence.migrations import Migration


def _run_ids_on_writes(conn: sqlite3.Connection) -> None:
    # Baton added this column before it recorded migrations: look first.
    columns = {row[1] for row in conn.execute("PRAGMA table_info(writes)")}
    if "run_id" not in columns:
        conn.execute("ALTER TABLE writes ADD COLUMN run_id TEXT NOT NULL DEFAULT ''")


CHECKPOINT_MIGRATIONS = (
    Migration(
        1,
        "run ids on writes, and the writes a run replaced",
        statements=(
            "CREATE TABLE IF NOT EXISTS replaced_writes (thread_id TEXT NOT NULL, "
            "checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, "
            "task_id TEXT NOT NULL, task_path TEXT NOT NULL DEFAULT '', idx INTEGER NOT NULL, "
            "channel TEXT NOT NULL, type TEXT, value BLOB, run_id TEXT NOT NULL DEFAULT '', "
            "replaced_by TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS replaced_writes_by_run "
            "ON replaced_writes (thread_id, replaced_by)",
        ),
        run=_run_ids_on_writes,
    ),
)
"""The ``checkpoints`` store's schema on SQLite, after the stock saver's own tables."""
