"""The lease store of the selected engine, one per database per process.

Leases are claimed and renewed by every ``run``, ``resume`` and service slot; each opens
its store here, and one process shares one store (SQLite: a file with its migration done;
PostgreSQL: a two-connection pool) per database. ``replica_beats`` opens a serving
process's heartbeat where there is one (PostgreSQL).
"""

from __future__ import annotations

import threading
from pathlib import Path

from persistence.database import Database, PostgresDatabase, SqliteDatabase
from persistence.leases import LeaseStore, ReplicaBeats

_open: dict[Database, LeaseStore] = {}
_lock = threading.Lock()


def lease_store(database: Database | Path) -> LeaseStore:
    """The process's lease store on ``database`` (a path is a SQLite file)."""
    key = SqliteDatabase(database) if isinstance(database, Path) else database
    with _lock:
        store = _open.get(key)
        if store is None:
            if isinstance(key, PostgresDatabase):
                from persistence.postgres.leases import PostgresLeaseStore

                store = PostgresLeaseStore.open(key)
            else:
                from persistence.sqlite.leases import SqliteLeaseStore

                store = SqliteLeaseStore(key.path)
            _open[key] = store
        return store


def replica_beats(database: Database, replica: str, host: str, pid: int) -> ReplicaBeats | None:
    """The heartbeat row of a serving process on ``database`` (None on SQLite: one machine)."""
    if not isinstance(database, PostgresDatabase):
        return None
    from persistence.postgres.replicas import PostgresReplicaBeats

    return PostgresReplicaBeats(database, replica, host, pid)
