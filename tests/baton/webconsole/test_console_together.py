"""Several pending approvals of one thread, answered together in one decision request.

The models are scripted (``tests/fakes.py``): a plan of two refunds after a check and a draft,
each operator step proposing its own, so the thread waits on two approvals at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fakes import Turn, scripted_tiers, tool_call

from agents.models.offline_reading import order_id
from graphs.settings import Settings
from tests.baton.service.served import served

ORDERS = {5531: (1042, "129.00", "USD"), 5602: (1077, "49.00", "EUR")}


def _plan(turn: Turn) -> dict[str, Any]:
    if "### " in turn.task:
        return {"rationale": "Both refunds have a result.", "done": True}
    checks = [
        {"id": "v", "worker": "analyst", "instruction": "Verify both duplicate charges."},
        {"id": "d", "worker": "writer", "instruction": "Write the note for the refunds."},
    ]
    steps = [
        {
            "id": f"r{order}",
            "worker": "operator",
            "instruction": f"Refund order {order}.",
            "depends_on": ["v", "d"],
        }
        for order in ORDERS
    ]
    return {"rationale": "Two refunds, once verified and drafted.", "steps": [*checks, *steps]}


def _operator(turn: Turn) -> Any:
    if turn.tool_results:
        return f"Outcome: {turn.tool_results[-1].text}"
    order = order_id(turn.field("Instruction"))
    assert order is not None
    customer, amount, currency = ORDERS[order]
    args = {
        "order_id": order,
        "customer_id": customer,
        "amount": amount,
        "currency": currency,
        "reason": "duplicate charge",
    }
    return tool_call("issue_refund", args, f"Refund order {order}.", turn.field("Step"))


SCRIPT = {
    "Route": lambda t: {"route": "orchestrate", "reason": "Two refunds."},
    "Plan": _plan,
    "operator": _operator,
    "analyst": lambda t: "Both orders were charged twice; each duplicate is refundable.",
    "writer": lambda t: "A short note: both duplicate charges are being refunded.",
}


async def test_two_approvals_of_one_thread_are_answered_together(tmp_path: Path) -> None:
    tiers, _ = scripted_tiers(SCRIPT)
    async with served(Settings(home=tmp_path / "home", _env_file=None), tiers=tiers) as app:
        thread_id = (await app.sdk.threads.create())["thread_id"]
        request = "Refund the duplicate charges on orders 5531 and 5602."
        await app.sdk.runs.wait(thread_id, "baton", input={"request": request})
        items = (await app.http.get("/console/api/inbox")).json()["items"]
        assert sorted(i["args"]["order_id"] for i in items) == [5531, 5602]
        assert {i["thread_id"] for i in items} == {thread_id}

        body = {
            "decider": "ann",
            "decisions": [{"id": i["id"], "type": "approve"} for i in items],
        }
        reply = await app.http.post(f"/console/api/threads/{thread_id}/decisions", json=body)
        assert reply.status_code == 200, reply.text
        assert reply.json()["decided"] == sorted(i["id"] for i in items)
        await app.sdk.runs.join(thread_id, reply.json()["run_id"])

        view = (await app.http.get(f"/console/api/threads/{thread_id}")).json()
        assert view["status"] == "done" and view["approvals"] == []
        refunds = sorted(e["args"]["order_id"] for e in view["effects"] if e["status"] == "done")
        assert refunds == [5531, 5602]
        deciders = {r["decider"] for r in view["audit"] if r["event"] == "decided"}
        assert deciders == {"ann (tenant acme, baton serve)"}
        assert (await app.http.get("/console/api/inbox")).json() == {"items": []}
