"""The embedded sample world the tools act on: a business database and an email outbox."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tools import business_db, knowledge_base
from tools.world_db import immediate, open_sqlite


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

    def ensure(self) -> None:
        """Create and seed the world if missing; idempotent, safe to race between processes.

        Schema creation, seeding and the seeded marker commit in one ``BEGIN IMMEDIATE``
        transaction, so a second process waits for the lock and then sees the marker.
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

    def reset(self) -> None:
        """Delete the database and the outbox, then recreate the freshly seeded world."""
        for suffix in ("", "-wal", "-shm"):
            self.db_path.with_name(self.db_path.name + suffix).unlink(missing_ok=True)
        if self.outbox_dir.exists():
            for item in self.outbox_dir.iterdir():
                if item.is_file():
                    item.unlink()
        self.ensure()
