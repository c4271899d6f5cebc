"""Review rules run over every customer draft before it may be sent, one ``Send`` each.

Each rule is a deterministic check against the business db and the policy documents, so
a verdict is reproducible and cheap; a failed rule's reasons go back to the writer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from persistence.world.report import customer_amounts, customer_name, internal_notes
from state.draft import Draft
from tools.knowledge_base import policy_text
from tools.world import World

_MONEY = re.compile(r"(?:[$€£]\s?)?\b(\d{1,3}(?:,\d{3})+|\d+)\.(\d{2})\b")
_BANNED = (
    "calm down",
    "as i said",
    "as i already said",
    "nothing we can do",
    "you should have",
    "your fault",
    "obviously",
)
_CASE_ID = re.compile(r"\b[A-Z]{2,}-\d{3,}\b")
_PROMISE_WORDS = re.compile(r"\b(guarantee\w*|immediately|instantly|right away|within 24 hours)\b")
_INTERNAL = re.compile(
    r"\b(ch_\w+|internal note|idempotency|select\s+\w+\s+from|customer_id=|tool call)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ReviewRule:
    """A named check; ``check`` returns the reasons it fails (empty when it passes)."""

    name: str
    description: str
    check: Callable[[Draft, World], list[str]]


def check_tone(draft: Draft, world: World) -> list[str]:
    """Greets by first name, signs off as the team, no banned phrases (tone guide)."""
    reasons = []
    name = customer_name(world, draft.customer_id)
    first = name.split()[0] if name else None
    opening = draft.body.lstrip().split("\n", 1)[0]
    if first and not re.match(rf"^(hi|hello|dear)\s+{re.escape(first)}\b", opening, re.I):
        reasons.append(f"greet the customer by first name ('Hi {first},')")
    if "The Support Team" not in draft.body:
        reasons.append("sign off with '— The Support Team'")
    low = draft.body.lower()
    reasons += [f"remove the phrase '{p}' (tone guide)" for p in _BANNED if p in low]
    if re.search(r"\b[A-Z]{5,}\b", draft.body):
        reasons.append("no shouting in capitals")
    return reasons


def _allowed_amounts(world: World, customer_id: int) -> set[Decimal]:
    return {Decimal(cents) / 100 for cents in customer_amounts(world, customer_id)}


def check_amounts(draft: Draft, world: World) -> list[str]:
    """Every amount in the draft is a real charge, refund or order of this customer."""
    allowed = _allowed_amounts(world, draft.customer_id)
    reasons = []
    for whole, cents in _MONEY.findall(f"{draft.subject}\n{draft.body}"):
        amount = Decimal(f"{whole.replace(',', '')}.{cents}")
        if amount not in allowed:
            reasons.append(
                f"amount {amount} matches no charge, refund or order of customer "
                f"{draft.customer_id}"
            )
    return reasons


def check_no_internal_data(draft: Draft, world: World) -> list[str]:
    """No internal ids, notes, queries or other people's addresses."""
    text = f"{draft.subject}\n{draft.body}"
    reasons = [f"remove internal detail '{m.group(0)}'" for m in _INTERNAL.finditer(text)]
    others = {e.lower() for e in re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text)} - {draft.to.lower()}
    reasons += [f"remove the address {email}" for email in sorted(others)]
    notes = internal_notes(world)
    low = text.lower()
    reasons += ["remove text copied from an internal note" for n in notes if n.lower()[:40] in low]
    # Case ids written in internal notes (a risk case, a chargeback) are internal too.
    ids = {i for note in notes for i in _CASE_ID.findall(note)}
    reasons += [f"remove internal case id '{i}'" for i in sorted(ids) if i.lower() in low]
    return reasons


def check_promises(draft: Draft, world: World) -> list[str]:
    """Timings and promises agree with the refund policy."""
    policy = policy_text(world, "refund-policy")
    span = re.search(r"(\d+)\s*[–-]\s*(\d+) business days", policy)
    low, high = (int(span.group(1)), int(span.group(2))) if span else (5, 10)
    reasons = [
        f"do not promise '{m.group(0)}': the refund policy says {low}–{high} business days"
        for m in _PROMISE_WORDS.finditer(draft.body.lower())
    ]
    for match in re.finditer(r"(\d+)(?:\s*[–-]\s*(\d+))?\s+(?:business\s+)?days", draft.body):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if first < low or last > high:
            reasons.append(
                f"'{match.group(0)}' contradicts the refund policy ({low}–{high} business days)"
            )
    return reasons


RULES: dict[str, ReviewRule] = {
    rule.name: rule
    for rule in (
        ReviewRule("tone", "Tone guide: greeting, sign-off, banned phrases.", check_tone),
        ReviewRule("amounts", "Amounts match the business db.", check_amounts),
        ReviewRule("no_internal_data", "No internal data leaked.", check_no_internal_data),
        ReviewRule("promises", "Promises consistent with policy.", check_promises),
    )
}


def review_all(draft: Draft, world: World) -> list[dict[str, Any]]:
    """Every rule's verdict on one text, in rule order: rule, passed, reasons."""
    verdicts: list[dict[str, Any]] = []
    for rule in RULES.values():
        reasons = rule.check(draft, world)
        verdicts.append({"rule": rule.name, "passed": not reasons, "reasons": reasons})
    return verdicts
