"""What ``baton threads`` needs from PostgreSQL: each thread's latest checkpoint and writes.

The same facts as on SQLite (``persistence.sqlite.thread_summaries``), read from the
tables of ``langgraph-checkpoint-postgres`` as Baton's savers write them
(``persistence.postgres.rows``), in one statement for every thread, on one short-lived
connection, without LangGraph:

- ``checkpoints.checkpoint`` is JSON holding the primitive channel values inline
  (``status``, ``request``, ``turn``, ``final_answer``), so they are read as they are;
- every other value is a row of ``checkpoint_blobs`` keyed by its channel and the version
  the checkpoint's ``channel_versions`` names; the only one the status needs is ``turns``
  (a list of turn records, stored as msgpack by the serializer), joined in and decoded
  with ``ormsgpack`` like the SQLite checkpoint document, extension types to their
  arguments (``persistence.thread_summaries.decoded``);
- ``checkpoint_writes`` holds the ``__interrupt__`` and ``__error__`` writes; an interrupt
  whose task ran a subgraph (a namespace ending in ``:<task id>``) waits only if that
  namespace's latest checkpoint has an interrupt write too.

The statement runs in one snapshot of the database, so a run writing meanwhile is seen
either before or after its commit, never half.
"""

from __future__ import annotations

from typing import Any

import psycopg

from persistence.database import PostgresDatabase
from persistence.postgres.lookups import connected
from persistence.thread_summaries import ThreadFacts, decoded

_LATEST = """
WITH latest AS (
    SELECT DISTINCT ON (thread_id) thread_id, checkpoint_id, checkpoint, metadata
    FROM checkpoints WHERE checkpoint_ns = ''
    ORDER BY thread_id, checkpoint_id DESC
),
interrupted AS (
    SELECT DISTINCT w.thread_id, w.task_id FROM checkpoint_writes w
    JOIN latest l ON w.thread_id = l.thread_id AND w.checkpoint_id = l.checkpoint_id
    WHERE w.checkpoint_ns = '' AND w.channel = '__interrupt__'
),
waiting AS (
    SELECT DISTINCT i.thread_id FROM interrupted i
    LEFT JOIN LATERAL (
        SELECT n.checkpoint_ns FROM checkpoints n
        WHERE n.thread_id = i.thread_id AND n.checkpoint_ns LIKE '%:' || i.task_id LIMIT 1
    ) sub ON true
    LEFT JOIN LATERAL (
        SELECT s.checkpoint_id FROM checkpoints s
        WHERE s.thread_id = i.thread_id AND s.checkpoint_ns = sub.checkpoint_ns
        ORDER BY s.checkpoint_id DESC LIMIT 1
    ) sub_latest ON true
    WHERE sub.checkpoint_ns IS NULL OR EXISTS (
        SELECT 1 FROM checkpoint_writes sw
        WHERE sw.thread_id = i.thread_id AND sw.checkpoint_ns = sub.checkpoint_ns
        AND sw.checkpoint_id = sub_latest.checkpoint_id AND sw.channel = '__interrupt__'
    )
)
SELECT l.thread_id,
    l.checkpoint -> 'channel_values' AS channel_values,
    l.checkpoint ->> 'ts' AS ts,
    l.metadata ->> 'source' AS source,
    b.type AS turns_type,
    b.blob AS turns_blob,
    l.thread_id IN (SELECT thread_id FROM waiting) AS waiting,
    EXISTS (
        SELECT 1 FROM checkpoint_writes e
        WHERE e.thread_id = l.thread_id AND e.checkpoint_ns = ''
        AND e.checkpoint_id = l.checkpoint_id AND e.channel = '__error__'
    ) AS raised
FROM latest l
LEFT JOIN checkpoint_blobs b ON b.thread_id = l.thread_id AND b.checkpoint_ns = ''
    AND b.channel = 'turns' AND b.version = l.checkpoint -> 'channel_versions' ->> 'turns'
ORDER BY l.checkpoint_id DESC
"""
"""Each thread's latest top-level checkpoint, its ``turns`` blob and its pending writes."""


def _facts(row: dict[str, Any]) -> ThreadFacts:
    values = dict(row["channel_values"] or {})
    if row["turns_blob"] is not None:
        values["turns"] = decoded(row["turns_type"], bytes(row["turns_blob"]))
    return ThreadFacts(
        thread_id=str(row["thread_id"]),
        values=values,
        updated_at=row["ts"],
        source=row["source"],
        waiting=bool(row["waiting"]),
        raised=bool(row["raised"]),
    )


def thread_facts(database: PostgresDatabase) -> list[ThreadFacts]:
    """Every thread with a top-level checkpoint, most recently updated first."""
    with connected(database) as conn:
        try:
            rows = conn.execute(_LATEST).fetchall()
        except psycopg.errors.UndefinedTable:
            return []
    return [_facts(row) for row in rows]
