"""A turn that ran out of budget goes on, once a person raises it, from where it stopped."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from graph_run import Run

from graphs.continue_turn import CannotContinue, continue_turn
from persistence.budget import BudgetBook
from state.views import results_of

DOUBLE_CHARGE = "I was billed two times for order 5602"


def _continue(run: Run, **asked: int) -> None:
    book = BudgetBook(run.settings.db_path, database=run.settings.database)
    continue_turn(run.graph, run.config, book, run.settings, asked)


def test_a_raised_budget_goes_on_where_the_turn_ran_out(make_run: Callable[..., Run]) -> None:
    run = make_run(max_model_calls=6)
    out = run.start(DOUBLE_CHARGE)
    assert out["status"] == "budget_exhausted"
    finished = {r.worker for r in results_of(out).values() if r.status == "ok"}
    calls_before = run.log.counts()
    _continue(run, model_calls=40)
    run.continue_after_crash()
    for worker in finished:  # a step that had finished is not run again
        assert run.log.counts()[worker] == calls_before[worker]
    pending = run.pending("issue_refund")
    assert pending.value["args"]["order_id"] == 5602
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5602) == [(4900, "EUR")] and len(run.outbox()) == 1
    answers = [m for m in out["messages"] if m.type == "ai"]
    assert len(answers) == 1 and "Refunded 49.00 EUR" in answers[0].text  # answered once
    assert [t["status"] for t in run.values["turns"]] == ["done"]
    assert (
        BudgetBook(run.settings.db_path, database=run.settings.database)
        .usage(run.thread, 1)
        .model_calls
        > 6
    )


def test_after_the_refund_it_goes_on_to_the_email_without_refunding_again(
    make_run: Callable[..., Run],
) -> None:
    run = make_run(max_model_calls=10)
    run.start(DOUBLE_CHARGE)
    out = run.resume({run.pending("issue_refund").id: {"type": "approve"}})
    assert out["status"] == "budget_exhausted" and run.refunds(5602) == [(4900, "EUR")]
    _continue(run, model_calls=30, tokens=900_000)
    run.continue_after_crash()
    (email,) = run.interrupts  # the email is asked for, the refund is not asked again
    assert email.value["name"] == "send_email"
    out = run.approve_all()
    assert out["status"] == "done"
    assert run.refunds(5602) == [(4900, "EUR")] and len(run.outbox()) == 1


def test_only_a_turn_that_ran_out_can_be_raised(make_run: Callable[..., Run]) -> None:
    run = make_run()
    run.start(DOUBLE_CHARGE)  # waiting for approval
    with pytest.raises(CannotContinue, match="continues a turn that ran out of budget"):
        _continue(run, model_calls=100)
    exhausted = make_run(max_model_calls=6, thread="poor")
    exhausted.start(DOUBLE_CHARGE)
    with pytest.raises(CannotContinue, match="model_calls=6 is not above the 6 this turn used"):
        _continue(exhausted, model_calls=6)
    with pytest.raises(CannotContinue, match="unknown budget 'money'"):
        _continue(exhausted, money=6)
    assert exhausted.values["status"] == "budget_exhausted"  # nothing was written
