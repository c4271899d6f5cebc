"""Checking that an email address is the one a customer has on file."""

from __future__ import annotations

from tools.spec import ToolRejected
from tools.world import World
from tools.world_db import connect


def check_recipient(world: World, customer_id: int, to: str) -> str:
    """Return the customer's address on file; ``ToolRejected`` if unknown or ``to`` differs.

    Addresses compare case-insensitively; any other difference is a different person, and
    mail to them would leak this customer's details.
    """
    conn = connect(world, readonly=True)
    try:
        row = conn.execute("SELECT email FROM customers WHERE id = ?", (customer_id,)).fetchone()
    finally:
        conn.close()
    if row is None:
        raise ToolRejected(f"customer {customer_id} does not exist")
    email = str(row["email"])
    if to.strip().casefold() != email.casefold():
        raise ToolRejected(f"{to} is not the email on file for customer {customer_id}")
    return email
