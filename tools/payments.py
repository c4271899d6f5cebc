"""The ``issue_refund`` tool: return money to a customer's original payment method.

Irreversible. Each domain rule refuses with a one-line reason the worker can act on, and
the refund is recorded under the call's idempotency key so a retried call never pays twice.
"""

from __future__ import annotations

import hashlib
import sqlite3
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.money import format_cents, to_cents
from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World
from tools.world_db import connect, immediate, utc_timestamp


class IssueRefundArgs(BaseModel):
    """Arguments of ``issue_refund``."""

    model_config = ConfigDict(extra="forbid")

    order_id: int = Field(description="The order being refunded.")
    customer_id: int = Field(description="The customer who owns the order.")
    amount: Decimal = Field(gt=0, description="Amount to refund in major units, e.g. '129.00'.")
    currency: str = Field(
        pattern=r"^[A-Za-z]{3}$", description="ISO currency code of the order, e.g. 'USD'."
    )
    reason: str = Field(
        min_length=3, max_length=500, description="Why, e.g. 'duplicate charge ch_5531_2'."
    )


def _recorded(row: sqlite3.Row, duplicate: bool) -> dict[str, Any]:
    return {
        "refund_id": row["id"],
        "order_id": row["order_id"],
        "customer_id": row["customer_id"],
        "amount": format_cents(row["amount_cents"]),
        "currency": row["currency"],
        "status": "succeeded",
        "duplicate": duplicate,
    }


def _check_rules(conn: sqlite3.Connection, args: IssueRefundArgs, cents: int) -> str:
    """Raise ``ToolRejected`` if a rule forbids the refund; return the charge to refund."""
    order = conn.execute("SELECT * FROM orders WHERE id = ?", (args.order_id,)).fetchone()
    if order is None:
        raise ToolRejected(f"order {args.order_id} does not exist")
    if order["customer_id"] != args.customer_id:
        raise ToolRejected(f"order {args.order_id} does not belong to customer {args.customer_id}")
    currency = args.currency.upper()
    if currency != order["currency"]:
        raise ToolRejected(
            f"currency {currency} does not match order {args.order_id}'s currency "
            f"{order['currency']}"
        )
    if cents <= 0:
        raise ToolRejected("refund amount must be greater than zero")
    captures = conn.execute(
        "SELECT id, amount_cents FROM charges WHERE order_id = ? AND status = 'captured'"
        " ORDER BY created_at",
        (args.order_id,),
    ).fetchall()
    captured = sum(c["amount_cents"] for c in captures)
    refunded = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM refunds WHERE order_id = ?", (args.order_id,)
    ).fetchone()[0]
    remaining = captured - refunded
    if cents > remaining:
        raise ToolRejected(
            f"refund {format_cents(cents)} {currency} exceeds the refundable "
            f"{format_cents(remaining)} {currency} left on order {args.order_id} "
            f"(captured {format_cents(captured)}, already refunded {format_cents(refunded)})"
        )
    # The latest capture: for a duplicate charge, that is the extra one.
    return str(captures[-1]["id"])


def issue_refund(world: World, args: IssueRefundArgs, idempotency_key: str) -> dict[str, Any]:
    """Refund once per ``idempotency_key``; a repeat returns the recorded refund."""
    try:
        cents = to_cents(args.amount)
    except ValueError as exc:
        raise ToolRejected(str(exc)) from exc
    select = "SELECT * FROM refunds WHERE idempotency_key = ?"
    conn = connect(world)
    try:
        # The immediate transaction serialises check-then-insert across workers, so two
        # different refunds cannot both pass the remaining-amount check.
        with immediate(conn):
            existing = conn.execute(select, (idempotency_key,)).fetchone()
            if existing is not None:
                return _recorded(existing, duplicate=True)
            charge_id = _check_rules(conn, args, cents)
            refund_id = "re_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
            conn.execute(
                "INSERT INTO refunds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    refund_id,
                    charge_id,
                    args.order_id,
                    args.customer_id,
                    cents,
                    args.currency.upper(),
                    args.reason,
                    idempotency_key,
                    utc_timestamp(),
                ),
            )
            return _recorded(conn.execute(select, (idempotency_key,)).fetchone(), False)
    finally:
        conn.close()


def build_issue_refund(world: World) -> ToolSpec:
    """Build the refund tool over ``world``'s refunds table."""

    def run(args: IssueRefundArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return issue_refund(world, args, ctx.idempotency_key)

    return ToolSpec(
        name="issue_refund",
        description=(
            "Refund money to the customer's original payment method. IRREVERSIBLE: needs "
            "human approval. The amount may not exceed what was captured for the order minus "
            "earlier refunds, and must be in the order's currency."
        ),
        args_schema=IssueRefundArgs,
        reversible=False,
        run=run,
    )
