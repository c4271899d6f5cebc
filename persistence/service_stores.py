"""The service's own stores on the selected engine: run records, thread index, stream log.

``open_service_stores`` opens all three on one connection (SQLite: ``baton.db`` with
``synchronous=NORMAL``; PostgreSQL: a small pool on ``BATON_DATABASE_URL``), applies their
migrations and returns them with the close that ends them. On PostgreSQL every replica of
``baton serve`` sees the same runs, threads and events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from persistence.database import Database, PostgresDatabase
from persistence.runs import UNFINISHED, RunStore
from persistence.stream_log import StreamLog
from persistence.threads import ThreadStore


@dataclass
class ServiceStores:
    """Open stores and how to close them."""

    engine: str
    runs: RunStore
    threads: ThreadStore
    stream_log: StreamLog
    close: Callable[[], None]

    def running(self, run_id: str) -> bool:
        """Whether the run is pending or running (in any process)."""
        run = self.runs.get(run_id)
        return run is not None and run.status in UNFINISHED


def open_service_stores(database: Database, sqlite_path: Path) -> ServiceStores:
    """The three stores on ``database`` (``sqlite_path`` is the SQLite file when it is SQLite)."""
    if isinstance(database, PostgresDatabase):
        from persistence.postgres.runs import PostgresRunStore
        from persistence.postgres.service_threads import PostgresThreadStore
        from persistence.postgres.store_conn import PgStoreConnection
        from persistence.postgres.stream_log import PostgresStreamLog

        pg = PgStoreConnection(
            PostgresDatabase(
                database.url,
                min_size=1,
                max_size=max(2, database.max_size // 3),
                max_lifetime_s=database.max_lifetime_s,
                max_idle_s=database.max_idle_s,
                connect_timeout_s=database.connect_timeout_s,
                wait_timeout_s=database.wait_timeout_s,
                application_name=database.application_name,
            )
        )
        try:
            return ServiceStores(
                "postgres",
                PostgresRunStore(pg),
                PostgresThreadStore(pg),
                PostgresStreamLog(pg),
                pg.close,
            )
        except BaseException:
            pg.close()
            raise
    from persistence.sqlite.runs import SqliteRunStore
    from persistence.sqlite.store_conn import StoreConnection
    from persistence.sqlite.stream_log import SqliteStreamLog
    from persistence.sqlite.threads import SqliteThreadStore

    conn = StoreConnection(sqlite_path, synchronous="NORMAL")
    try:
        return ServiceStores(
            "sqlite",
            SqliteRunStore(conn),
            SqliteThreadStore(conn),
            SqliteStreamLog(conn),
            conn.close,
        )
    except BaseException:
        conn.close()
        raise
