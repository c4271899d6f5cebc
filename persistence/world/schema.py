"""The sample world's tables: their schema on SQLite, their versioned migrations on PostgreSQL.

Money is stored in integer cents so refund limits are exact. On PostgreSQL the business
tables live in the ``baton_world`` schema of the selected database, so their names cannot
clash with LangGraph's or Baton's tables in ``public``, with the constraints they have on
SQLite: refunds' ``idempotency_key UNIQUE`` and ``amount_cents > 0``, the charge status
check, tickets' unique idempotency key, foreign keys. ``outbox`` records each email sent,
one row per idempotency key (on SQLite the outbox is files). The PostgreSQL schema is the
``world`` store's migration, applied under the advisory migration lock like every store's
(``persistence.postgres.migrate``); it also creates ``baton_world_reader``, the role
``sql_query`` runs its statements as (``persistence.world.sql_query_pg``).
"""

from __future__ import annotations

import sqlite3

from persistence.migrations import Migration
from persistence.world.store import SCHEMA

READER_ROLE = "baton_world_reader"
"""A role without login or privileges of its own: ``sql_query`` reads as it."""

TABLES = ("meta", "customers", "orders", "charges", "refunds", "tickets", "internal_notes")
"""The world's tables on PostgreSQL (besides ``outbox``)."""
QUERYABLE = ("customers", "orders", "charges", "refunds", "tickets", "internal_notes")
"""The tables ``sql_query`` may read (through per-query views)."""
SQLITE_TABLES = ("meta", "customers", "orders", "charges", "refunds", "tickets", "kb_docs")
"""The tables a world file must have (``World.check``)."""

META = "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
"""The world file's markers (``seeded``)."""

SQLITE_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS customers (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
        tier TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS orders (
        id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
        product TEXT NOT NULL, amount_cents INTEGER NOT NULL, currency TEXT NOT NULL,
        status TEXT NOT NULL, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS charges (
        id TEXT PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id),
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        amount_cents INTEGER NOT NULL, currency TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('captured', 'failed')), created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS refunds (
        id TEXT PRIMARY KEY, charge_id TEXT REFERENCES charges(id),
        order_id INTEGER NOT NULL REFERENCES orders(id),
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        amount_cents INTEGER NOT NULL CHECK (amount_cents > 0), currency TEXT NOT NULL,
        reason TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS tickets (
        id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
        product TEXT NOT NULL, severity TEXT NOT NULL, title TEXT NOT NULL,
        summary TEXT NOT NULL, body TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS internal_notes (
        id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
        note TEXT NOT NULL)""",
)

CONTACT_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "customers": ("id", ("name", "email", "phone")),
}
"""Per table: the column naming whose the row is, and the columns that are contact data
(a column listed here but missing from the table is skipped). Queries see them masked
except for the customer a step is about (``persistence.world.sql_query``)."""


def create_schema(conn: sqlite3.Connection) -> None:
    """Create the business tables if missing (safe to run inside a transaction)."""
    # One statement at a time: executescript() would COMMIT the caller's transaction.
    for statement in SQLITE_SCHEMA:
        conn.execute(statement)


_S = SCHEMA
MIGRATIONS = (
    Migration(
        1,
        "the sample world's business tables and outbox",
        statements=(
            f"CREATE SCHEMA IF NOT EXISTS {_S}",
            f"CREATE TABLE {_S}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            f"CREATE TABLE {_S}.customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "email TEXT NOT NULL UNIQUE, tier TEXT NOT NULL, created_at TEXT NOT NULL)",
            f"CREATE TABLE {_S}.orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
            f"REFERENCES {_S}.customers(id), product TEXT NOT NULL, amount_cents INTEGER NOT "
            "NULL, currency TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)",
            f"CREATE TABLE {_S}.charges (id TEXT PRIMARY KEY, order_id INTEGER NOT NULL "
            f"REFERENCES {_S}.orders(id), customer_id INTEGER NOT NULL REFERENCES "
            f"{_S}.customers(id), amount_cents INTEGER NOT NULL, currency TEXT NOT NULL, "
            "status TEXT NOT NULL CHECK (status IN ('captured', 'failed')), "
            "created_at TEXT NOT NULL)",
            f"CREATE TABLE {_S}.refunds (id TEXT PRIMARY KEY, charge_id TEXT REFERENCES "
            f"{_S}.charges(id), order_id INTEGER NOT NULL REFERENCES {_S}.orders(id), "
            f"customer_id INTEGER NOT NULL REFERENCES {_S}.customers(id), amount_cents "
            "INTEGER NOT NULL CHECK (amount_cents > 0), currency TEXT NOT NULL, reason TEXT "
            "NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
            f"CREATE TABLE {_S}.tickets (id INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY "
            f"KEY, customer_id INTEGER REFERENCES {_S}.customers(id), product TEXT NOT NULL, "
            "severity TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT "
            "NULL, idempotency_key TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)",
            f"CREATE TABLE {_S}.internal_notes (id INTEGER PRIMARY KEY, customer_id INTEGER "
            f"NOT NULL REFERENCES {_S}.customers(id), note TEXT NOT NULL)",
            f"CREATE TABLE {_S}.outbox (idempotency_key TEXT PRIMARY KEY, recipient TEXT NOT "
            "NULL, message BYTEA NOT NULL, created_at TEXT NOT NULL, seq BIGSERIAL NOT NULL)",
            f"CREATE INDEX outbox_seq_idx ON {_S}.outbox (seq)",
            # Roles are shared by the server's databases: create it unless another did.
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{READER_ROLE}') THEN "
            f"CREATE ROLE {READER_ROLE} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
            # SET ROLE needs membership (a superuser has it already).
            "DO $$ BEGIN "
            f"IF NOT pg_has_role(current_user, '{READER_ROLE}', 'MEMBER') THEN "
            f"EXECUTE 'GRANT {READER_ROLE} TO ' || quote_ident(current_user); END IF; END $$",
        ),
    ),
)
"""The ``world`` store's schema on PostgreSQL."""
