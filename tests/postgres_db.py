"""A PostgreSQL database of a test session's own, created at its start and dropped at its end.

The server is the machine's (``TEST_POSTGRES_URL``, by default the local one with trust
auth); each pytest process (each xdist worker) creates its own database, so workers never
see each other's rows, and tests in one process start from emptied tables.
"""

from __future__ import annotations

import os
import uuid

import psycopg
from psycopg import sql

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def create_database() -> str:
    """Create a database with a fresh name; its URL. Fails clearly when no server answers."""
    name = f"baton_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"the tests need PostgreSQL at {ADMIN_URL} (set TEST_POSTGRES_URL, or start it: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start): "
            f"{str(exc).strip().splitlines()[0]}"
        ) from None
    base = ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_database(url: str) -> None:
    """Drop the database ``url`` names, closing whatever is still connected to it."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def empty_tables(url: str) -> None:
    """Empty every table of the database (its schema stays), the sample world's too."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        names = [
            (row[0], row[1])
            for row in conn.execute(
                "SELECT schemaname, tablename FROM pg_tables "
                "WHERE schemaname IN ('public', 'baton_world') "
                "AND tablename NOT IN ('checkpoint_migrations', 'baton_migrations')"
            )
        ]
        if names:
            tables = sql.SQL(", ").join(sql.Identifier(s, n) for s, n in names)
            conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY").format(tables))
