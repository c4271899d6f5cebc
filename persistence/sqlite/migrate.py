"""Applying a store's migrations to a SQLite file, once, whoever starts first."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime

from persistence.migrations import CREATE_TABLE, TABLE, Migration, pending


def migrate(conn: sqlite3.Connection, store: str, migrations: Sequence[Migration]) -> list[int]:
    """Apply what ``store`` is missing in one ``BEGIN IMMEDIATE`` transaction; the versions.

    ``BEGIN IMMEDIATE`` takes the write lock before reading what is applied, so two
    processes starting together apply each migration once.
    """
    if conn.in_transaction:
        conn.commit()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(CREATE_TABLE)
        applied = {
            int(row[0])
            for row in conn.execute(f"SELECT version FROM {TABLE} WHERE store = ?", (store,))
        }
        done = []
        for migration in pending(migrations, applied):
            for statement in migration.statements:
                conn.execute(statement)
            if migration.run is not None:
                migration.run(conn)
            conn.execute(
                f"INSERT INTO {TABLE} (store, version, name, applied_at) VALUES (?, ?, ?, ?)",
                (store, migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            done.append(migration.version)
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    return done
