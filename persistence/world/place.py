"""Where a world's tables are: the shape of ``tools.world.World`` the storage needs."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from persistence.database import PostgresDatabase


class WorldPlace(Protocol):
    """A world's SQLite file, and the PostgreSQL database that holds it instead (if any)."""

    @property
    def database(self) -> PostgresDatabase | None:
        """The PostgreSQL database holding the world; None keeps it in ``db_path``."""

    @property
    def db_path(self) -> Path:
        """The SQLite file holding the business tables and the knowledge-base index."""
