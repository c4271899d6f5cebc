"""The world's customers: who has which address on file, and who owns which orders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from persistence.store_sql import Conn
from persistence.world.store import read

if TYPE_CHECKING:
    from persistence.world.place import WorldPlace


def email_on_file(conn: Conn, customer_id: int) -> str | None:
    """The customer's address on file, or None if there is no such customer."""
    row = conn.execute("SELECT email FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return None if row is None else str(row["email"])


def exists(conn: Conn, customer_id: int) -> bool:
    """Whether the customer is on file."""
    return (
        conn.execute("SELECT 1 FROM customers WHERE id = ?", (customer_id,)).fetchone() is not None
    )


def id_by_email(world: WorldPlace, email: str) -> int | None:
    """The id of the customer with this address on file (compared case-insensitively)."""
    with read(world) as conn:
        # lower() on both sides: ASCII case folding on SQLite (as COLLATE NOCASE), and on
        # PostgreSQL too for the addresses on file.
        row = conn.execute(
            "SELECT id FROM customers WHERE lower(email) = lower(?)", (email.strip(),)
        ).fetchone()
    return int(row["id"]) if row is not None else None


def every_customer(world: WorldPlace) -> list[Any]:
    """Every customer (id, name, email, tier), by id."""
    with read(world) as conn:
        rows: list[Any] = conn.execute(
            "SELECT id, name, email, tier FROM customers ORDER BY id"
        ).fetchall()
    return rows


def customers_and_owners(
    world: WorldPlace, orders: Sequence[int]
) -> tuple[list[Any], dict[int, int]]:
    """Every customer (id, name, email) by id, and the owner of each of ``orders`` on file."""
    with read(world) as conn:
        customers: list[Any] = conn.execute(
            "SELECT id, name, email FROM customers ORDER BY id"
        ).fetchall()
        owners = {
            int(row["id"]): int(row["customer_id"])
            for row in conn.execute(
                f"SELECT id, customer_id FROM orders WHERE id IN ({','.join('?' * len(orders))})",
                orders,
            )
        }
    return customers, owners
