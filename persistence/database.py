"""Which engine keeps Baton's data: SQLite under ``BATON_HOME``, or a PostgreSQL server.

``BATON_DATABASE_URL=postgresql://…`` selects PostgreSQL; unset, everything stays in
``BATON_HOME/baton.db`` as before. The URL may carry a password, so it is never printed:
``PostgresDatabase.safe_url`` is what errors and logs show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

POSTGRES_URL = re.compile(r"^postgres(?:ql)?://\S*$")
"""What ``BATON_DATABASE_URL`` must look like (libpq's URI form)."""


class DatabaseUnavailableError(RuntimeError):
    """The selected database could not be reached (the message names it, without secrets)."""


@dataclass(frozen=True)
class SqliteDatabase:
    """One SQLite file on this machine."""

    path: Path
    engine: str = field(default="sqlite", init=False)


@dataclass(frozen=True)
class PostgresDatabase:
    """A PostgreSQL database, reached through a psycopg pool.

    ``max_lifetime_s`` retires a connection after that long (a proxy or the server may
    drop long-lived ones); ``max_idle_s`` closes spare connections unused that long;
    ``wait_timeout_s`` is how long a caller waits for a pooled connection (while the pool
    replaces dropped ones) before its call fails.
    """

    url: str = field(repr=False)
    min_size: int = 1
    max_size: int = 10
    max_lifetime_s: float = 1800.0
    max_idle_s: float = 300.0
    connect_timeout_s: float = 10.0
    wait_timeout_s: float = 30.0
    application_name: str = "baton"
    engine: str = field(default="postgres", init=False)

    @property
    def safe_url(self) -> str:
        """The URL without its password."""
        return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", self.url)


Database = SqliteDatabase | PostgresDatabase
"""Where one installation keeps its data."""
