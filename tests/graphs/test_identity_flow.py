"""A requester who does not own the order: the plan says so, the approval shows it, and
nothing irreversible runs for that owner without a person's explicit decision."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from graph_run import Run

from state.views import plan_of

NOT_THE_OWNER = "Customer 4242 was charged twice for order 5531. Refund the duplicate, email them."
NOTE = "the request names customer 4242 (not on file), but order 5531 belongs to customer 1042"


def test_the_plan_and_the_approval_name_the_owner_and_no_policy_approves_it(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(auto_approve_refunds_upto=Decimal("500.00"))
    run.start(NOT_THE_OWNER)
    plan = plan_of(run.values)
    assert plan and all(NOTE in step.instruction for step in plan)
    assert [e["data"]["notes"] for e in run.trace("identity")] == [
        [f"{NOTE}: confirm who the customer is before acting"]
    ]
    pending = run.pending("issue_refund")  # the policy would approve 129.00; not here
    assert NOTE in pending.value["live"]["identity"]
    assert run.refunds(5531) == []
    run.resume({pending.id: {"type": "approve", "decider": "ops lead, called the owner"}})
    assert run.refunds(5531) == [(12900, "USD")]  # an explicit decision lets it run
    email = run.pending("send_email")
    assert NOTE in email.value["live"]["identity"]


def test_the_owner_named_runs_as_before(make_run: Callable[..., Run]) -> None:
    run = make_run(auto_approve_refunds_upto=Decimal("500.00"))
    run.start("Customer 1042 was charged twice for order 5531. Refund the duplicate, email them.")
    assert "Identity" not in " ".join(s.instruction for s in plan_of(run.values))
    assert run.refunds(5531) == [(12900, "USD")]  # approved by the policy
    assert "identity" not in run.pending("send_email").value["live"]
