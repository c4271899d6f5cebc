"""The ``issue_refund`` tool: return money for one charge to the original payment method.

Irreversible. Each domain rule refuses with a one-line reason the worker can act on. The
fact a refund creates is "money returned for this charge": the ledger lets one call per
charge run, and the insert re-checks, in its own transaction, that the charge is captured
and still has the amount left, counting refunds made by anyone (``tools.charges``). The
refund is recorded under the call's idempotency key so a retried call never pays twice.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from persistence.store_sql import Conn
from persistence.world import payments as stored
from persistence.world.store import read
from tools.charges import ChargeStanding, charge_standing, resolve_charge
from tools.money import format_cents, to_cents
from tools.spec import AlreadyDone, Fact, ToolCallContext, ToolRejected, ToolSpec
from tools.world import World


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
    charge_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_-]{1,64}$",
        description="The charge the money goes back for, e.g. the duplicate 'ch_5531_2' "
        "(default: the order's latest captured charge).",
    )


def _recorded(row: Any, duplicate: bool) -> dict[str, Any]:
    return {
        "refund_id": row["id"],
        "order_id": row["order_id"],
        "customer_id": row["customer_id"],
        "amount": format_cents(row["amount_cents"]),
        "currency": row["currency"],
        "status": "succeeded",
        "duplicate": duplicate,
    }


def _check_charge(conn: Conn, args: IssueRefundArgs) -> None:
    """A named charge must exist, belong to the order and have been captured."""
    if args.charge_id is None:
        return
    charge = stored.charge(conn, args.charge_id)
    if charge is None:
        raise ToolRejected(f"charge {args.charge_id} does not exist")
    if charge["order_id"] != args.order_id:
        raise ToolRejected(f"charge {args.charge_id} is not a charge of order {args.order_id}")
    if charge["status"] != "captured":
        raise ToolRejected(
            f"charge {args.charge_id} was not captured (status {charge['status']}); "
            "no money was taken, so none can go back"
        )


def _check_rules(conn: Conn, args: IssueRefundArgs, cents: int) -> ChargeStanding:
    """Raise ``ToolRejected`` (``AlreadyDone``) if the refund may not run; else the charge."""
    order = stored.order(conn, args.order_id)
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
    _check_charge(conn, args)
    charge = charge_standing(conn, args.order_id, args.charge_id)
    if charge.charge_id is None:
        raise ToolRejected(f"order {args.order_id} has no captured charge to refund")
    left = f"{format_cents(charge.refundable_cents)} {currency}"
    if charge.refundable_cents == 0 and charge.refunds:
        done = "; ".join(f"{r['refund_id']} {r['amount']} at {r['at']}" for r in charge.refunds)
        raise AlreadyDone(
            f"charge {charge.charge_id} of order {args.order_id} was already refunded in full "
            f"(refundable {left} left): {done}",
            [dict(r) for r in charge.refunds],
        )
    if cents > charge.refundable_cents:
        raise ToolRejected(
            f"refund {format_cents(cents)} {currency} exceeds the refundable {left} left on "
            f"charge {charge.charge_id} of order {args.order_id} (charged "
            f"{format_cents(charge.charge_cents)}, already refunded "
            f"{format_cents(charge.refunded_cents)}; the whole order has "
            f"{format_cents(charge.order_left_cents)} left)"
        )
    return charge


def issue_refund(world: World, args: IssueRefundArgs, idempotency_key: str) -> dict[str, Any]:
    """Refund once per ``idempotency_key``; a repeat returns the recorded refund."""
    try:
        cents = to_cents(args.amount)
    except ValueError as exc:
        raise ToolRejected(str(exc)) from exc
    # The refund's transaction (SQLite's write lock, PostgreSQL's advisory lock on the world)
    # serialises check-then-insert across workers, processes and replicas, so two
    # different refunds cannot both pass the remaining-amount check.
    with stored.refunding(world) as conn:
        existing = stored.refund_by_key(conn, idempotency_key)
        if existing is not None:
            return _recorded(existing, duplicate=True)
        charge_id = _check_rules(conn, args, cents).charge_id
        stored.insert_refund(
            conn,
            refund_id="re_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:16],
            charge_id=charge_id,
            order_id=args.order_id,
            customer_id=args.customer_id,
            amount_cents=cents,
            currency=args.currency.upper(),
            reason=args.reason,
            idempotency_key=idempotency_key,
        )
        return _recorded(stored.refund_by_key(conn, idempotency_key), False)


def refund_fact(world: World, args: IssueRefundArgs) -> str:
    """The fact a refund creates: money returned for one charge."""
    with read(world) as conn:
        charge = resolve_charge(conn, args.order_id, args.charge_id)
    return f"refund of charge {charge}" if charge else f"refund of order {args.order_id}"


def refund_standing(world: World, args: IssueRefundArgs) -> dict[str, Any]:
    """The charge as it stands now: its refundable remainder and the refunds against it."""
    with read(world) as conn:
        charge = charge_standing(conn, args.order_id, args.charge_id)
    if charge.charge_id is None:
        return {"refundable": f"0.00 {args.currency.upper()}", "charge_id": None}
    return {**charge.summary(), "refunds": [dict(r) for r in charge.refunds]}


def build_issue_refund(world: World) -> ToolSpec:
    """Build the refund tool over ``world``'s refunds table."""

    def run(args: IssueRefundArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return issue_refund(world, args, ctx.idempotency_key)

    return ToolSpec(
        name="issue_refund",
        description=(
            "Refund money for one charge to the customer's original payment method. "
            "IRREVERSIBLE: needs human approval. One refund per charge: name the charge "
            "(charge_id, e.g. the duplicate one); the amount may not exceed what is left on "
            "it, and must be in the order's currency."
        ),
        args_schema=IssueRefundArgs,
        reversible=False,
        run=run,
        fact=Fact(
            key=lambda args: refund_fact(world, args),
            standing=lambda args: refund_standing(world, args),
        ),
    )
