"""What the sample world holds after runs: emails in the outbox, refunds, tickets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from baton.console import say

if TYPE_CHECKING:
    from tools.world import World


def world_contents(world: World) -> dict[str, list[dict[str, Any]]]:
    """Outbox emails, refunds and tickets, read without writing anything."""
    from persistence.world.report import refunds_and_tickets
    from tools.money import format_cents
    from tools.outbox import outbox_messages

    emails = [
        {"to": m["To"], "subject": m["Subject"], "message_id": m["Message-ID"]}
        for m in outbox_messages(world)
    ]
    refunds, tickets = refunds_and_tickets(world)
    refunds = [{**row, "amount": format_cents(row["amount_cents"])} for row in refunds]
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
