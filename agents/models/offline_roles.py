"""The offline stand-in's structured roles: triage, planner, synthesizer, ticket chain.

Each function maps the conversation's text to the arguments of one schema's tool call.
"""

from __future__ import annotations

import re
from typing import Any

from agents.models import offline_reading as read

_PRODUCTS = ("mobile app", "dashboard", "billing page", "api", "export", "login", "checkout")


def triage(request: str, history: str = "") -> dict[str, Any]:
    """Route a request by what it asks for, read with the conversation so far."""
    if read.about_conversation(request, history):
        return {"route": "recall", "reason": "A question about this conversation's earlier turns."}
    kind = read.intent(read.resolve(request, history))
    if kind == "refund":
        return {"route": "orchestrate", "reason": "Money is involved: verify, refund and tell."}
    if kind == "bug":
        return {"route": "ticket", "reason": "A problem report: file it as a ticket."}
    return {"route": "answer", "reason": "A question the policy knowledge base can answer."}


def plan(request: str, has_results: bool, history: str = "") -> dict[str, Any]:
    """First iteration: steps by intent. Later iterations: done, results suffice."""
    if has_results:
        return {"rationale": "Every step has a result; nothing more is needed.", "done": True}
    request = read.resolve(request, history)
    order, customer = read.order_id(request), read.customer_id(request)
    excluded = read.excluded_order(request)
    who = " ".join(
        part
        for part in (
            f"order {order}" if order else "",
            f"customer {customer}" if customer else "",
            f"(orders other than {excluded})" if excluded else "",
        )
        if part
    )
    if read.intent(request) == "refund":
        steps = [
            {
                "id": "s1",
                "worker": "analyst",
                "instruction": f"Verify the captured charges for {who or 'the customer'} and "
                "compute the duplicate amount still refundable.",
                "depends_on": [],
            },
            {
                "id": "s2",
                "worker": "researcher",
                "instruction": "Find the refund policy for duplicate charges and refund timing.",
                "depends_on": [],
            },
            {
                "id": "s3",
                "worker": "writer",
                "instruction": "Draft an email to the customer explaining the duplicate charge "
                "and the refund, following the tone guide.",
                "depends_on": ["s1", "s2"],
            },
            {
                "id": "s4",
                "worker": "operator",
                "instruction": "Issue the refund for the duplicate charge, then send the "
                "approved email to the customer.",
                "depends_on": ["s1", "s3"],
            },
        ]
        return {"rationale": "Verify, check policy, draft, then act.", "steps": steps}
    steps = [
        {"id": "s1", "worker": "researcher", "instruction": request[:2000], "depends_on": []},
        {
            "id": "s2",
            "worker": "analyst",
            "instruction": f"Look up the records relevant to: {request[:1900]}",
            "depends_on": [],
        },
    ]
    return {"rationale": "Consult the knowledge base and the records.", "steps": steps}


def synthesize(text: str) -> str:
    """Summarise each step's result, citing it by id; a lone answer step is the answer."""
    blocks = re.findall(
        r"^### (\S+) \((\S+)\) status=(\S+)\n(.*?)(?=^### |\Z)", text, re.MULTILINE | re.DOTALL
    )
    if len(blocks) == 1 and blocks[0][0] == "answer":
        step, _, status, body = blocks[0]
        found = body.split("\nSources:")[0].strip() or status
        return found if "#" in found else f"{found} [{step}]"
    lines = []
    for step, worker, status, body in blocks:
        first = body.strip().splitlines()[0] if body.strip() else status
        lines.append(f"- {worker}: {first} [{step}]")
    return "Here is what was done:\n" + "\n".join(lines) if lines else "Nothing was done."


def extract_ticket(request: str) -> dict[str, Any]:
    """Pull a ticket's fields out of a problem report."""
    low = request.lower()
    product = next((p for p in _PRODUCTS if re.search(rf"\b{p}\b", low)), "general")
    if re.search(r"crash|data loss|lost (?:all|my) data|outage|down for everyone", low):
        severity = "high"
    elif re.search(r"can'?t|cannot|unable|fails?|error|broken", low):
        severity = "medium"
    else:
        severity = "low"
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", request) if s.strip()]
    steps = [s for s in sentences if re.search(r"\b(click|open|tap|go to|press|upload)", s, re.I)]
    return {
        "customer_id": read.customer_id(request),
        "product": product,
        "severity": severity,
        "steps_to_reproduce": steps[:5],
        "observed": request.strip()[:2000],
    }


def summarize_ticket(text: str) -> dict[str, Any]:
    """A title and summary from the extracted fields."""
    product = read.field(text, "Product") or "general"
    severity = read.field(text, "Severity") or "low"
    observed = read.field(text, "Observed") or text.strip()
    first = re.split(r"(?<=[.!?])\s+", observed)[0][:90].rstrip(".")
    return {
        "title": f"[{severity}] {product}: {first}"[:120],
        "summary": f"Reported problem with the {product} ({severity} severity). {observed}"[:2000],
    }
