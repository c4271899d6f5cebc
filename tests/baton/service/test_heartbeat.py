"""The replica heartbeat: beaten from a thread of its own, so a busy process keeps its threads.

On PostgreSQL a serving process's leases name its heartbeat: they stay held while the
process is busy (its main thread spinning past the timeout), and free once it stops
beating; on SQLite there is no heartbeat and leases name no replica.
"""

from __future__ import annotations

import time
from pathlib import Path

from baton.lease import Lease
from baton.service.heartbeat import Heartbeat
from persistence.database import PostgresDatabase, SqliteDatabase

TIMEOUT_S = 1.0


def test_a_busy_replica_keeps_its_threads_and_a_stopped_one_frees_them(
    postgres_url: str,
) -> None:
    database = PostgresDatabase(postgres_url)
    heartbeat = Heartbeat(database, TIMEOUT_S)
    heartbeat.start()
    try:
        assert heartbeat.replica is not None
        mine = Lease(database, "t", 600, heartbeat.replica, TIMEOUT_S)
        mine.acquire()
        other = Lease(database, "t", 600, "another-replica", TIMEOUT_S)
        spin_until = time.monotonic() + TIMEOUT_S * 2
        while time.monotonic() < spin_until:  # the main thread busy, holding the GIL
            sum(range(10_000))
        assert other.held_by_another()
    finally:
        heartbeat.stop()
    assert not other.held_by_another()  # its replica left: the lease it named is free
    other.acquire()
    assert mine.taken_over()


def test_sqlite_has_no_heartbeat(tmp_path: Path) -> None:
    heartbeat = Heartbeat(SqliteDatabase(tmp_path / "baton.db"), TIMEOUT_S)
    heartbeat.start()
    assert heartbeat.replica is None
    heartbeat.stop()
