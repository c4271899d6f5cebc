"""The world's money: orders, their charges, and the refunds against them.

A refund is recorded under its call's idempotency key (``refunds.idempotency_key`` is
unique, ``amount_cents`` positive, on both engines). ``refunding`` is the one transaction
a refund's check-then-insert runs in: SQLite's write lock (``BEGIN IMMEDIATE``), or on
PostgreSQL a transaction-level advisory lock on the whole world, so two different refunds
cannot both pass the remaining-amount check, across workers, processes and replicas.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from persistence.sqlite.files import utc_timestamp
from persistence.store_sql import Conn
from persistence.world.store import WORLD_LOCK, write

if TYPE_CHECKING:
    from persistence.world.place import WorldPlace


@contextmanager
def refunding(world: WorldPlace) -> Iterator[Conn]:
    """The transaction a refund is checked and recorded in, one at a time per world."""
    with write(world, WORLD_LOCK) as conn:
        yield conn


def order(conn: Conn, order_id: int) -> Any:
    """The order's row, or None."""
    return conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()


def charge(conn: Conn, charge_id: str) -> Any:
    """The charge's row, or None."""
    return conn.execute("SELECT * FROM charges WHERE id = ?", (charge_id,)).fetchone()


def captured_charges(conn: Conn, order_id: int) -> list[Any]:
    """The order's captured charges (id, amount_cents, currency), oldest first."""
    rows: list[Any] = conn.execute(
        "SELECT id, amount_cents, currency FROM charges WHERE order_id = ? AND status = 'captured'"
        " ORDER BY created_at, id",
        (order_id,),
    ).fetchall()
    return rows


def order_refunds(conn: Conn, order_id: int) -> list[Any]:
    """Every refund of the order, whoever made it, oldest first."""
    rows: list[Any] = conn.execute(
        "SELECT id, charge_id, amount_cents, currency, created_at, idempotency_key FROM refunds"
        " WHERE order_id = ? ORDER BY created_at, id",
        (order_id,),
    ).fetchall()
    return rows


def refund_by_key(conn: Conn, idempotency_key: str) -> Any:
    """The refund recorded under ``idempotency_key``, or None."""
    return conn.execute(
        "SELECT * FROM refunds WHERE idempotency_key = ?", (idempotency_key,)
    ).fetchone()


def insert_refund(
    conn: Conn,
    *,
    refund_id: str,
    charge_id: str | None,
    order_id: int,
    customer_id: int,
    amount_cents: int,
    currency: str,
    reason: str,
    idempotency_key: str,
) -> None:
    """Record a refund, stamped now (inside ``refunding``'s transaction)."""
    conn.execute(
        "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            refund_id,
            charge_id,
            order_id,
            customer_id,
            amount_cents,
            currency,
            reason,
            idempotency_key,
            utc_timestamp(),
        ),
    )
