"""The offline stand-in's worker behaviours: researcher, analyst, writer, operator.

Each behaviour looks at the task text and the tool results so far and returns the next
tool call ``(name, args, reason)`` or a final answer string. Nothing is remembered between
calls: the same conversation always gets the same reply, in any process.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from agents.models import offline_reading as read
from agents.models.offline_turns import Call, Reply, ToolOutcome
from agents.models.offline_turns import last as _last
from agents.models.offline_turns import parse_json as _json
from persistence.world.report import charges_query

_STOPWORD_TEXT = (
    "a an and are as at be by can could do does for from has have how i in is it its me "
    "my of on or our please should so that the their them they this to up us was we were "
    "what when where which who why will with would you your find policy"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def researcher(task: str, outcomes: list[ToolOutcome]) -> Reply:
    """Search the knowledge base once, then answer from the best hits."""
    search = _last(outcomes, "kb_search")
    if search is None:
        text = read.field(task, "Instruction") or read.field(task, "Request")
        words = [w for w in re.findall(r"[\w'-]+", text.lower()) if w not in _STOPWORDS]
        query = " ".join(words) or text
        return Call("kb_search", {"query": query[:500], "k": 3}, "Look up the policy.")
    hits = _json(search.content) if search.ok else None
    if not isinstance(hits, list) or not hits:
        return "The knowledge base has nothing on this."
    parts = [f"{h.get('snippet', '').strip()} ({h.get('cite', '?')})" for h in hits[:2]]
    return "According to the knowledge base: " + " ".join(parts)


def _money(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _who(task: str, outcomes: list[ToolOutcome]) -> tuple[dict[str, Any], Reply | None]:
    """Whom the step is about, as sql_query's subject arguments; or the next move to find out.

    Ids in the task come first; else a name or email in the request is looked up with
    ``find_customer``, and anything but exactly one match ends the step with its question.
    """
    order, customer = read.order_id(task), read.customer_id(task)
    if order is not None:
        return {"order_id": order}, None
    if customer is not None:
        return {"customer_id": customer}, None
    found = _last(outcomes, "find_customer")
    if found is None:
        request = read.field(task, "Request") or task
        name, email = read.person_name(request), read.email(request)
        if name is None and email is None:
            return {}, (
                "Which customer? The request names no customer id, order, name or email; "
                "ask the requester which customer and order this is about."
            )
        args = {k: v for k, v in (("name", name), ("email", email)) if v is not None}
        return {}, Call("find_customer", args, "Find the customer the request names.")
    match = _json(found.content) if found.ok else None
    if not isinstance(match, dict) or match.get("matches") != 1:
        question = match.get("question") if isinstance(match, dict) else found.content
        return {}, f"Which customer? {question}."
    return {"customer_id": int(match["customer_id"])}, None


def analyst(task: str, outcomes: list[ToolOutcome]) -> Reply:
    """Find whom it is about, query the charges, find a duplicate, compute what is refundable."""
    sql = _last(outcomes, "sql_query")
    if sql is None:
        subject, move = _who(task, outcomes)
        if move is not None:
            return move
        excluded = read.excluded_order(read.field(task, "Instruction"))
        statement = charges_query(
            order_id=subject.get("order_id"),
            customer_id=subject.get("customer_id"),
            excluded_order=excluded,
        )
        query = {"sql": statement, **subject}
        return Call("sql_query", query, "Read the charges.")
    table = _json(sql.content) if sql.ok else None
    if not isinstance(table, dict) or "charge_id" not in table.get("columns", []):
        return f"Records: {sql.content[:500]}"
    rows = [dict(zip(table["columns"], row, strict=False)) for row in table["rows"]]
    captured = [r for r in rows if r["status"] == "captured"]
    groups: dict[tuple[int, int, str], list[dict[str, Any]]] = {}
    for row in captured:
        groups.setdefault((row["order_id"], row["amount_cents"], row["currency"]), []).append(row)
    dupes = [g for g in groups.values() if len(g) > 1]
    if not dupes:
        return f"No duplicate charge found: {len(captured)} captured charge(s) in the records."
    group = dupes[0]
    first = group[0]
    calc = _last(outcomes, "calculate")
    if calc is None:
        expr = f"({len(group)} - 1) * {_money(first['amount_cents'])}"
        return Call("calculate", {"expression": expr}, "Amount charged more than once.")
    value = _json(calc.content)
    raw = value.get("result") if isinstance(value, dict) else value
    duplicate = Decimal(str(raw)) if raw is not None else Decimal(first["amount_cents"]) / 100
    # What was already refunded on the order counts against the duplicate still owed.
    refundable = duplicate - Decimal(first["refunded_cents"]) / 100
    if refundable <= 0:
        return (
            f"Order {first['order_id']} was charged {len(group)} times, and the duplicate "
            "has already been refunded; nothing more is owed."
        )
    return (
        f"Order {first['order_id']} was charged {len(group)} times "
        f"({_money(first['amount_cents'])} {first['currency']} each, charges "
        f"{', '.join(r['charge_id'] for r in group)}).\n"
        f"duplicate_charge: customer_id={first['customer_id']} order_id={first['order_id']} "
        f"charge_id={group[-1]['charge_id']} amount={refundable:.2f} "
        f"currency={first['currency']} name={json.dumps(first['name'])} email={first['email']}"
    )


def writer(task: str, outcomes: list[ToolOutcome]) -> Reply:
    """Draft the customer email from the analyst's finding and the policy."""
    facts = read.key_values("duplicate_charge", task)
    if not facts:
        return "No verified duplicate charge in the context; nothing to draft."
    saved = _last(outcomes, "draft_email")
    if saved is not None:
        return f"Draft saved for customer {facts['customer_id']}." if saved.ok else saved.content
    # A human changed a value since (an edited refund amount): the draft says the new one.
    facts.update({k: v for k, v in read.human_changes(task).items() if k in facts})
    span = re.search(r"(\d+)\s*[–-]\s*(\d+) business days", task)
    days = f"{span.group(1)}–{span.group(2)}" if span else "5–10"
    first_name = facts["name"].split()[0]
    body = (
        f"Hi {first_name},\n\n"
        f"Thank you for your patience, and I'm sorry for the trouble. Your order "
        f"{facts['order_id']} was charged twice. We are refunding the duplicate charge of "
        f"{facts['amount']} {facts['currency']} to your original payment method; it should "
        f"arrive within {days} business days.\n\n"
        "— The Support Team"
    )
    args = {
        "customer_id": int(facts["customer_id"]),
        "to": facts["email"],
        "subject": f"Refund of the duplicate charge on order {facts['order_id']}",
        "body": body,
        "regarding": f"order {facts['order_id']}: duplicate charge refunded",
    }
    return Call("draft_email", args, "Save the customer email draft.")


