"""The stream event log in SQLite (``stream_events`` in ``baton.db``).

Opened on a connection of its own with ``synchronous=NORMAL``: in WAL mode a commit then
survives a killed process (what reconnecting clients need) without an fsync per batch of
events; checkpoints keep ``FULL`` on their own connections.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from persistence.leases import Fence
from persistence.migrations import Migration
from persistence.sqlite.leases import fence_refused
from persistence.sqlite.store_conn import StoreConnection
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
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID""",
        ),
    ),
)
"""The store's versioned schema on SQLite."""


class SqliteStreamLog:
    """``persistence.stream_log.StreamLog`` on SQLite."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db
        db.migrate("stream_events", MIGRATIONS)

    def append(
        self, events: Sequence[StreamEvent], fences: Mapping[str, Fence] | None = None
    ) -> set[str]:
        """Store events (any runs), all or none; the runs whose fence was taken over."""
        with self.db.write() as conn:
            refused = {
                run_id
                for run_id, fence in (fences or {}).items()
                if fence.engine == "sqlite" and fence_refused(conn, fence) is not None
            }
            conn.executemany(
                "INSERT INTO stream_events (run_id, seq, event, data) VALUES (?, ?, ?, ?)",
                [(e.run_id, e.seq, e.event, e.data) for e in events if e.run_id not in refused],
            )
        return refused

    def read(self, run_id: str, after: int, upto: int | None = None) -> list[StreamEvent]:
        """The run's events with ``after < seq <= upto``, in order."""
        rows = self.db.read(
            "SELECT seq, event, data FROM stream_events WHERE run_id = ? AND seq > ? "
            "AND seq <= ? ORDER BY seq",
            (run_id, after, upto if upto is not None else 2**62),
        )
        return [StreamEvent(run_id, row["seq"], row["event"], bytes(row["data"])) for row in rows]

    def last_seq(self, run_id: str) -> int:
        """The run's highest stored sequence number (0 if none)."""
        rows = self.db.read("SELECT MAX(seq) AS top FROM stream_events WHERE run_id = ?", (run_id,))
        return int(rows[0]["top"] or 0)

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Remove these runs' events."""
        with self.db.write() as conn:
            conn.executemany("DELETE FROM stream_events WHERE run_id = ?", [(r,) for r in run_ids])
