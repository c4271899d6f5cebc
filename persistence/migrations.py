"""Versioned schemas: each store lists its migrations; each database records what it applied.

A store (``checkpoints`` here; the ledger, runs and the rest as they move in) names its
migrations in order. ``baton_migrations`` holds one row per applied (store, version), so a
database says which schema it has, and starting Baton applies only what is missing. On
SQLite the migrations run inside one ``BEGIN IMMEDIATE`` transaction (other writers wait);
on PostgreSQL inside one transaction holding an advisory lock, so that replicas starting
together migrate once (``persistence.postgres.migrate``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

TABLE = "baton_migrations"

CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (store TEXT NOT NULL, version INTEGER NOT NULL, "
    "name TEXT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (store, version))"
)


@dataclass(frozen=True)
class Migration:
    """One step of a store's schema: SQL statements, or a function given the cursor.

    A function is for steps that must look before they change (a column that an older
    Baton added without recording it).
    """

    version: int
    name: str
    statements: Sequence[str] = ()
    run: Callable[[Any], None] | None = None


def pending(migrations: Sequence[Migration], applied: set[int]) -> list[Migration]:
    """The migrations not yet applied, in order; refuses a list that is not 1, 2, 3, …."""
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration versions must run 1..n, got {versions}")
    newer = {v for v in applied if v > len(versions)}
    if newer:
        raise RuntimeError(
            f"the database has schema versions {sorted(newer)} that this Baton does not know: "
            "upgrade Baton"
        )
    return [m for m in migrations if m.version not in applied]
