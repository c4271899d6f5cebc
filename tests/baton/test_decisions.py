"""Building resume decisions from --approve / --reject / --edit."""

from __future__ import annotations

from typing import Any

import pytest

from baton.decisions import build_decisions, parse_request
from baton.errors import BadInput
from tools.payments import IssueRefundArgs
from tools.spec import ToolSpec

REFUND_ARGS = {
    "order_id": 5531,
    "customer_id": 1042,
    "amount": "129.00",
    "currency": "USD",
    "reason": "duplicate charge",
}
PENDING = [
    {"id": "i1", "tool": "issue_refund", "args": REFUND_ARGS, "args_hash": "h1"},
    {"id": "i2", "tool": "issue_refund", "args": REFUND_ARGS, "args_hash": "h2"},
]
TOOLS: dict[str, Any] = {
    "issue_refund": ToolSpec("issue_refund", "", IssueRefundArgs, False, lambda a, c: None)
}


def _decide(**flags: Any) -> dict[str, dict[str, Any]]:
    request = parse_request(
        flags.get("approve"),
        flags.get("reject"),
        flags.get("reason"),
        flags.get("edit"),
        flags.get("args"),
    )
    decisions = build_decisions(request, PENDING, TOOLS)
    for decision in decisions.values():  # who decided is checked on its own below
        assert decision.pop("decider").endswith("(baton cli)")
    return decisions


def test_approve_all_binds_each_decision_to_the_shown_args() -> None:
    assert _decide(approve=["all"]) == {
        "i1": {"type": "approve", "args_hash": "h1"},
        "i2": {"type": "approve", "args_hash": "h2"},
    }


def test_reject_and_edit_take_precedence_over_approve_all() -> None:
    decisions = _decide(
        approve=["all"],
        reject=["i1"],
        reason=["too high"],
        edit=["i2"],
        args=['{"amount": "100.00"}'],
    )
    assert decisions["i1"] == {"type": "reject", "message": "too high", "args_hash": "h1"}
    assert decisions["i2"] == {
        "type": "edit",
        "edited_action": {"name": "issue_refund", "args": {**REFUND_ARGS, "amount": "100.00"}},
        "args_hash": "h2",
    }


def test_only_named_approvals_are_decided() -> None:
    assert list(_decide(approve=["i2"])) == ["i2"]


def test_no_flags_is_an_empty_request() -> None:
    assert parse_request(None, None, None, None, None).empty
    assert _decide() == {}


def test_reasons_pair_with_rejects_in_order() -> None:
    decisions = _decide(reject=["i1", "i2"], reason=["first", "second"])
    assert decisions["i1"]["message"] == "first"
    assert decisions["i2"]["message"] == "second"


def test_edit_without_args_is_refused() -> None:
    with pytest.raises(BadInput, match="each --edit needs its own --args"):
        _decide(edit=["i1"])


def test_edit_that_breaks_a_domain_field_is_refused() -> None:
    with pytest.raises(BadInput, match="currency"):
        _decide(edit=["i1"], args=['{"currency": "dollars"}'])


def test_unknown_keys_in_edit_are_refused() -> None:
    with pytest.raises(BadInput, match="--args for issue_refund are invalid: note"):
        _decide(edit=["i1"], args=['{"note": "x"}'])
