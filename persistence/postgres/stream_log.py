"""The stream event log in PostgreSQL (``stream_events``): any replica reads any run's events.

A run streaming on one replica appends here; a client connected to another replica reads
the same rows (``read`` after the last id it has), so catching up and replaying work from
every replica.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from persistence.leases import Fence
from persistence.migrations import Migration
from persistence.postgres.leases import CHECK_FENCE, fence_refused
from persistence.postgres.store_conn import PgStoreConnection
from persistence.stream_log import StreamEvent

MIGRATIONS = (
    Migration(
        1,
        "the stream event log",
        statements=(
            """CREATE TABLE IF NOT EXISTS stream_events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (run_id, seq)
)""",
        ),
    ),
)
"""The store's versioned schema on PostgreSQL."""


class PostgresStreamLog:
    """``persistence.stream_log.StreamLog`` on PostgreSQL."""

    def __init__(self, db: PgStoreConnection) -> None:
        self.db = db
        db.migrate("stream_events", MIGRATIONS)

    def append(
        self, events: Sequence[StreamEvent], fences: Mapping[str, Fence] | None = None
    ) -> set[str]:
        """Store events (any runs), all or none; the runs whose fence was taken over."""
        if not events:
            return set()
        with self.db.write() as conn, conn.cursor() as cur:
            refused = set()
            for run_id, fence in (fences or {}).items():
                if fence.engine != "postgres":
                    continue
                row = cur.execute(CHECK_FENCE, (fence.thread_id,)).fetchone()
                if fence_refused(fence, row) is not None:
                    refused.add(run_id)
            rows = [(e.run_id, e.seq, e.event, e.data) for e in events if e.run_id not in refused]
            if rows:
                cur.executemany(
                    "INSERT INTO stream_events (run_id, seq, event, data) VALUES (%s, %s, %s, %s)",
                    rows,
                )
        return refused

    def read(self, run_id: str, after: int, upto: int | None = None) -> list[StreamEvent]:
        """The run's events with ``after < seq <= upto``, in order."""
        rows = self.db.read(
            "SELECT seq, event, data FROM stream_events WHERE run_id = %s AND seq > %s "
            "AND seq <= %s ORDER BY seq",
            (run_id, after, upto if upto is not None else 2**31 - 1),
        )
        return [StreamEvent(run_id, row["seq"], row["event"], bytes(row["data"])) for row in rows]

    def last_seq(self, run_id: str) -> int:
        """The run's highest stored sequence number (0 if none)."""
        rows = self.db.read(
            "SELECT MAX(seq) AS top FROM stream_events WHERE run_id = %s", (run_id,)
        )
        return int(rows[0]["top"] or 0)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Remove these runs' events."""
        with self.db.write() as conn:
            conn.execute("DELETE FROM stream_events WHERE run_id = ANY(%s)", (list(run_ids),))
