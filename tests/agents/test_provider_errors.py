"""One retry layer, one line per provider error, a context overflow named and not retried."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fakes import RecordingMeter
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

import agents.calls as calls
from agents.calls import ATTEMPTS, call_model
from agents.context_window import ContextTooLong, fit_messages
from agents.errors import ModelUnavailable
from agents.models.tiers import ModelTiers
from agents.provider.openai_chat import PortableChatOpenAI


class Answer:
    """A fake transport answering every request with one status and error body."""

    def __init__(self, status: int, message: str) -> None:
        self.status, self.message, self.hits = status, message, 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.hits += 1
        body = {"error": {"message": self.message, "type": "server_error", "code": self.status}}
        return httpx.Response(self.status, json=body)


def tiers_for(transport: Answer, window: int = 16_000) -> ModelTiers:
    def make(name: str) -> PortableChatOpenAI:
        client = httpx.Client(transport=httpx.MockTransport(transport))
        return PortableChatOpenAI(
            model=name, api_key="sk-test", base_url="http://x/v1", http_client=client, max_retries=0
        )

    return ModelTiers(
        fast=make("f"),
        strong=make("s"),
        offline=False,
        context_tokens={"fast": window, "strong": window},
    )


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls, "sleep", lambda s: None)


def test_a_500_is_sent_exactly_attempts_times_and_told_in_one_line() -> None:
    server = Answer(500, "messages.2.content: Input should be a valid string\n(long dump)")
    with pytest.raises(ModelUnavailable) as info:
        call_model(
            tiers_for(server), "fast", [HumanMessage("t")], RecordingMeter(), purpose="triage"
        )
    assert server.hits == ATTEMPTS == 3
    message = str(info.value)
    assert "\n" not in message
    assert message == (
        "triage: model f failed: HTTP 500: messages.2.content: Input should be a valid string "
        "(long dump) (after 3 attempts)"
    )
    assert message.count("Input should be") == 1


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_a_refused_request_is_sent_once(status: int) -> None:
    server = Answer(status, "bad request")
    with pytest.raises(ModelUnavailable, match=rf"HTTP {status}: bad request$"):
        call_model(tiers_for(server), "fast", [HumanMessage("t")], RecordingMeter(), purpose="plan")
    assert server.hits == 1


def test_a_429_is_retried() -> None:
    server = Answer(429, "slow down")
    with pytest.raises(ModelUnavailable, match="HTTP 429: slow down"):
        call_model(tiers_for(server), "fast", [HumanMessage("t")], RecordingMeter(), purpose="plan")
    assert server.hits == ATTEMPTS


def test_a_server_that_is_down_is_one_line_too() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused")

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    model = PortableChatOpenAI(
        model="f", api_key="k", base_url="http://x/v1", http_client=client, max_retries=0
    )
    tiers = ModelTiers(fast=model, strong=model, offline=False)
    with pytest.raises(ModelUnavailable) as info:
        call_model(tiers, "fast", [HumanMessage("t")], RecordingMeter(), purpose="triage")
    assert "\n" not in str(info.value)
    assert "ConnectionError: Connection error.: Connection refused (after 3 attempts)" in str(
        info.value
    )


def test_a_context_overflow_names_the_setting_and_is_not_retried() -> None:
    server = Answer(400, "the request exceeds the available context size (4096 tokens)")
    with pytest.raises(ContextTooLong) as info:
        call_model(
            tiers_for(server), "strong", [HumanMessage("t")], RecordingMeter(), purpose="plan"
        )
    assert server.hits == 1
    assert "BATON_STRONG_CONTEXT_TOKENS" in str(info.value)


def long_request(tool_chars: int) -> list[Any]:
    return [
        SystemMessage("You are the researcher."),
        HumanMessage("Request: refund policy?\nConversation so far:\n" + "turn text " * 50),
        ToolMessage("kb result " * (tool_chars // 10), tool_call_id="c1"),
    ]


def test_a_long_tool_result_is_cut_to_fit_the_window() -> None:
    messages = long_request(40_000)
    fitted = fit_messages(messages, [], 2_000, "fast")
    total = sum(len(str(m.content)) for m in fitted)
    assert total // 4 <= 2_000 - 256
    assert fitted[0] == messages[0]  # the system prompt is never cut
    assert "cut to fit BATON_FAST_CONTEXT_TOKENS" in str(fitted[2].content)
    assert str(fitted[2].content).startswith("kb result")
    assert len(messages[2].content) == 40_000  # the state's own message is untouched


def test_a_request_that_fits_is_sent_unchanged() -> None:
    messages = long_request(2_000)
    assert fit_messages(messages, [], 16_000, "fast") == messages


def test_a_request_that_cannot_fit_fails_naming_the_setting() -> None:
    huge_prompt = [SystemMessage("rules " * 4_000), HumanMessage("hi")]
    with pytest.raises(ContextTooLong, match="BATON_FAST_CONTEXT_TOKENS=1000"):
        fit_messages(huge_prompt, [], 1_000, "fast")


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<html>bad gateway</html>", "text/html"),
        ('{"choices": "nope"}', "application/json"),
        ("half a bo", "application/json"),
    ],
)
def test_a_garbage_reply_is_one_resumable_line(body: str, kind: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body.encode(), headers={"content-type": kind})

    client = httpx.Client(transport=httpx.MockTransport(answer))
    model = PortableChatOpenAI(
        model="f", api_key="k", base_url="http://x/v1", http_client=client, max_retries=0
    )
    tiers = ModelTiers(fast=model, strong=model, offline=False)
    with pytest.raises(ModelUnavailable) as info:
        call_model(tiers, "fast", [HumanMessage("t")], RecordingMeter(), purpose="triage")
    message = str(info.value)
    assert message.startswith("triage: model f failed: the reply is not an OpenAI chat completion")
    assert "\n" not in message
