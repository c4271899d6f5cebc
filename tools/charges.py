"""What a charge still owes back: its refunds, from anyone, and its refundable remainder.

A refund returns money for one charge. Refunds are read from the business database
(``persistence.world.payments``) as they stand, whoever made them (any Baton thread, or a
payments team writing rows directly). A refund that names no charge counts against its
order's latest captured charges first, the way a duplicate charge (always the later one)
is refunded, so money returned without a charge id is never handed back a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from persistence.store_sql import Conn
from persistence.world.payments import captured_charges, order_refunds
from tools.money import format_cents


@dataclass(frozen=True)
class ChargeStanding:
    """One charge's money: captured, refunded against it so far, and what may still go back."""

    order_id: int
    charge_id: str | None
    """None when the order has no captured charge."""
    currency: str
    charge_cents: int
    refunded_cents: int
    order_left_cents: int
    """What the whole order may still refund (captured minus every refund on it)."""
    refunds: list[dict[str, Any]] = field(default_factory=list)
    """The refunds counted against this charge: id, amount, when, idempotency key."""

    @property
    def refundable_cents(self) -> int:
        """The refundable remainder: what is left on the charge, within the order's total."""
        return max(0, min(self.charge_cents - self.refunded_cents, self.order_left_cents))

    def summary(self) -> dict[str, Any]:
        """What an approver is shown about the charge."""
        cur = self.currency
        return {
            "charge_id": self.charge_id,
            "charge": f"{format_cents(self.charge_cents)} {cur}",
            "refunded": f"{format_cents(self.refunded_cents)} {cur}",
            "refundable": f"{format_cents(self.refundable_cents)} {cur}",
        }


def resolve_charge(conn: Conn, order_id: int, charge_id: str | None) -> str | None:
    """The charge a refund is for: the one named, else the order's latest capture."""
    if charge_id is not None:
        return charge_id
    captured = captured_charges(conn, order_id)
    return str(captured[-1]["id"]) if captured else None


def charge_standing(conn: Conn, order_id: int, charge_id: str | None) -> ChargeStanding:
    """Read the charge (named, or the latest capture) of ``order_id`` as it stands now.

    The caller checks that a named charge exists, belongs to the order and was captured.
    """
    captured = captured_charges(conn, order_id)
    resolved = resolve_charge(conn, order_id, charge_id)
    refunds = order_refunds(conn, order_id)
    by_charge: dict[str | None, int] = {}
    for refund in refunds:
        by_charge[refund["charge_id"]] = by_charge.get(refund["charge_id"], 0) + int(
            refund["amount_cents"]
        )
    # Refunds naming no charge: allotted to the latest captures first.
    unattributed = by_charge.get(None, 0)
    allotted: dict[str, int] = {}
    for charge in reversed(captured):
        room = max(0, int(charge["amount_cents"]) - by_charge.get(str(charge["id"]), 0))
        allotted[str(charge["id"])] = min(room, unattributed)
        unattributed -= allotted[str(charge["id"])]
    amounts = {str(c["id"]): int(c["amount_cents"]) for c in captured}
    currency = str(captured[-1]["currency"]) if captured else ""
    counted = [
        {
            "refund_id": r["id"],
            "amount": f"{format_cents(int(r['amount_cents']))} {r['currency']}",
            "at": r["created_at"],
            "key": r["idempotency_key"],
        }
        for r in refunds
        if r["charge_id"] == resolved or (r["charge_id"] is None and allotted.get(resolved or ""))
    ]
    total_refunded = sum(int(r["amount_cents"]) for r in refunds)
    return ChargeStanding(
        order_id=order_id,
        charge_id=resolved,
        currency=currency,
        charge_cents=amounts.get(resolved or "", 0),
        refunded_cents=(by_charge.get(resolved, 0) + allotted.get(resolved, 0)) if resolved else 0,
        order_left_cents=sum(amounts.values()) - total_refunded,
        refunds=counted,
    )
