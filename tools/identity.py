"""Who a request names, and whether they own the orders it refers to.

"Customer 4242 was charged twice for order 5531": order 5531 belongs to customer 1042, and
4242 is nobody on file. Refunding and emailing 1042 may be right (the money is theirs), but
only once a person has seen that the requester and the owner differ. This reads the
customers a request names (by id, email or full name) and the orders it names (by id),
and says for each order whose owner is not among them who owns it. Plain matching against
the customers on file, no model: the same request always gives the same notes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from persistence.world.customers import customers_and_owners
from state.plan import Step
from tools.world import World

_IDS = r"s?\s*(?:ids?|numbers?|no\.?)?\s*#?\s*(\d{3,}(?:\s*(?:,|and|&|or)\s*#?\s*\d{3,})*)"
_CUSTOMER_ID = re.compile(rf"\bcustomer{_IDS}", re.IGNORECASE)
_ORDER_ID = re.compile(rf"\border{_IDS}", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class OwnerMismatch:
    """An order the request names whose owner is none of the customers it names."""

    order_id: int
    owner_id: int
    named: tuple[str, ...]
    """The customers the request names, as it names them ("customer 4242 (not on file)")."""

    @property
    def note(self) -> str:
        """One line for the plan, the approval and the audit."""
        return (
            f"the request names {' and '.join(self.named)}, but order {self.order_id} "
            f"belongs to customer {self.owner_id}: confirm who the customer is before acting"
        )


def _folded(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())


def owner_mismatches(world: World, text: str) -> list[OwnerMismatch]:
    """Each order ``text`` names that belongs to none of the customers it names.

    A request that names no customer, or no order, has nothing to compare.
    """
    orders = sorted({int(n) for m in _ORDER_ID.findall(text) for n in re.findall(r"\d+", m)})
    ids = {int(n) for m in _CUSTOMER_ID.findall(text) for n in re.findall(r"\d+", m)}
    emails = {m.rstrip(".").casefold() for m in _EMAIL.findall(text)}
    if not orders:
        return []
    folded = f" {_folded(text)} "
    customers, owners = customers_and_owners(world, orders)
    on_file = {int(c["id"]) for c in customers}
    known: set[int] = set()
    labels: list[str] = []
    for cid in sorted(ids):
        if cid in on_file:
            known.add(cid)
            labels.append(f"customer {cid}")
        else:
            labels.append(f"customer {cid} (not on file)")
    for customer in customers:
        cid = int(customer["id"])
        by_email = str(customer["email"]).casefold() in emails
        if cid not in known and (by_email or f" {_folded(str(customer['name']))} " in folded):
            known.add(cid)
            labels.append(f"customer {cid} ({customer['name']})")
    on_file_emails = {str(c["email"]).casefold() for c in customers}
    labels += [f"{email} (not on file)" for email in sorted(emails - on_file_emails)]
    if not labels:
        return []
    return [
        OwnerMismatch(order_id=order, owner_id=owner, named=tuple(labels))
        for order, owner in sorted(owners.items())
        if owner not in known
    ]


def with_identity(steps: list[Step], notes: list[str]) -> list[Step]:
    """Each step's instruction with the request's identity notes appended (the plan says so)."""
    suffix = " Identity: " + " ".join(f"{n}." for n in notes)
    return [s.model_copy(update={"instruction": (s.instruction + suffix)[:2000]}) for s in steps]
