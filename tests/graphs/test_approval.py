"""Human decisions on irreversible calls: approve, edit, reject, answered by interrupt id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fakes import Turn, tool_call
from graph_run import Run

from agents.models.offline_reading import order_id
from graphs.approval import DecisionRefused, check_decision
from state.actions import ProposedAction, args_hash
from state.views import results_of
from tools.payments import IssueRefundArgs
from tools.spec import ToolSpec

DOUBLE_CHARGE = "Order 5531 for customer 1042 was charged twice, please refund it."
ORDERS = {5531: (1042, "129.00", "USD"), 5602: (1077, "49.00", "EUR")}


def refund_args(order: int) -> dict[str, Any]:
    customer, amount, currency = ORDERS[order]
    return {
        "order_id": order,
        "customer_id": customer,
        "amount": amount,
        "currency": currency,
        "reason": "duplicate charge",
    }


def edit_refund(args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "edit", "edited_action": {"name": "issue_refund", "args": args}}


def two_refunds_plan(turn: Turn) -> dict[str, Any]:
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
    return {
        "rationale": "Two independent refunds, once verified and drafted.",
        "steps": [*checks, *steps],
    }


def refunding_operator(turn: Turn) -> Any:
    """Propose the refund for the order in the instruction; then report what came back."""
    if turn.tool_results:
        return f"Outcome: {turn.tool_results[-1].text}"
    order = order_id(turn.field("Instruction"))
    assert order is not None
    return tool_call(
        "issue_refund", refund_args(order), f"Refund order {order}.", turn.field("Step")
    )


TWO_REFUNDS = {
    "Route": lambda t: {"route": "orchestrate", "reason": "Two refunds."},
    "Plan": two_refunds_plan,
    "operator": refunding_operator,
    "analyst": lambda t: "Both orders were charged twice; each duplicate is refundable.",
    "writer": lambda t: "A short note: both duplicate charges are being refunded.",
}


def by_order(run: Run) -> dict[int, Any]:
    return {i.value["args"]["order_id"]: i for i in run.interrupts}


def test_parallel_approvals_are_answered_one_at_a_time_by_id(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(TWO_REFUNDS)
    run.start("Refund the duplicate charges on orders 5531 and 5602.")
    pending = by_order(run)
    assert set(pending) == {5531, 5602}
    assert {i.value["step"] for i in pending.values()} == {"r5531", "r5602"}

    run.resume({pending[5602].id: {"type": "approve"}})
    still = by_order(run)
    assert list(still) == [5531]
    assert still[5531].id == pending[5531].id  # the unanswered one is the same request
    assert run.refunds(5602) == [(4900, "EUR")]
    assert run.refunds(5531) == []

    out = run.resume({still[5531].id: {"type": "approve"}})
    assert out["status"] == "done"
    assert run.interrupts == []
    assert run.refunds(5531) == [(12900, "USD")]
    assert run.refunds(5602) == [(4900, "EUR")]
    assert {e["tool"] for e in run.effects()} == {"issue_refund"}
    assert len(run.effects()) == 2


def test_an_edit_runs_the_edited_arguments_and_is_recorded(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    pending = run.pending("issue_refund")
    edited = {**pending.value["args"], "amount": "100.00", "reason": "partial, agreed by phone"}
    run.resume({pending.id: edit_refund(edited)})
    assert run.refunds(5531) == [(10000, "USD")]
    (effect,) = [e for e in run.effects() if e["tool"] == "issue_refund"]
    assert effect["args"]["amount"] == "100.00"
    assert effect["result"]["amount"] == "100.00"
    out = run.approve_all()
    (step_effect,) = [
        e for r in results_of(out).values() for e in r.effects if e["tool"] == "issue_refund"
    ]
    assert step_effect["decision"] == "edit"
    assert step_effect["args"]["reason"] == "partial, agreed by phone"
    assert "Refunded 100.00 USD" in out["final_answer"]


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"amount": "a hundred"}, "edited arguments invalid: amount"),
        ({"currency": "DOLLARS"}, "edited arguments invalid: currency"),
        ({"surprise": True}, "edited arguments invalid: surprise"),
    ],
)
def test_an_edit_with_invalid_arguments_is_asked_again_with_the_error(
    make_run: Callable[..., Run], change: dict[str, Any], error: str
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    pending = run.pending("issue_refund")
    bad = {**pending.value["args"], **change}
    run.resume(
        {pending.id: {"type": "edit", "edited_action": {"name": "issue_refund", "args": bad}}}
    )
    again = run.pending("issue_refund")
    assert again.value["error"].startswith(error)
    assert again.value["args"] == pending.value["args"]  # the proposal itself is unchanged
    assert run.refunds(5531) == []
    run.resume({again.id: {"type": "approve"}})
    assert run.refunds(5531) == [(12900, "USD")]


def test_an_edit_with_a_negative_amount_is_asked_again(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    pending = run.pending("issue_refund")
    bad = {**pending.value["args"], "amount": "-5"}
    run.resume(
        {pending.id: {"type": "edit", "edited_action": {"name": "issue_refund", "args": bad}}}
    )
    assert run.pending("issue_refund").value["error"].startswith("edited arguments invalid: amount")


def test_a_rejection_is_shown_to_the_worker_and_nothing_happens(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    pending = run.pending("issue_refund")
    out = run.resume({pending.id: {"type": "reject", "message": "customer already got credit"}})
    assert run.interrupts == []  # the operator does not go on to send the email
    assert run.refunds(5531) == []
    assert run.outbox() == []
    assert run.effects() == []
    operator = next(r for r in results_of(out).values() if r.worker == "operator")
    assert "Rejected by a human: customer already got credit" in operator.output
    # The operator's model saw the rejection as its tool result.
    last = [t for t in run.log.turns if t.key == "operator"][-1]
    assert any("customer already got credit" in m.text for m in last.tool_results)


def test_a_decision_for_different_arguments_is_refused_and_asked_again(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    pending = run.pending("issue_refund")
    run.resume({pending.id: {"type": "approve", "args_hash": "0123456789abcdef"}})
    again = run.pending("issue_refund")
    assert again.value["error"] == "the decision was made for different arguments"
    assert run.refunds(5531) == []
    run.resume({again.id: {"type": "approve", "args_hash": pending.value["args_hash"]}})
    assert run.refunds(5531) == [(12900, "USD")]


def test_a_malformed_decision_is_asked_again(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    pending = run.pending("issue_refund")
    run.resume({pending.id: {"type": "yes please"}})
    again = run.pending("issue_refund")
    assert again.value["error"].startswith("not a decision")
    assert run.refunds(5531) == []


# --- check_decision on its own -----------------------------------------------------------

ARGS = refund_args(5531)
PROPOSAL = ProposedAction(
    tool_call_id="call_1",
    name="issue_refund",
    args=ARGS,
    description="refund",
    args_hash=args_hash("issue_refund", ARGS),
    step="s4",
    worker="operator",
)
SPEC = ToolSpec("issue_refund", "refund", IssueRefundArgs, reversible=False, run=lambda a, c: None)


def test_the_middlewares_decisions_envelope_is_accepted() -> None:
    decision = check_decision({"decisions": [{"type": "approve"}]}, PROPOSAL, SPEC)
    assert decision.type == "approve"
    with pytest.raises(DecisionRefused, match="exactly one decision"):
        check_decision({"decisions": [{"type": "approve"}] * 2}, PROPOSAL, SPEC)


def test_an_edit_cannot_change_the_tool() -> None:
    edit = {"type": "edit", "edited_action": {"name": "send_email", "args": ARGS}}
    with pytest.raises(DecisionRefused, match=r"cannot change the tool \(issue_refund\)"):
        check_decision(edit, PROPOSAL, SPEC)


def test_a_matching_hash_is_accepted() -> None:
    decision = check_decision({"type": "reject", "args_hash": PROPOSAL.args_hash}, PROPOSAL, SPEC)
    assert decision.type == "reject"
