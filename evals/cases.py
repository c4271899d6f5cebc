"""The labelled cases: what each request should route to, call and leave in the world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

CASES_FILE = Path(__file__).with_name("cases.json")


class Refund(BaseModel):
    """One refund the run must leave in the world's ``refunds`` table."""

    model_config = ConfigDict(extra="forbid")

    order_id: int
    amount_cents: int = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Ticket(BaseModel):
    """The ticket the run must file (the fields given must match)."""

    model_config = ConfigDict(extra="forbid")

    severity: Literal["low", "medium", "high"] | None = None
    product: str | None = None


class Expect(BaseModel):
    """The final outcome: status, and what the world and the answer must show."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["done", "unresolved", "failed", "budget_exhausted"] = "done"
    refunds: list[Refund] = Field(
        default_factory=list, description="Exactly the new refunds (none when empty)."
    )
    ticket: Ticket | None = Field(default=None, description="A ticket filed; None: no ticket.")
    emails: int = Field(default=0, ge=0, description="Emails sent to the outbox.")
    cites: list[str] = Field(
        default_factory=list, description="The answer cites at least one of these sections."
    )


class Case(BaseModel):
    """One labelled request."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    family: str
    request: str = Field(min_length=1)
    route: Literal["answer", "ticket", "orchestrate", "recall"] | None = Field(
        default=None, description="The route it must take; None: any (or none)."
    )
    tool_args: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Per tool: arguments its first call must carry (a subset, compared as text).",
    )
    expect: Expect


def load_cases(path: Path = CASES_FILE) -> list[Case]:
    """Every case of ``path``, validated; ids are unique."""
    cases = TypeAdapter(list[Case]).validate_python(json.loads(path.read_text()))
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"{path.name}: duplicate case ids {', '.join(duplicates)}")
    return cases
