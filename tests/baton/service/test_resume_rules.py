"""How a resume's decisions are matched to pending approvals (no graph needed)."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Interrupt

from baton.service.errors import ApiError
from baton.service.resume import checked_resume, decider_for
from graphs.settings import Settings
from state.actions import args_hash
from tools.registry import build_tools
from tools.world import World

ARGS = {
    "order_id": 5531,
    "customer_id": 1042,
    "amount": "129.00",
    "currency": "USD",
    "reason": "duplicate charge",
}


def _approval(interrupt_id: str) -> Interrupt:
    value = {
        "type": "tool_approval",
        "tool_call_id": f"call-{interrupt_id}",
        "name": "issue_refund",
        "args": ARGS,
        "description": "refund the duplicate",
        "args_hash": args_hash("issue_refund", ARGS),
        "step": "s4",
        "worker": "operator",
    }
    return Interrupt(value=value, id=interrupt_id)


@pytest.fixture
def tools(settings: Settings) -> dict[str, Any]:
    return build_tools(World(home=settings.home))


def check(resume: Any, waiting: list[Interrupt], tools: dict[str, Any], **kw: Any) -> Any:
    return checked_resume(
        resume, waiting, tools, thread_id="t1", tenant="acme", answered=kw.get("answered", {})
    )


def test_a_lone_decision_answers_the_only_pending_approval(tools: dict[str, Any]) -> None:
    one = _approval("a" * 32)
    checked = check({"type": "approve"}, [one], tools)
    assert checked == {
        "a" * 32: {
            "type": "approve",
            "args_hash": one.value["args_hash"],
            "decider": "API client (tenant acme, baton serve)",
        }
    }


def test_several_pending_approvals_need_ids(tools: dict[str, Any]) -> None:
    waiting = [_approval("a" * 32), _approval("b" * 32)]
    with pytest.raises(ApiError, match="answer each by its id") as refused:
        check({"type": "approve"}, waiting, tools)
    assert refused.value.status == 422
    checked = check({"b" * 32: {"type": "reject", "message": "no"}}, waiting, tools)
    assert list(checked) == ["b" * 32] and checked["b" * 32]["message"] == "no"


def test_unknown_answered_and_nothing_pending(tools: dict[str, Any]) -> None:
    waiting = [_approval("a" * 32)]
    with pytest.raises(ApiError, match="no pending approval with id") as unknown:
        check({"c" * 32: {"type": "approve"}}, waiting, tools)
    assert unknown.value.status == 422
    with pytest.raises(ApiError, match="already answered by run r1") as again:
        check({"c" * 32: {"type": "approve"}}, waiting, tools, answered={"c" * 32: "r1"})
    assert again.value.status == 409
    with pytest.raises(ApiError, match="not waiting for an approval") as idle:
        check({"type": "approve"}, [], tools)
    assert idle.value.status == 409


def test_edits_are_validated_against_the_tool(tools: dict[str, Any]) -> None:
    waiting = [_approval("a" * 32)]
    edit = {
        "type": "edit",
        "edited_action": {"name": "issue_refund", "args": {**ARGS, "amount": "100.00"}},
    }
    assert (
        check({"a" * 32: edit}, waiting, tools)["a" * 32]["edited_action"]["args"]["amount"]
        == "100.00"
    )
    bad = {
        "type": "edit",
        "edited_action": {"name": "issue_refund", "args": {**ARGS, "amount": "-5"}},
    }
    with pytest.raises(ApiError, match="edited arguments invalid"):
        check({"a" * 32: bad}, waiting, tools)


def test_reconciliation_questions_take_sent_or_not_sent(tools: dict[str, Any]) -> None:
    question = Interrupt(
        value={"type": "effect_reconciliation", "name": "send_email", "args_hash": "h1"},
        id="d" * 32,
    )
    assert check({"type": "sent"}, [question], tools)["d" * 32]["type"] == "sent"
    with pytest.raises(ApiError, match="asks whether an effect happened"):
        check({"type": "approve"}, [question], tools)


def test_the_decider_names_the_tenant() -> None:
    assert decider_for("Dana", "acme") == "Dana (tenant acme, baton serve)"
    assert len(decider_for("x" * 500, "acme")) <= 200
    assert decider_for(None, "acme") == "API client (tenant acme, baton serve)"
