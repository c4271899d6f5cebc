"""Edits flow through: what a human changes reaches every step built on it, reviewed again.

An edited refund amount makes the drafted email stale: it is redone with the new amount
and reviewed before its approval is asked. An edited email text goes through the review
rules, and the approver sees the verdicts before anything is sent. A backend that refuses
an approved or edited call sends it back to the human with the reason; the run never ends
``done`` with the effect silently missing.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from fakes import Turn, tool_call
from graph_run import Run
from reliability_log import report

from state.views import results_of

DOUBLE_CHARGE = "Customer 1042 was charged twice for order 5531. Refund the duplicate, email them."


def _edit(pending: Any, **changes: Any) -> dict[str, Any]:
    args = {**pending.value["args"], **changes}
    return {
        pending.id: {"type": "edit", "edited_action": {"name": pending.value["name"], "args": args}}
    }


def test_an_edited_amount_redoes_the_draft_before_the_email_is_asked(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    run.resume(_edit(run.pending("issue_refund"), amount="100.00"))
    assert run.refunds(5531) == [(10000, "USD")]
    email = run.pending("send_email").value
    assert "100.00 USD" in email["args"]["body"] and "129.00" not in email["args"]["body"]
    values = run.values
    writer = next(r for r in results_of(values).values() if r.worker == "writer")
    assert writer.revision == 1 and writer.draft is not None
    assert values["approved_drafts"][writer.step_id] == 1  # reviewed again before the ask
    out = run.approve_all()
    assert out["status"] == "done"
    (sent,) = run.outbox()
    assert "100.00 USD" in sent and "129.00" not in sent
    assert run.refunds(5531) == [(10000, "USD")]  # the re-run step did not refund again
    assert "Refunded 100.00 USD" in out["final_answer"]


def test_an_edited_email_is_reviewed_and_the_verdicts_shown_before_it_is_sent(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    run.approve_once("issue_refund")
    pending = run.pending("send_email")
    bad = (
        "Hi Dana,\n\nPlease calm down. Your case RISK-88213 is closed and we guarantee the "
        "money is back today.\n\n— The Support Team"
    )
    run.resume(_edit(pending, body=bad))
    asked = run.pending("send_email").value
    assert asked["args"]["body"] == bad  # the approver sees the edited text...
    failed = {v["rule"] for v in asked["review"] if not v["passed"]}
    assert failed == {"tone", "no_internal_data", "promises"}  # ...and what review found
    run.resume({run.pending("send_email").id: {"type": "approve"}})
    refused = run.pending("send_email").value
    assert "fails review" in refused["error"]
    assert run.outbox() == []  # nothing went out
    good = "Hi Dana,\n\nWe refunded the duplicate charge of 129.00 USD.\n\n— The Support Team"
    run.resume(_edit(run.pending("send_email"), body=good))
    asked = run.pending("send_email").value
    assert asked["args"]["body"] == good and all(v["passed"] for v in asked["review"])
    out = run.resume({run.pending("send_email").id: {"type": "approve"}})
    assert out["status"] == "done"
    (sent,) = run.outbox()
    assert "We refunded the duplicate charge" in sent and "calm down" not in sent


def test_a_refused_edit_goes_back_to_the_human_with_the_reason(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    run.resume(_edit(run.pending("issue_refund"), amount="99999999.00"))
    again = run.pending("issue_refund").value  # waiting again, not done
    assert "exceeds the refundable 129.00 USD left on charge ch_5531_2" in again["error"]
    assert run.values["status"] == "running"
    assert run.refunds(5531) == []
    report("refused edits", checks=1, refusals_reasked=1)
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5531) == [(12900, "USD")] and len(run.outbox()) == 1


def test_an_email_to_an_address_not_on_file_goes_back_to_the_human(
    make_run: Callable[..., Run],
) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)
    run.approve_once("issue_refund")
    run.resume(_edit(run.pending("send_email"), to="someone.else@example.net"))
    run.resume({run.pending("send_email").id: {"type": "approve"}})  # confirm the edit
    again = run.pending("send_email").value
    assert "is not the email on file for customer 1042" in again["error"]
    assert run.outbox() == []
    report("refused edits", checks=1, refusals_reasked=1)
    run.resume(_edit(run.pending("send_email"), to="dana.whitfield@example.com"))
    out = run.approve_all()
    assert out["status"] == "done"
    (sent,) = run.outbox()
    assert "To: dana.whitfield@example.com" in sent


def test_a_refusal_of_a_call_the_policy_approved_waits_for_a_person(
    make_run: Callable[..., Run],
) -> None:
    def overpaying_operator(turn: Turn) -> Any:
        if turn.tool_results:
            return f"Outcome: {turn.tool_results[-1].text}"
        args = {
            "order_id": 5531,
            "customer_id": 1042,
            "amount": "200.00",
            "currency": "USD",
            "reason": "duplicate charge",
        }
        return tool_call("issue_refund", args, "Refund it.", turn.field("Step"))

    run = make_run({"operator": overpaying_operator}, auto_approve_refunds_upto=Decimal("500"))
    run.start(DOUBLE_CHARGE)
    again = run.pending("issue_refund").value  # approved by policy, refused, then asked
    assert "exceeds the refundable 129.00 USD left" in again["error"]
    assert run.refunds(5531) == []
    run.resume(_edit(run.pending("issue_refund"), amount="129.00"))
    assert run.refunds(5531) == [(12900, "USD")]
