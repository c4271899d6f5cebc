"""``graphs.contract``: what each route must have done for its turn to be ``done``."""

from __future__ import annotations

from typing import Any

from graphs.contract import is_money_request, unmet
from state.results import WorkerResult

REFUND = "Customer 1042 was charged twice for order 5531, please refund it."


def _result(step: str = "s1", **fields: Any) -> WorkerResult:
    return WorkerResult(step_id=step, worker=fields.pop("worker", "analyst"), **fields)


def test_money_requests_are_told_from_policy_questions() -> None:
    assert is_money_request(REFUND)
    assert is_money_request("I was billed two times for the same thing, I want my money back")
    assert not is_money_request("How long does a refund take to arrive?")
    assert is_money_request("Can you refund order 5531?")
    assert not is_money_request("The export button crashes the app.")
    assert not is_money_request("Audit the duplicate charge handling.")
    assert is_money_request("Dana Whitfield was charged twice for her annual plan.")
    # Markup pasted into a question is not words: the question stays a policy question.
    assert not is_money_request('<img src=x onerror="alert(1)"> What is the refund policy?')
    assert is_money_request("<b>Refund</b> order 5531, please.")


def test_money_request_needs_a_refund_a_rejection_or_a_verified_finding() -> None:
    talk = _result(output="Refunded 49.99 USD and emailed them.")
    assert unmet("orchestrate", REFUND, {"s1": talk}, None) is not None

    refund = {"tool": "issue_refund", "args": {}, "result": {"refund_id": "r1"}}
    done = _result("s4", worker="operator", effects=[refund], tools_used=["issue_refund"])
    assert unmet("orchestrate", REFUND, {"s4": done}, None) is None

    elsewhere = {"tool": "issue_refund", "result": None, "already_done": ["thread t9"]}
    assert unmet("orchestrate", REFUND, {"s4": _result(effects=[elsewhere])}, None) is None

    declined = _result("s4", worker="operator", declined=["issue_refund"])
    assert unmet("orchestrate", REFUND, {"s4": declined}, None) is None

    finding = "No duplicate charge found: 1 captured charge(s) in the records."
    verified = _result(output=finding, tools_used=["sql_query"])
    assert unmet("orchestrate", REFUND, {"s1": verified}, None) is None
    unverified = _result(output=finding)
    assert unmet("orchestrate", REFUND, {"s1": unverified}, None) is not None


def test_answer_route_needs_a_citation_or_a_search_that_found_nothing() -> None:
    question = "What is the refund window?"
    cited = _result("answer", worker="researcher", citations=["refunds.md#window"])
    assert unmet("answer", question, {"answer": cited}, None) is None
    nothing = "The knowledge base has nothing on this."
    searched = _result("answer", worker="researcher", output=nothing, tools_used=["kb_search"])
    assert unmet("answer", question, {"answer": searched}, None) is None
    made_up = _result("answer", worker="researcher", output=nothing)
    assert "no tool was called" in (unmet("answer", question, {"answer": made_up}, None) or "")


def test_ticket_route_needs_its_ticket_and_recall_needs_no_tool() -> None:
    assert unmet("ticket", "the app crashes", {}, None) == "no ticket was filed"
    assert unmet("ticket", "the app crashes", {}, 7) is None
    assert unmet("recall", "what did you refund?", {}, None, earlier_turns=1) is None
    assert "no earlier turn" in (unmet("recall", "what did you refund?", {}, None) or "")
    refund = "Refund order 5531 for customer 1042, it was charged twice."
    assert "money request" in (unmet("recall", refund, {}, None) or "")
