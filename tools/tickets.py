"""The ``file_ticket`` tool: open an engineering ticket for a reported problem.

Reversible (a ticket can be closed), yet still keyed by the call's idempotency key: a
re-run node must not open the same ticket twice.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from persistence.world import tickets as stored
from persistence.world.customers import exists
from persistence.world.store import write
from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World


class FileTicketArgs(BaseModel):
    """Arguments of ``file_ticket``."""

    model_config = ConfigDict(extra="forbid")

    product: str = Field(min_length=1, max_length=100, description="Product or area affected.")
    severity: Literal["low", "medium", "high", "critical"] = Field(
        description="Per the escalation rules: critical, high, medium or low."
    )
    title: str = Field(min_length=5, max_length=120, description="Short ticket title.")
    summary: str = Field(min_length=10, max_length=2000, description="What is wrong, briefly.")
    body: str = Field(
        min_length=1, max_length=10000, description="Steps to reproduce, observed vs expected."
    )
    customer_id: int | None = Field(default=None, description="Reporting customer, if known.")


def _ticket(row: Any, duplicate: bool) -> dict[str, Any]:
    return {
        "ticket_id": row["id"],
        "product": row["product"],
        "severity": row["severity"],
        "title": row["title"],
        "customer_id": row["customer_id"],
        "created_at": row["created_at"],
        "duplicate": duplicate,
    }


def file_ticket(world: World, args: FileTicketArgs, idempotency_key: str) -> dict[str, Any]:
    """Insert the ticket once per ``idempotency_key``; a repeat returns the same ticket."""
    with write(world) as conn:
        existing = stored.ticket_by_key(conn, idempotency_key)
        if existing is not None:
            return _ticket(existing, duplicate=True)
        if args.customer_id is not None and not exists(conn, args.customer_id):
            raise ToolRejected(f"customer {args.customer_id} does not exist")
        stored.insert_ticket(
            conn,
            customer_id=args.customer_id,
            product=args.product,
            severity=args.severity,
            title=args.title,
            summary=args.summary,
            body=args.body,
            idempotency_key=idempotency_key,
        )
        return _ticket(stored.ticket_by_key(conn, idempotency_key), duplicate=False)


def build_file_ticket(world: World) -> ToolSpec:
    """Build the ticket tool over ``world``'s tickets table."""

    def run(args: FileTicketArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return file_ticket(world, args, ctx.idempotency_key)

    return ToolSpec(
        name="file_ticket",
        description=(
            "File an engineering ticket for a bug or outage, with product, severity (per the "
            "escalation rules), title, summary and reproduction details."
        ),
        args_schema=FileTicketArgs,
        reversible=True,
        run=run,
    )
