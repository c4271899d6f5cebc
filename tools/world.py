"""The embedded sample world the tools act on: a business database and an email outbox.

The world is data, like the refunds and emails it records: only ``init`` (``baton world
init``, ``baton demo`` on a new home) and ``reset`` (``baton demo --reset``) create it.
Everything else opens it with ``check``, and a missing or unreadable ``world.db`` is an
error that names the fix, never a fresh seed that would forget what was already done.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tools import business_db, knowledge_base
from tools.world_db import immediate, open_sqlite

_TABLES = ("meta", "customers", "orders", "charges", "refunds", "tickets", "kb_docs")


class WorldUnavailable(Exception):
    """The world database is missing or unreadable; the message says how to fix it."""


@dataclass(frozen=True)
class World:
    """Where the world lives on disk, and how outgoing email leaves it.

    ``smtp_url`` (``smtp://host:port``) sends email for real; without it, messages are
    only written to the outbox folder.
    """

    home: Path
    smtp_url: str | None = None

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
        waits for the lock and then sees the marker. An existing world is never re-seeded.
        """
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        conn = open_sqlite(self.db_path)
        try:
            with immediate(conn):
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
                )
                business_db.create_schema(conn)
                seeded = conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone()
                if seeded is None:
                    business_db.seed(conn)
                    conn.execute("INSERT INTO meta VALUES ('seeded', '1')")
                knowledge_base.index_docs(conn)
        finally:
            conn.close()
        return seeded is None

    def check(self) -> None:
        """Raise ``WorldUnavailable`` unless the world database is there and readable."""
        path = self.db_path
        if not path.is_file():
            raise WorldUnavailable(
                f"no world database at {path} (BATON_HOME {self.home}): create the sample "
                "world with `baton world init` (or `baton demo --reset`), or restore the file "
                "from a backup"
            )
        try:
            # Read-write, though it only reads: a read-only connection to a WAL file leaves
            # -wal and -shm files behind, and a refused command must leave none.
            with closing(open_sqlite(path)) as conn:
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
                missing = [t for t in _TABLES if t not in names]
                seeded = (
                    not missing
                    and conn.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone()
                )
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

    def open(self) -> None:
        """Check the world before a run; re-index the policy docs if the shipped ones changed."""
        self.check()
        self.outbox_dir.mkdir(parents=True, exist_ok=True)
        with closing(open_sqlite(self.db_path)) as conn:
            if not knowledge_base.docs_current(conn):
                with immediate(conn):
                    knowledge_base.index_docs(conn)

    def reset(self) -> None:
        """Delete the database and the outbox, then create the freshly seeded world."""
        for suffix in ("", "-wal", "-shm"):
            self.db_path.with_name(self.db_path.name + suffix).unlink(missing_ok=True)
        if self.outbox_dir.exists():
            for item in self.outbox_dir.iterdir():
                if item.is_file():
                    item.unlink()
        self.init()
