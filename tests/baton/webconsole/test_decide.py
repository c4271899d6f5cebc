"""Console decisions: the CLI's edit rules, the refundable remainder, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from baton.webconsole.decide import ConsoleDecisions, FieldProblem, resume_map
from graphs.services import build_services
from graphs.settings import Settings

ID = "a" * 32


@pytest.fixture
def tools(settings: Settings) -> dict[str, Any]:
    return dict(build_services(settings).tools)


def _refund(live: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": ID,
        "kind": "tool_approval",
        "tool": "issue_refund",
        "args": {
            "order_id": 5531,
            "customer_id": 1042,
            "amount": "129.00",
            "currency": "USD",
            "reason": "duplicate charge",
            "charge_id": "ch_5531_2",
        },
        "args_hash": "h" * 16,
        "live": live or {"refundable": "129.00 USD"},
    }


def _body(**decision: Any) -> ConsoleDecisions:
    return ConsoleDecisions.model_validate(
        {"decider": "ann", "decisions": [{"id": ID, **decision}]}
    )


def test_an_edit_replaces_the_given_keys_and_binds_the_hash(tools: dict[str, Any]) -> None:
    answers = resume_map(_body(type="edit", args={"amount": "100.00"}), {ID: _refund()}, tools)
    edit = answers[ID]
    assert edit["type"] == "edit" and edit["args_hash"] == "h" * 16 and edit["decider"] == "ann"
    assert edit["edited_action"]["args"]["amount"] == "100.00"
    assert edit["edited_action"]["args"]["charge_id"] == "ch_5531_2"


@pytest.mark.parametrize(
    ("args", "field", "says"),
    [
        ({"amount": "-5"}, "amount", "greater than 0"),
        ({"amount": "129.01"}, "amount", "at most 129.00 USD"),
        ({"currency": "dollars"}, "currency", "pattern"),
        ({"order_id": "x"}, "order_id", "integer"),
        ({"surprise": 1}, "surprise", "not permitted"),
    ],
)
def test_a_bad_edit_names_its_field(
    tools: dict[str, Any], args: dict[str, Any], field: str, says: str
) -> None:
    with pytest.raises(FieldProblem) as refused:
        resume_map(_body(type="edit", args=args), {ID: _refund()}, tools)
    (problem,) = refused.value.problems
    assert problem["id"] == ID and problem["field"] == field and says in problem["message"]


def test_the_whole_remainder_may_be_refunded_and_no_standing_means_no_cap(
    tools: dict[str, Any],
) -> None:
    assert resume_map(_body(type="edit", args={"amount": "129.00"}), {ID: _refund()}, tools)
    unknown = _refund({"fact": "refund of charge ch_5531_2"})
    assert resume_map(_body(type="edit", args={"amount": "500.00"}), {ID: unknown}, tools)


def test_a_reject_needs_a_reason_and_a_question_is_not_an_approval(
    tools: dict[str, Any],
) -> None:
    with pytest.raises(FieldProblem) as refused:
        resume_map(_body(type="reject", message="  "), {ID: _refund()}, tools)
    assert refused.value.problems[0]["field"] == "message"
    question = {**_refund(), "kind": "effect_reconciliation"}
    with pytest.raises(FieldProblem, match="baton resume"):
        resume_map(_body(type="approve"), {ID: question}, tools)


def test_the_body_is_bounded() -> None:
    with pytest.raises(ValueError, match="decider"):
        ConsoleDecisions.model_validate(
            {"decider": "", "decisions": [{"id": ID, "type": "approve"}]}
        )
    with pytest.raises(ValueError, match="id"):
        _body_raw = {"decider": "ann", "decisions": [{"id": "../x", "type": "approve"}]}
        ConsoleDecisions.model_validate(_body_raw)


def test_an_approval_is_answered_once_per_request() -> None:
    twice = {"decider": "ann", "decisions": [{"id": ID, "type": "approve"}] * 2}
    with pytest.raises(ValueError, match="answered more than once"):
        ConsoleDecisions.model_validate(twice)
