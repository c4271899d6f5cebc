"""Which threads and runs the checkpoint store holds, on whichever engine is selected.

For the CLI's checks before it opens anything: they never create, migrate or write.
"""

from __future__ import annotations

from persistence.database import Database, SqliteDatabase


def thread_exists(database: Database, thread_id: str) -> bool:
    """Whether any checkpoint of ``thread_id`` is stored."""
    if isinstance(database, SqliteDatabase):
        from persistence.sqlite import lookups

        return lookups.thread_exists(database.path, thread_id)
    from persistence.postgres import lookups as pg

    return pg.thread_exists(database, thread_id)


def thread_ids(database: Database) -> list[str]:
    """Every thread with a top-level checkpoint, most recently updated first."""
    if isinstance(database, SqliteDatabase):
        from persistence.sqlite import lookups

        return lookups.thread_ids(database.path)
    from persistence.postgres import lookups as pg

    return pg.thread_ids(database)


def run_ids(database: Database, thread_id: str) -> list[str]:
    """The runs that wrote to the thread, oldest first."""
    if isinstance(database, SqliteDatabase):
        from persistence.sqlite import lookups

        return lookups.run_ids(database.path, thread_id)
    from persistence.postgres import lookups as pg

    return pg.run_ids(database, thread_id)
