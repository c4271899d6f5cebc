"""All of Baton's tools over one world, keyed by the name a model calls them by."""

from __future__ import annotations

from tools.calculator import build_calculate
from tools.customers import build_find_customer
from tools.drafts import build_draft_email
from tools.kb_search import build_kb_search
from tools.outbox import build_send_email
from tools.payments import build_issue_refund
from tools.spec import ToolSpec
from tools.sql_query import build_sql_query
from tools.tickets import build_file_ticket
from tools.world import World


def build_tools(world: World) -> dict[str, ToolSpec]:
    """Build every tool over ``world`` (opening it is the caller's: ``World.open``)."""
    specs = [
        build_kb_search(world),
        build_find_customer(world),
        build_sql_query(world),
        build_calculate(world),
        build_draft_email(world),
        build_issue_refund(world),
        build_send_email(world),
        build_file_ticket(world),
    ]
    return {spec.name: spec for spec in specs}
