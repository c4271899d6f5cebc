"""Baton's additions to the stock PostgreSQL checkpoint tables, as versioned migrations.

The same two things as on SQLite (``persistence.sqlite.schema``): ``checkpoint_writes.run_id``
(the run that made each write, empty for writes made outside a run) and
``checkpoint_replaced_writes`` (the row a run's special-channel write replaced, so that
deleting the run can put it back); plus indexes that find a run's rows without a scan.
"""

from __future__ import annotations

from persistence.migrations import Migration

CHECKPOINT_MIGRATIONS = (
    Migration(
        1,
        "run ids on writes, the writes a run replaced, and indexes by run",
        statements=(
            "ALTER TABLE checkpoint_writes ADD COLUMN IF NOT EXISTS run_id TEXT NOT NULL "
            "DEFAULT ''",
            "CREATE TABLE IF NOT EXISTS checkpoint_replaced_writes (thread_id TEXT NOT NULL, "
            "checkpoint_ns TEXT NOT NULL DEFAULT '', checkpoint_id TEXT NOT NULL, "
            "task_id TEXT NOT NULL, task_path TEXT NOT NULL DEFAULT '', idx INTEGER NOT NULL, "
            "channel TEXT NOT NULL, type TEXT, blob BYTEA NOT NULL, "
            "run_id TEXT NOT NULL DEFAULT '', replaced_by TEXT NOT NULL, "
            "seq BIGSERIAL NOT NULL, PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, "
            "task_id, idx, replaced_by))",
            "CREATE INDEX IF NOT EXISTS checkpoint_writes_run_idx ON checkpoint_writes "
            "(run_id) WHERE run_id <> ''",
            "CREATE INDEX IF NOT EXISTS checkpoints_run_idx ON checkpoints "
            "((metadata ->> 'run_id')) WHERE metadata ? 'run_id'",
        ),
    ),
)
"""The ``checkpoints`` store's schema on PostgreSQL, after the stock saver's own tables."""
