"""A scripted model conversation in which one thread waits on two refund approvals at once.

The plan checks the charges (analyst) and drafts a note (writer), then two operator steps,
each depending on both, propose one refund each in parallel: the thread is interrupted
with both approvals pending. Served by the strict OpenAI-compatible test server.
"""

from __future__ import annotations

from typing import Any

REQUEST = "Refund the duplicate charges on orders 5531 and 5602."
ORDERS = {5531: (1042, "129.00", "USD"), 5602: (1077, "49.00", "EUR")}


def _call(name: str, args: dict[str, Any], salt: str) -> dict[str, Any]:
    return {"id": f"call_{name}_{salt}", "name": name, "arguments": args}


def replies() -> list[dict[str, Any]]:
    """The replies, in the order the queue should offer them."""
    steps: list[dict[str, Any]] = [
        {"id": "v", "worker": "analyst", "instruction": "Verify both duplicate charges."},
        {"id": "d", "worker": "writer", "instruction": "Write the note for the refunds."},
    ]
    steps[0]["depends_on"] = steps[1]["depends_on"] = []
    for order in ORDERS:
        steps.append(
            {
                "id": f"r{order}",
                "worker": "operator",
                "instruction": f"Refund order {order}.",
                "depends_on": ["v", "d"],
            }
        )
    plan = {"rationale": "Two refunds, once verified and drafted.", "steps": steps}
    done = {"rationale": "Both refunds have a result.", "done": True}
    route = {"route": "orchestrate", "reason": "Two refunds."}
    out: list[dict[str, Any]] = [
        {"when": "You are Baton's triage router", "tool_calls": [_call("Route", route, "r")]},
        {"when": "You are Baton's planner.", "tool_calls": [_call("Plan", plan, "p1")]},
        {"when": "You are Baton's planner.", "tool_calls": [_call("Plan", done, "p2")]},
        {
            "when": "You are Baton's analyst.",
            "content": "Both orders were charged twice; each duplicate is refundable.",
        },
        {
            "when": "You are Baton's writer.",
            "content": "A short note: both duplicate charges are being refunded.",
        },
    ]
    for order, (customer, amount, currency) in ORDERS.items():
        args = {
            "order_id": order,
            "customer_id": customer,
            "amount": amount,
            "currency": currency,
            "reason": "duplicate charge",
        }
        out.append(
            {
                "when": f"Refund order {order}.",
                "content": f"Refund order {order}.",
                "tool_calls": [_call("issue_refund", args, str(order))],
            }
        )
    for order in ORDERS:
        out.append({"when": f"Refund order {order}.", "content": f"Refunded order {order}."})
    answer = (
        "Both duplicate charges were verified [v]; "
        "order 5531 [r5531] and order 5602 [r5602] were refunded."
    )
    out.append({"when": "You are Baton's synthesizer.", "content": answer})
    return out
