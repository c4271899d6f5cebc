"""Applying schemas to PostgreSQL once, however many replicas start at the same moment.

Everything runs in one transaction that first takes a transaction-level advisory lock
(``pg_advisory_xact_lock``): a replica that starts while another migrates waits for that
commit, then finds nothing left to do. A transaction-level lock (not a session one) holds
behind pgbouncer in transaction mode, and a failed migration rolls back whole.

The stock checkpoint tables come first, from ``langgraph-checkpoint-postgres``'s own list
(``BasePostgresSaver.MIGRATIONS``, recorded in its ``checkpoint_migrations`` table, so the
stock savers see the same schema). The stock ``setup()`` applies that list with no lock
(two replicas starting together both insert version 0 and one fails) and creates its
indexes ``CONCURRENTLY``, which cannot run inside a transaction; here the same statements
run under the lock, those indexes created plainly (they are created with their table, or
on an upgrade, briefly blocking writes to it while the index builds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from langgraph.checkpoint.postgres.base import BasePostgresSaver
from psycopg import Connection
from psycopg.rows import DictRow

from persistence.migrations import CREATE_TABLE, TABLE, Migration, pending

LOCK_KEY = 0x0BA7_0001
"""The advisory lock every Baton migration takes (one key for every store)."""

_CONCURRENTLY = re.compile(r"\bCONCURRENTLY\s+", re.IGNORECASE)


def stock_checkpoint_tables(conn: Connection[DictRow]) -> list[int]:
    """Apply the stock saver's migrations it lacks (inside the caller's transaction)."""
    conn.execute(BasePostgresSaver.MIGRATIONS[0])
    row = conn.execute("SELECT MAX(v) AS v FROM checkpoint_migrations").fetchone()
    latest = -1 if row is None or row["v"] is None else int(row["v"])
    done = []
    for version in range(latest + 1, len(BasePostgresSaver.MIGRATIONS)):
        conn.execute(_CONCURRENTLY.sub("", BasePostgresSaver.MIGRATIONS[version]))
        conn.execute("INSERT INTO checkpoint_migrations (v) VALUES (%s)", (version,))
        done.append(version)
    return done


def migrate(
    conn: Connection[DictRow],
    store: str,
    migrations: Sequence[Migration],
    *,
    stock_checkpoints: bool = False,
) -> list[int]:
    """Apply what ``store`` lacks under the advisory lock; the versions applied here.

    With ``stock_checkpoints``, the stock checkpoint tables are brought up to date first,
    in the same transaction.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        if stock_checkpoints:
            stock_checkpoint_tables(conn)
        conn.execute(CREATE_TABLE)
        rows = conn.execute(f"SELECT version FROM {TABLE} WHERE store = %s", (store,))
        applied = {int(row["version"]) for row in rows.fetchall()}
        done = []
        for migration in pending(migrations, applied):
            for statement in migration.statements:
                conn.execute(statement)
            if migration.run is not None:
                migration.run(conn)
            conn.execute(
                f"INSERT INTO {TABLE} (store, version, name, applied_at) VALUES (%s, %s, %s, %s)",
                (store, migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            done.append(migration.version)
    return done
