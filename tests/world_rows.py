"""Reading the sample world a test's processes act on, on the engine they use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from persistence.database import PostgresDatabase
from persistence.world.store import read
from tools.world import World


def world_of(home: Path, database_url: str | None = None) -> World:
    """The world of ``home``: in ``world.db``, or in PostgreSQL when a URL is given."""
    return World(home, database=PostgresDatabase(database_url) if database_url else None)


def world_rows(world: World, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Every row of one ``?``-placeholder query, as tuples in column order."""
    with read(world) as conn:
        return [tuple(dict(row).values()) for row in conn.execute(sql, params)]
