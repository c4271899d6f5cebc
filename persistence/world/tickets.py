"""The world's engineering tickets: one per idempotency key (``tickets.idempotency_key`` is unique).

A ticket is looked up and inserted in one ``store.write`` transaction (SQLite's write
lock; PostgreSQL's advisory lock on the world), so a re-run call finds its ticket instead
of opening a second one.
"""

from __future__ import annotations

from typing import Any

from persistence.sqlite.files import utc_timestamp
from persistence.store_sql import Conn


def ticket_by_key(conn: Conn, idempotency_key: str) -> Any:
    """The ticket filed under ``idempotency_key``, or None."""
    return conn.execute(
        "SELECT * FROM tickets WHERE idempotency_key = ?", (idempotency_key,)
    ).fetchone()


def insert_ticket(
    conn: Conn,
    *,
    customer_id: int | None,
    product: str,
    severity: str,
    title: str,
    summary: str,
    body: str,
    idempotency_key: str,
) -> None:
    """File a ticket, stamped now; its id is the table's next."""
    conn.execute(
        "INSERT INTO tickets (customer_id, product, severity, title, summary, body,"
        " idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, product, severity, title, summary, body, idempotency_key, utc_timestamp()),
    )
