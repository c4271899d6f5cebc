"""The exact bodies Baton sends an OpenAI-compatible server: shapes every server accepts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fakes import RecordingMeter
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from agents.calls import call_model
from agents.models.tiers import ModelConfig, ModelTiers, build_tiers
from agents.planner import make_plan
from agents.provider.openai_chat import PortableChatOpenAI
from agents.tool_schema import openai_tool
from tools.registry import build_tools
from tools.world import World

Body = dict[str, Any]


def reply_body(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


class Capture:
    """A fake transport that records each request body and answers from a queue."""

    def __init__(self, replies: list[dict[str, Any]]) -> None:
        self.bodies: list[Body] = []
        self.replies = replies

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        return httpx.Response(200, json=reply_body(self.replies.pop(0)))


def captured_tiers(capture: Capture) -> ModelTiers:
    def make(name: str) -> PortableChatOpenAI:
        client = httpx.Client(transport=httpx.MockTransport(capture))
        return PortableChatOpenAI(
            model=name, api_key="sk-test", base_url="http://x/v1", http_client=client, max_retries=0
        )

    return ModelTiers(fast=make("f"), strong=make("s"), offline=False)


@pytest.fixture
def tool_defs(tmp_path: Any) -> Iterator[list[dict[str, Any]]]:
    world = World(home=tmp_path / "world")
    yield [openai_tool(spec) for spec in build_tools(world).values()]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_a_worker_sends_tool_choice_auto_with_its_tools(tool_defs: list[dict[str, Any]]) -> None:
    capture = Capture([{"role": "assistant", "content": "done"}])
    call_model(
        captured_tiers(capture),
        "fast",
        [SystemMessage("s"), HumanMessage("t")],
        RecordingMeter(),
        tools=tool_defs[:2],
        purpose="analyst",
    )
    (body,) = capture.bodies
    assert body["tool_choice"] == "auto"
    assert [t["function"]["name"] for t in body["tools"]] == [
        t["function"]["name"] for t in tool_defs[:2]
    ]


def test_a_tool_call_turn_is_sent_with_empty_string_content() -> None:
    capture = Capture([{"role": "assistant", "content": "ok"}])
    call_turn = AIMessage(
        content="", tool_calls=[{"name": "kb_search", "args": {"query": "refunds"}, "id": "c1"}]
    )
    messages = [HumanMessage("t"), call_turn, ToolMessage("found", tool_call_id="c1")]
    call_model(captured_tiers(capture), "fast", messages, RecordingMeter(), purpose="researcher")
    sent = capture.bodies[0]["messages"]
    assert all(isinstance(m["content"], str) for m in sent)
    assistant = next(m for m in sent if m["role"] == "assistant")
    assert assistant["content"] == "" and assistant["tool_calls"][0]["id"] == "c1"


def test_tool_schemas_keep_structure_but_no_max_length(tool_defs: list[dict[str, Any]]) -> None:
    nodes = list(walk([t["function"]["parameters"] for t in tool_defs]))
    assert not [n for n in nodes if "maxLength" in n and "type" in n]
    assert any("required" in n for n in nodes)
    refund = next(t for t in tool_defs if t["function"]["name"] == "issue_refund")
    assert refund["function"]["parameters"]["required"]
    assert "strict" not in refund["function"]


def test_the_plan_request_forces_the_plan_function_with_a_worker_enum() -> None:
    plan_args = {
        "rationale": "check",
        "steps": [{"id": "s1", "worker": "researcher", "instruction": "x", "depends_on": []}],
        "done": False,
    }
    call = {"id": "p1", "type": "function", "function": {"name": "Plan", "arguments": ""}}
    call["function"]["arguments"] = json.dumps(plan_args)  # type: ignore[index]
    capture = Capture([{"role": "assistant", "content": None, "tool_calls": [call]}])
    plan = make_plan(
        captured_tiers(capture), "what is the policy?", [], {}, 1, 3, 8, RecordingMeter()
    )
    assert plan.steps[0].worker == "researcher"
    (body,) = capture.bodies
    assert body["tool_choice"] == {"type": "function", "function": {"name": "Plan"}}
    assert "response_format" not in body
    params = body["tools"][0]["function"]["parameters"]
    assert set(params["required"]) == {"rationale", "steps", "done"}
    step = params["properties"]["steps"]["items"]
    assert step["properties"]["worker"]["enum"] == ["analyst", "operator", "researcher", "writer"]
    assert "depends_on" in step["required"]
    assert params["properties"]["steps"]["maxItems"] == 8
    assert not [n for n in walk(params) if "maxLength" in n and "type" in n]


def test_the_client_never_retries_on_its_own() -> None:
    tiers = build_tiers(ModelConfig(api_key="sk-test", base_url="http://127.0.0.1:9/v1"))
    assert isinstance(tiers.fast, PortableChatOpenAI)
    assert tiers.fast.max_retries == 0 and tiers.strong.max_retries == 0


def test_a_long_tool_result_is_cut_before_it_is_sent() -> None:
    capture = Capture([{"role": "assistant", "content": "ok"}])
    tiers = captured_tiers(capture)
    small = ModelTiers(
        fast=tiers.fast, strong=tiers.strong, offline=False, context_tokens={"fast": 2_000}
    )
    call_turn = AIMessage(
        content="", tool_calls=[{"name": "kb_search", "args": {"query": "refunds"}, "id": "c1"}]
    )
    result = ToolMessage("policy text " * 5_000, tool_call_id="c1")
    call_model(small, "fast", [HumanMessage("t"), call_turn, result], RecordingMeter(), purpose="r")
    sent = capture.bodies[0]["messages"]
    assert sum(len(m["content"]) for m in sent) // 4 < 2_000
    assert "cut to fit BATON_FAST_CONTEXT_TOKENS" in sent[-1]["content"]
