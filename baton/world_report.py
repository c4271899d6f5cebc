"""What the sample world holds after runs: emails in the outbox, refunds, tickets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from baton.console import say

if TYPE_CHECKING:
    from tools.world import World


def world_contents(world: World) -> dict[str, list[dict[str, Any]]]:
    """Outbox emails, refunds and tickets, read without writing anything."""
    from tools.money import format_cents
    from tools.outbox import outbox_messages
    from tools.world_store import read

    emails = [
        {"to": m["To"], "subject": m["Subject"], "message_id": m["Message-ID"]}
        for m in outbox_messages(world)
    ]
    with read(world) as conn:
        refunds = [
            {**dict(row), "amount": format_cents(row["amount_cents"])}
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
    return {"emails": emails, "refunds": refunds, "tickets": tickets}


def print_world(contents: dict[str, list[dict[str, Any]]]) -> None:
    """Print the world's contents, one line per email, refund and ticket."""
    say(f"emails in the outbox: {len(contents['emails'])}")
    for email in contents["emails"]:
        say(
            f"  To: {email['to']} · Subject: {email['subject']} · Message-ID: {email['message_id']}"
        )
    say(f"refunds: {len(contents['refunds'])}")
    for refund in contents["refunds"]:
        say(
            f"  {refund['id']} · order {refund['order_id']} · customer {refund['customer_id']} · "
            f"{refund['amount']} {refund['currency']} · {refund['reason']}"
        )
    say(f"tickets: {len(contents['tickets'])}")
    for ticket in contents["tickets"]:
        say(f"  #{ticket['id']} · {ticket['severity']} · {ticket['product']} · {ticket['title']}")
