"""Decisions answering an approval, and the hash that binds them to what was shown."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from state.actions import (
    ApproveDecision,
    DecisionAdapter,
    EditDecision,
    ProposedAction,
    RejectDecision,
    args_hash,
)

ARGS = {"order_id": 5531, "customer_id": 1042, "amount": "129.00", "currency": "USD"}


def test_args_hash_is_stable_and_ignores_key_order() -> None:
    shuffled = dict(reversed(list(ARGS.items())))
    assert args_hash("issue_refund", ARGS) == args_hash("issue_refund", shuffled)
    assert args_hash("issue_refund", ARGS) == args_hash("issue_refund", dict(ARGS))
    assert len(args_hash("issue_refund", ARGS)) == 16


def test_args_hash_changes_with_arguments_or_tool() -> None:
    base = args_hash("issue_refund", ARGS)
    assert args_hash("issue_refund", {**ARGS, "amount": "128.00"}) != base
    assert args_hash("send_email", ARGS) != base


def test_args_hash_is_the_same_in_a_fresh_process() -> None:
    import subprocess
    import sys

    code = f"from state.actions import args_hash;print(args_hash('issue_refund', {ARGS!r}))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == args_hash("issue_refund", ARGS)


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ({"type": "approve"}, ApproveDecision),
        ({"type": "approve", "args_hash": "abc"}, ApproveDecision),
        ({"type": "edit", "edited_action": {"name": "issue_refund", "args": ARGS}}, EditDecision),
        ({"type": "reject", "message": "not this one"}, RejectDecision),
        ({"type": "reject"}, RejectDecision),
    ],
)
def test_decisions_parse_by_type(raw: dict[str, Any], kind: type) -> None:
    assert isinstance(DecisionAdapter.validate_python(raw), kind)


def test_reject_has_a_default_message() -> None:
    decision = DecisionAdapter.validate_python({"type": "reject"})
    assert isinstance(decision, RejectDecision)
    assert decision.message == "rejected by a human"


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "maybe"},
        {},
        {"type": "edit"},  # an edit needs the edited action
        {"type": "edit", "edited_action": {"name": "issue_refund"}},
        {"type": "approve", "note": "extra fields are refused"},
        {"type": "reject", "message": "x" * 2001},
        "approve",
    ],
)
def test_malformed_decisions_are_refused(raw: Any) -> None:
    with pytest.raises(ValidationError):
        DecisionAdapter.validate_python(raw)


def test_a_proposal_is_a_tool_approval_request() -> None:
    proposal = ProposedAction(
        tool_call_id="call_1",
        name="issue_refund",
        args=ARGS,
        description="refund the duplicate",
        args_hash=args_hash("issue_refund", ARGS),
        step="s4",
        worker="operator",
    )
    value = proposal.model_dump()
    assert value["type"] == "tool_approval"
    assert value["error"] is None
    assert {"tool_call_id", "name", "args", "description", "args_hash", "step", "worker"} <= set(
        value
    )