def operator(task: str, outcomes: list[ToolOutcome]) -> Reply:
    """Issue the refund, then send the approved email; stop if a human says no."""
    facts = read.key_values("duplicate_charge", task)
    if not facts:
        return "Nothing to do: no duplicate charge was verified."
    refund = _last(outcomes, "issue_refund")
    earlier = [e for e in read.done_effects(task) if e.get("tool") == "issue_refund"]
    if refund is None and earlier:  # this step refunded before it stopped for a redone draft
        content = json.dumps(earlier[-1].get("result"))
        refund = ToolOutcome("issue_refund", earlier[-1].get("args") or {}, content, True)
    if refund is None:
        args = {
            "order_id": int(facts["order_id"]),
            "customer_id": int(facts["customer_id"]),
            "amount": facts["amount"],
            "currency": facts["currency"],
            "reason": "duplicate charge",
        }
        if facts.get("charge_id"):
            args["charge_id"] = facts["charge_id"]
        return Call(
            "issue_refund",
            args,
            f"Refund the duplicate charge on order {facts['order_id']} "
            f"({facts['amount']} {facts['currency']}), as the refund policy requires.",
        )
    if not refund.ok:
        return f"Refund not issued ({refund.content}); the email was not sent, as it announces it."
    issued = _json(refund.content) or {}
    if issued.get("status") == "already_done":
        return (
            f"Not refunded again: the duplicate charge on order {facts['order_id']} was already "
            f"refunded by {issued.get('done_by')}. No email was sent from here."
        )
    draft = read.json_after("Draft", task)
    sent = _last(outcomes, "send_email")
    if sent is None and draft:
        keys = ("to", "subject", "body", "customer_id", "regarding")
        args = {k: draft[k] for k in keys if draft.get(k) is not None}
        return Call("send_email", args, f"Tell {draft.get('to')} about the refund.")
    amount = f"{issued.get('amount', facts['amount'])} {issued.get('currency', '')}".strip()
    if sent is None:
        return f"Refunded {amount}; no approved draft was available, so no email was sent."
    if not sent.ok:
        return f"Refunded {amount}; the email was not sent ({sent.content})."
    mailed = _json(sent.content) or {}
    if mailed.get("status") == "already_done":
        return (
            f"Refunded {amount} on order {facts['order_id']}; the same email was already sent "
            f"by {mailed.get('done_by')}, so it was not sent again."
        )
    return f"Refunded {amount} on order {facts['order_id']} and emailed {facts['email']}."


BEHAVIOURS = {
    "researcher": researcher,
    "analyst": analyst,
    "writer": writer,
    "operator": operator,
}
