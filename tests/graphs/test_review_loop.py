"""Drafts are reviewed before anything is sent; failed drafts go back with the reasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fakes import Turn, tool_call
from graph_run import Run

from agents.models import offline_reading as read
from agents.models import offline_workers
from state.views import results_of, verdicts_of

DOUBLE_CHARGE = "Order 5531 for customer 1042 was charged twice, please refund it."


def writer(fix_on_feedback: bool) -> Callable[[Turn], Any]:
    """The offline writer's draft, but claiming 139.00 instead of 129.00 until fixed."""

    def handler(turn: Turn) -> Any:
        if turn.tool_results:
            return "Draft saved."
        call = offline_workers.writer(turn.task, [])
        assert isinstance(call, offline_workers.Call)
        args = dict(call.args)
        if not (fix_on_feedback and "Feedback:" in turn.task):
            args["body"] = args["body"].replace("129.00", "139.00")
        salt = (turn.field("Step"), turn.field("Revision"))
        return tool_call("draft_email", args, "Save the draft.", salt=salt)

    return handler


def test_a_draft_that_fails_a_rule_is_revised_with_the_reasons(
    make_run: Callable[..., Run],
) -> None:
    run = make_run({"writer": writer(fix_on_feedback=True)})
    run.start(DOUBLE_CHARGE)
    tasks = run.log.tasks("writer")
    first, revised = tasks[0], tasks[-1]
    assert "Feedback:" not in first
    assert "Revision: 1" in revised
    assert "amounts: amount 139.00 matches no charge, refund or order of customer 1042" in revised
    # Only the amount was wrong, so only that rule's reason is fed back.
    assert "tone:" not in revised and "promises:" not in revised

    # The operator acts on the revised draft, never the rejected one.
    run.resume({run.pending("issue_refund").id: {"type": "approve"}})
    email = run.pending("send_email").value["args"]
    assert "129.00 USD" in email["body"] and "139.00" not in email["body"]
    out = run.approve_all()
    assert out["status"] == "done"
    writer_result = next(r for r in results_of(out).values() if r.worker == "writer")
    assert writer_result.revision == 1 and writer_result.status == "ok"
    verdicts = verdicts_of(run.values)
    assert {(v.revision, v.rule) for v in verdicts if not v.passed} == {(0, "amounts")}
    assert all(v.passed for v in verdicts if v.revision == 1)


def test_a_draft_that_never_passes_fails_the_step_and_nothing_is_sent(
    make_run: Callable[..., Run],
) -> None:
    run = make_run({"writer": writer(fix_on_feedback=False)}, max_review_revisions=2)
    out = run.start(DOUBLE_CHARGE)
    assert run.interrupts == []
    assert out["status"] == "failed"
    revisions = {read.field(t, "Revision") for t in run.log.tasks("writer")}
    assert revisions == {"", "1", "2"}  # the first draft and two revisions, then it stops
    writer_result = next(r for r in results_of(out).values() if r.worker == "writer")
    assert writer_result.status == "failed"
    assert writer_result.error is not None
    assert writer_result.error.startswith("draft failed review: amounts: amount 139.00")
    assert run.log.count("operator") == 0
    assert not any(r.worker == "operator" for r in results_of(out).values())
    assert run.refunds(5531) == []
    assert run.outbox() == []
    assert "draft failed review" in out["error"]


def test_with_no_revisions_allowed_the_first_failure_is_final(
    make_run: Callable[..., Run],
) -> None:
    run = make_run({"writer": writer(fix_on_feedback=True)}, max_review_revisions=0)
    out = run.start(DOUBLE_CHARGE)
    assert out["status"] == "failed"
    assert all("Feedback:" not in task for task in run.log.tasks("writer"))
    assert run.log.count("operator") == 0
