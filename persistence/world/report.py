"""What is read from the world to report on it and to review drafts against it.

``baton world`` lists the refunds and tickets recorded (``refunds_and_tickets``); the
review rules (``agents.review``) read a customer's name, the amounts of their charges,
refunds and orders, and the internal notes; the offline stand-in's analyst asks
``sql_query`` for the charges with ``charges_query``'s statement (valid on both engines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from persistence.world.store import read

if TYPE_CHECKING:
    from persistence.world.place import WorldPlace

_CHARGES_SQL = (
    "SELECT ch.id AS charge_id, ch.order_id, ch.customer_id, ch.amount_cents, ch.currency, "
    "ch.status, cu.name, cu.email, (SELECT COALESCE(SUM(r.amount_cents), 0) FROM refunds r "
    "WHERE r.order_id = ch.order_id) AS refunded_cents FROM charges ch JOIN customers cu "
    "ON cu.id = ch.customer_id WHERE {where} ORDER BY ch.order_id, ch.created_at"
)


def refunds_and_tickets(world: WorldPlace) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every refund (oldest first) and every ticket (by id), as dicts; reads only."""
    with read(world) as conn:
        refunds = [
            dict(row)
            for row in conn.execute(
                "SELECT id, order_id, customer_id, amount_cents, currency, reason FROM refunds "
                "ORDER BY created_at, id"
            )
        ]
        tickets = [
            dict(row)
            for row in conn.execute(
                "SELECT id, customer_id, product, severity, title FROM tickets ORDER BY id"
            )
        ]
    return refunds, tickets


def customer_name(world: WorldPlace, customer_id: int) -> str | None:
    """The customer's name on file, or None."""
    with read(world) as conn:
        row = conn.execute("SELECT name FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return str(row["name"]) if row else None


def customer_amounts(world: WorldPlace, customer_id: int) -> list[int]:
    """The amounts (cents) of the customer's charges, refunds and orders, each once."""
    sql = (
        "SELECT amount_cents FROM charges WHERE customer_id = ? UNION "
        "SELECT amount_cents FROM refunds WHERE customer_id = ? UNION "
        "SELECT amount_cents FROM orders WHERE customer_id = ?"
    )
    with read(world) as conn:
        rows = conn.execute(sql, (customer_id,) * 3).fetchall()
    return [r["amount_cents"] for r in rows]


def internal_notes(world: WorldPlace) -> list[str]:
    """Every internal note's text, by id."""
    with read(world) as conn:
        return [str(r["note"]) for r in conn.execute("SELECT note FROM internal_notes ORDER BY id")]


def charges_query(
    *,
    order_id: int | None = None,
    customer_id: int | None = None,
    excluded_order: int | None = None,
) -> str:
    """The statement listing an order's (else a customer's) charges, leaving out one order.

    Each row carries the customer's name and email and the order's refunded total.
    """
    if order_id is not None:
        where = f"ch.order_id = {order_id}"
    else:
        where = f"ch.customer_id = {customer_id}"
    if excluded_order is not None:
        where += f" AND ch.order_id != {excluded_order}"
    return _CHARGES_SQL.format(where=where)
