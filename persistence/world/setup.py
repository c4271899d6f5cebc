"""Creating, checking and resetting the sample world, on SQLite or PostgreSQL.

The world is data: only ``init`` seeds it, once (the ``seeded`` marker in ``meta`` commits
with the rows), and ``reset`` empties and seeds it again. On SQLite schema creation,
seeding, the marker and the knowledge-base index commit in one ``BEGIN IMMEDIATE``
transaction, so a second process waits for the lock and then sees the marker. On
PostgreSQL the schema is the ``world`` migration (``persistence.world.schema``), then
seeding and the marker commit in one transaction holding the world's advisory lock.
The checks only read; what they find wrong, ``tools.world.World`` words as an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import closing
from pathlib import Path

from persistence.database import PostgresDatabase
from persistence.sqlite.files import immediate, open_sqlite
from persistence.world import knowledge_base, schema, seed
from persistence.world.store import SCHEMA, WORLD_LOCK, pg_pool, pg_transaction

SEEDED = "SELECT 1 FROM meta WHERE key = 'seeded'"
MARK_SEEDED = "INSERT INTO meta VALUES ('seeded', '1')"


def init_sqlite(path: Path, docs: Mapping[str, str]) -> bool:
    """Create, seed (once) and index the world file; True if this call seeded it."""
    conn = open_sqlite(path)
    try:
        with immediate(conn):
            conn.execute(schema.META)
            schema.create_schema(conn)
            seeded = conn.execute(SEEDED).fetchone()
            if seeded is None:
                seed.seed(conn)
                conn.execute(MARK_SEEDED)
            knowledge_base.index_docs(conn, docs)
    finally:
        conn.close()
    return seeded is None


def sqlite_state(path: Path) -> tuple[list[str], bool]:
    """The world file's missing tables, and whether it was seeded (``sqlite3.Error``: unreadable).

    Read-write, though it only reads: a read-only connection to a WAL file leaves -wal and
    -shm files behind, and a refused command must leave none.
    """
    with closing(open_sqlite(path)) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        missing = [t for t in schema.SQLITE_TABLES if t not in names]
        seeded = not missing and conn.execute(SEEDED).fetchone() is not None
    return missing, seeded


def refresh_index(path: Path, docs: Mapping[str, str]) -> None:
    """Re-index the policy docs in the world file if they are not ``docs``."""
    with closing(open_sqlite(path)) as conn:
        if not knowledge_base.docs_current(conn, docs):
            with immediate(conn):
                knowledge_base.index_docs(conn, docs)


def init_pg(database: PostgresDatabase) -> bool:
    """Migrate and seed once; True if this call seeded (the marker commits with the rows)."""
    pool = pg_pool(database)
    pool.migrate("world", schema.MIGRATIONS)
    with pg_transaction(database, WORLD_LOCK) as conn:
        if conn.execute(SEEDED).fetchone() is not None:
            return False
        seed.seed(conn)
        conn.execute(MARK_SEEDED)
    return True


def pg_problem(database: PostgresDatabase) -> str | None:
    """What is wrong with the world in ``database`` (None if it is there); reads only."""
    from psycopg import Error as PgError

    try:
        rows = pg_pool(database).read(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (SCHEMA,),
        )
        missing = [t for t in schema.TABLES if t not in {r["table_name"] for r in rows}]
        if missing:
            return f"lacks {', '.join(missing)}" if len(missing) < len(schema.TABLES) else "absent"
        seeded = pg_pool(database).read(f"SELECT 1 FROM {SCHEMA}.meta WHERE key = 'seeded'")
    except PgError as exc:
        return f"is unreadable ({str(exc).strip().splitlines()[0]})"
    return None if seeded else "was never seeded"


def reset_pg(database: PostgresDatabase) -> None:
    """Empty every world table (refunds, tickets, sent emails too) and seed again."""
    pool = pg_pool(database)
    pool.migrate("world", schema.MIGRATIONS)
    with pg_transaction(database, WORLD_LOCK) as conn:
        names = ", ".join(f"{SCHEMA}.{t}" for t in (*schema.TABLES, "outbox"))
        conn.execute(f"TRUNCATE {names} RESTART IDENTITY")
        seed.seed(conn)
        conn.execute(MARK_SEEDED)
