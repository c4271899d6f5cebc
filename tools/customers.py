"""Customers: finding the one a request names, and checking an address is theirs."""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from persistence.store_sql import Conn
from persistence.world import customers as stored
from persistence.world.store import read
from tools.spec import ToolCallContext, ToolRejected, ToolSpec
from tools.world import World


def check_recipient(world: World, customer_id: int, to: str) -> str:
    """Return the customer's address on file; ``ToolRejected`` if unknown or ``to`` differs.

    Addresses compare case-insensitively; any other difference is a different person, and
    mail to them would leak this customer's details.
    """
    with read(world) as conn:
        return recipient_on_file(conn, customer_id, to)


def recipient_on_file(conn: Conn, customer_id: int, to: str) -> str:
    """``check_recipient`` on an open connection to the world."""
    email = stored.email_on_file(conn, customer_id)
    if email is None:
        raise ToolRejected(f"customer {customer_id} does not exist")
    if to.strip().casefold() != email.casefold():
        raise ToolRejected(f"{to} is not the email on file for customer {customer_id}")
    return email


def customer_by_email(world: World, email: str) -> int | None:
    """The id of the customer with this address on file (compared case-insensitively)."""
    return stored.id_by_email(world, email)


class FindCustomerArgs(BaseModel):
    """Arguments of ``find_customer``: a name or an email as the request gives it."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(
        default=None, min_length=2, max_length=200, description="Full name, or a single name."
    )
    email: str | None = Field(default=None, max_length=320, description="Email address.")

    @model_validator(mode="after")
    def _one_of(self) -> FindCustomerArgs:
        if not (self.name or self.email):
            raise ValueError("give a name or an email")
        return self


def _folded(text: str) -> str:
    """Casefolded, accents dropped, blanks collapsed: 'Léa  MARTIN' -> 'lea martin'."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return " ".join(plain.casefold().split())


def _matches(name: str, wanted: str) -> bool:
    """The full name, or (for a single word) any one of its names."""
    folded = _folded(name)
    return folded == wanted or (" " not in wanted and wanted in folded.split())


def find_customer(world: World, args: FindCustomerArgs) -> dict[str, Any]:
    """The one customer matching; with several or none, a question instead of a guess.

    Several matches are counted, never listed: their names and emails are other
    customers' data.
    """
    found = stored.every_customer(world)
    asked = []
    if args.email:
        found = [r for r in found if str(r["email"]).casefold() == args.email.strip().casefold()]
        asked.append(f"email {args.email.strip()}")
    if args.name:
        wanted = _folded(args.name)
        found = [r for r in found if _matches(str(r["name"]), wanted)]
        asked.append(f"name {args.name.strip()!r}")
    what = " and ".join(asked)
    if len(found) == 1:
        row = found[0]
        return {
            "matches": 1,
            "customer_id": row["id"],
            "name": row["name"],
            "email": row["email"],
            "tier": row["tier"],
        }
    if found:
        question = (
            f"{len(found)} customers match {what}; ask the requester which one they mean "
            "(customer id or email) instead of guessing"
        )
    else:
        question = f"no customer matches {what}; ask the requester for the customer id or email"
    return {"matches": len(found), "question": question}


def build_find_customer(world: World) -> ToolSpec:
    """Build the customer lookup tool over ``world``'s customers table."""

    def run(args: FindCustomerArgs, ctx: ToolCallContext) -> dict[str, Any]:
        return find_customer(world, args)

    return ToolSpec(
        name="find_customer",
        description=(
            "Find the customer a request names, by name or email. Returns that one customer "
            "(id, name, email), or, when several or none match, a question to ask the "
            "requester: never guess between customers."
        ),
        args_schema=FindCustomerArgs,
        reversible=True,
        run=run,
    )
