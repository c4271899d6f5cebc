"""The embedded sample world the tools act on: a business database and an email outbox.

The world is data, like the refunds and emails it records: only ``init`` (``baton world
init``, ``baton demo`` on a new home) and ``reset`` (``baton demo --reset``) create it.
Everything else opens it with ``check``, and a missing or unreadable world is an error
that names the fix, never a fresh seed that would forget what was already done.

Where it lives follows ``BATON_DATABASE_URL``: unset, in ``BATON_HOME/world.db`` with the
outbox as ``BATON_HOME/outbox/<key>.eml`` files; set, in the ``baton_world`` schema of
that PostgreSQL database, outbox rows included, so every replica sees the same world
whatever its home. Its tables, seeding and checks are ``persistence.world``'s.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from persistence.database import Database, PostgresDatabase
from persistence.world import setup
from tools.knowledge_base import packaged_docs


class WorldUnavailable(Exception):
    """The world database is missing or unreadable; the message says how to fix it."""


@dataclass(frozen=True)
class World:
    """Where the world lives, and how outgoing email leaves it.

    ``smtp_url`` (``smtp://host:port``) sends email for real; without it, messages are
    only recorded in the outbox. ``database`` is the PostgreSQL database holding the
    world; None keeps it in ``home`` (SQLite).
    """

    home: Path
    smtp_url: str | None = None
    database: PostgresDatabase | None = None

    @property
    def where(self) -> str:
        """The world's place, as errors and ``baton world init`` name it."""
        if self.database is not None:
            return f"PostgreSQL {self.database.safe_url} (schema baton_world)"
        return str(self.db_path)

    def exists(self) -> bool:
        """Whether any world is there, readable or not (reads only)."""
        if self.database is None:
            return self.db_path.exists()
        return setup.pg_problem(self.database) != "absent"

    @property
    def db_path(self) -> Path:
        """The SQLite file holding the business tables and the knowledge-base index."""
        return self.home / "world.db"

    @property
    def outbox_dir(self) -> Path:
        """The folder holding one ``<idempotency key>.eml`` file per sent email."""
        return self.home / "outbox"

    def init(self) -> bool:
        """Create and seed the world if it has not been; True if this call seeded it.

        Idempotent and safe to race between processes: schema creation, seeding and the
        seeded marker commit in one ``BEGIN IMMEDIATE`` transaction, so a second process
        waits for the lock and then sees the marker (on PostgreSQL: the schema by the
        ``world`` migration, then seeding and the marker in one transaction holding an
        advisory lock). An existing world is never re-seeded.
        """
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        if self.database is not None:
            return setup.init_pg(self.database)
        return setup.init_sqlite(self.db_path, packaged_docs())

    def check(self) -> None:
        """Raise ``WorldUnavailable`` unless the world database is there and readable."""
        if self.database is not None:
            self._check_pg(self.database)
            return
        path = self.db_path
        if not path.is_file():
            raise WorldUnavailable(
                f"no world database at {path} (BATON_HOME {self.home}): create the sample "
                "world with `baton world init` (or `baton demo --reset`), or restore the file "
                "from a backup"
            )
        try:
            missing, seeded = setup.sqlite_state(path)
        except sqlite3.Error as exc:
            raise WorldUnavailable(
                f"the world database {path} is unreadable ({exc}): restore it from a backup, "
                "or start a new sample world with `baton demo --reset` (it forgets the refunds, "
                "emails and tickets recorded there)"
            ) from None
        if missing or not seeded:
            what = f"lacks {', '.join(missing)}" if missing else "was never seeded"
            raise WorldUnavailable(
                f"the world database {path} {what}: restore it from a backup, or start a new "
                "sample world with `baton demo --reset`"
            )

    def _check_pg(self, database: PostgresDatabase) -> None:
        problem = setup.pg_problem(database)
        if problem == "absent":
            raise WorldUnavailable(
                f"no world in {self.where}: create the sample world with `baton world init` "
                "(or `baton demo --reset`), or restore the database from a backup"
            )
        if problem is not None:
            raise WorldUnavailable(
                f"the world in {self.where} {problem}: restore it from a backup, or start a "
                "new sample world with `baton demo --reset`"
            )

    def open(self) -> None:
        """Check the world before a run; re-index the policy docs if the shipped ones changed."""
        self.check()
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        if self.database is not None:
            return  # the policy docs' index is built in memory, from the shipped docs
        setup.refresh_index(self.db_path, packaged_docs())

    def reset(self) -> None:
        """Delete the database and the outbox, then create the freshly seeded world."""
        if self.database is not None:
            self._clear_outbox_files()
            setup.reset_pg(self.database)
            return
        for suffix in ("", "-wal", "-shm"):
            self.db_path.with_name(self.db_path.name + suffix).unlink(missing_ok=True)
        self._clear_outbox_files()
        self.init()

    def _clear_outbox_files(self) -> None:
        if self.outbox_dir.exists():
            for item in self.outbox_dir.iterdir():
                if item.is_file():
                    item.unlink()


def world_database(database: Database) -> PostgresDatabase | None:
    """The database a world with these settings lives in: PostgreSQL, or None for SQLite."""
    return database if isinstance(database, PostgresDatabase) else None
