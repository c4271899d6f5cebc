"""The offline stand-in: deterministic, reads meaning, drives every role validly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fakes import RecordingMeter
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agents.models.offline import OFFLINE_MODEL_NAME, OfflineChatModel
from agents.models.tiers import ModelConfig, build_tiers
from agents.planner import make_plan
from agents.router import triage
from agents.workers import all_workers
from state.plan import Plan

REPO = Path(__file__).resolve().parents[2]
TASK = (
    "Request: I was billed two times for order 5602\n"
    "Worker: analyst\nStep: s1\nInstruction: Verify the captured charges for order 5602."
)
SQL_TOOL = {
    "type": "function",
    "function": {"name": "sql_query", "description": "q", "parameters": {"type": "object"}},
}


def reply_json(message: AIMessage) -> str:
    return json.dumps({"content": message.content, "tool_calls": message.tool_calls})


def conversation() -> list:
    first = (
        OfflineChatModel().bind_tools([SQL_TOOL]).invoke([SystemMessage("x"), HumanMessage(TASK)])
    )
    call = first.tool_calls[0]
    return [
        SystemMessage("x"),
        HumanMessage(TASK),
        first,
        ToolMessage(content='{"columns": ["id"], "rows": []}', tool_call_id=call["id"]),
    ]


def test_same_messages_give_the_identical_reply() -> None:
    model = OfflineChatModel().bind_tools([SQL_TOOL])
    messages = conversation()
    replies = {reply_json(model.invoke(messages)) for _ in range(3)}
    replies.add(reply_json(OfflineChatModel().bind_tools([SQL_TOOL]).invoke(messages)))
    assert len(replies) == 1


def test_the_reply_is_the_same_in_a_fresh_process() -> None:
    code = f"""
import json
from langchain_core.messages import HumanMessage, SystemMessage
from agents.models.offline import OfflineChatModel
tool = {SQL_TOOL!r}
reply = OfflineChatModel().bind_tools([tool]).invoke([SystemMessage("x"), HumanMessage({TASK!r})])
print(json.dumps({{"content": reply.content, "tool_calls": reply.tool_calls}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout.strip()
    here = (
        OfflineChatModel().bind_tools([SQL_TOOL]).invoke([SystemMessage("x"), HumanMessage(TASK)])
    )
    assert out == reply_json(here)
    assert here.tool_calls[0]["name"] == "sql_query"
    assert "5602" in here.tool_calls[0]["args"]["sql"]


def test_without_a_key_both_tiers_are_the_announced_stand_in() -> None:
    tiers = build_tiers(ModelConfig(api_key=None))
    assert tiers.offline
    assert tiers.name("fast") == tiers.name("strong") == OFFLINE_MODEL_NAME


@pytest.mark.parametrize(
    ("request_text", "route"),
    [
        ("I was billed two times for order 5602", "orchestrate"),
        ("Customer 1042 says order 5531 was charged twice, refund the duplicate", "orchestrate"),
        ("the dashboard shows a blank page", "ticket"),
        ("The mobile app crashes when I open settings", "ticket"),
        ("what is your refund policy for annual plans?", "answer"),
        ("How long does a refund take to arrive?", "answer"),
    ],
)
def test_triage_routes_paraphrases_by_meaning(request_text: str, route: str) -> None:
    tiers = build_tiers(ModelConfig())
    meter = RecordingMeter()
    assert triage(tiers, request_text, meter).route == route
    assert meter.kinds("validation_failure") == []


@pytest.mark.parametrize(
    "request_text",
    ["I was billed two times for order 5602", "what is your refund policy for annual plans?"],
)
def test_the_planner_produces_a_valid_plan_for_the_registered_workers(request_text: str) -> None:
    tiers = build_tiers(ModelConfig())
    meter = RecordingMeter()
    plan = make_plan(tiers, request_text, [], {}, 1, 3, 8, meter)
    workers = set(all_workers())
    assert plan.steps and not plan.done
    assert {s.worker for s in plan.steps} <= workers
    # It would pass the strictest validation the planner applies.
    Plan.model_validate(
        plan.model_dump(),
        context={"workers": workers, "max_steps": 8, "existing_ids": set()},
    )
    assert meter.kinds("validation_failure") == []


def test_the_refund_plan_verifies_and_drafts_before_the_operator_acts() -> None:
    tiers = build_tiers(ModelConfig())
    plan = make_plan(
        tiers, "I was billed two times for order 5602", [], {}, 1, 3, 8, RecordingMeter()
    )
    by_worker = {s.worker: s for s in plan.steps}
    operator = by_worker["operator"]
    assert by_worker["analyst"].id in operator.depends_on
    assert by_worker["writer"].id in operator.depends_on
    assert "5602" in by_worker["analyst"].instruction
